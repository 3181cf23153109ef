"""SBGN-ML (Activity Flow) export of the knowledge base: valid, and complete."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import libsbgnpy as sb
import pytest

from mtorlab.io.sbgn import glyph_class_of, to_sbgn
from mtorlab.kb import KnowledgeBase, Sign, load


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture(scope="module")
def sbgn_file(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sbgn") / "mtorlab.sbgn"
    path.write_text(to_sbgn(kb), encoding="utf-8")
    return path


def test_valid_against_schema_and_af_rules(sbgn_file: Path) -> None:
    assert sb.validate_xsd(sbgn_file) == []
    assert sb.validate(sbgn_file) == []  # schema + the specification's vocabulary
    assert sb.validate_schematron(sbgn_file) == []  # the AF language rules


def test_one_glyph_per_entity_one_arc_per_mechanism(kb: KnowledgeBase, sbgn_file: Path) -> None:
    (m,) = sb.read_sbgn_from_file(sbgn_file).map
    assert m.version is not None and "sbgn.af" in m.version.value
    assert {g.id for g in m.glyph} == set(kb.entities)
    assert {a.id for a in m.arc} == set(kb.mechanisms)
    signs = Counter(mech.sign for mech in kb.mechanisms.values())
    arcs = Counter(a.class_value for a in m.arc)
    assert arcs[sb.ArcClass.POSITIVE_INFLUENCE] == signs[Sign.positive]
    assert arcs[sb.ArcClass.NEGATIVE_INFLUENCE] == signs[Sign.negative]
    assert len(arcs) == 2


def test_glyph_classes_by_kind(kb: KnowledgeBase, sbgn_file: Path) -> None:
    (m,) = sb.read_sbgn_from_file(sbgn_file).map
    by_id = {g.id: g for g in m.glyph}
    units = {
        gid: g.glyph[0].entity.name.value
        for gid, g in by_id.items()
        if g.glyph and g.glyph[0].entity
    }
    assert units["mtorc1"] == "complex"
    assert units["akt"] == "macromolecule"
    assert units["glucose"] == "simple chemical"
    assert units["mir183"] == "nucleic acid feature"
    assert units["sirolimus"] == "perturbation" and units["chronic_stress"] == "perturbation"
    # Sinks among processes and phenotypes are phenotypes; sources must be activities.
    assert by_id["depression_like_behaviour"].class_value is sb.GlyphClass.PHENOTYPE
    assert by_id["autophagy"].class_value is sb.GlyphClass.BIOLOGICAL_ACTIVITY
    assert glyph_class_of(kb, "immunosuppression") == "phenotype"
    counts = Counter(g.class_value for g in m.glyph)
    phenotypes = [e for e in kb.entities if glyph_class_of(kb, e) == "phenotype"]
    assert counts[sb.GlyphClass.PHENOTYPE] == len(phenotypes) > 5
    assert counts[sb.GlyphClass.BIOLOGICAL_ACTIVITY] == len(kb.entities) - len(phenotypes)
