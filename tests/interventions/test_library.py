"""The intervention library: built-in entries, provenance, and user-added drugs as data."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from mtorlab.errors import DataFileError, UnknownIdError
from mtorlab.interventions import Quantity, load_library
from mtorlab.kb import load

REVIEW_IDS = [
    "ketamine", "esketamine", "cp101606", "rapamycin", "fluoxetine", "zhizichi", "daidzein",
    "h2s_donor", "fmod", "nbqx", "anti_bdnf", "mir183", "exercise", "dbs",
]  # fmt: skip

MADE_UP = (Path(__file__).parents[1] / "data" / "library" / "made_up_drug.yaml").read_text(
    encoding="utf-8"
)


def _all_quantities(obj: object) -> list[Quantity]:
    if isinstance(obj, Quantity):
        return [obj]
    if isinstance(obj, dict):
        return [q for v in obj.values() for q in _all_quantities(v)]
    if isinstance(obj, list | tuple):
        return [q for v in obj for q in _all_quantities(v)]
    if isinstance(obj, BaseModel):
        return [q for name in type(obj).model_fields for q in _all_quantities(getattr(obj, name))]
    return []


def test_every_review_intervention_is_in_the_library() -> None:
    assert set(REVIEW_IDS) <= set(load_library().entries)


def test_every_number_has_unit_range_and_provenance() -> None:
    qs = [q for d in load_library().entries.values() for q in _all_quantities(d)]
    assert len(qs) > 150
    for q in qs:
        assert q.unit and q.range[0] <= q.value <= q.range[1] and q.provenance


def test_targets_and_entities_resolve_in_the_knowledge_base() -> None:
    kb = load()
    for drug in load_library().entries.values():
        if drug.kb_entity is not None:
            assert drug.kb_entity in kb.entities, drug.id
        for t in drug.targets:
            for m in t.mechanisms:
                assert m in kb.mechanisms, (drug.id, m)


def test_review_numbers_are_carried_with_their_claim() -> None:
    rapa = load_library().get("rapamycin")
    kp = rapa.pk["human"].brain_partition
    assert 0.15 <= kp.value <= 0.20 and kp.provenance.kind == "review"
    (peg,) = rapa.formulations
    assert peg.brain_partition_factor.value == 3.0
    assert load_library().get("esketamine").pk["human"].bioavailability["intranasal"].value == 0.48


def test_a_made_up_drug_is_added_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(MADE_UP, encoding="utf-8")
    lib = load_library(f)
    drug = lib.get("zz_agonist")
    assert drug.pk["mouse"].half_life.to("min") == pytest.approx(240.0)
    assert lib.origin["zz_agonist"] == str(f)
    assert "ketamine" in lib.entries


@pytest.mark.parametrize(
    ("old", "new", "field", "says"),
    [
        ("unit: h, range: [2, 8]", "unit: hourz, range: [2, 8]", "pk.mouse.half_life.unit", "hourz"),
        ("value: 4, unit: h", "value: 40, unit: h", "pk.mouse.half_life", "outside its range"),
        ("routes: [po]", "routes: [oral]", "routes.0", "'oral' is not allowed"),
        ("site: brain", "site: liver", "targets.0.site", "'liver' is not allowed"),
        ("mechanisms: [m_daidzein_akt]", "mechanisms: [daidzein_akt]", "targets.0.mechanisms", "mechanism id"),
    ],
)  # fmt: skip
def test_a_broken_entry_names_file_entry_field(
    tmp_path: Path, old: str, new: str, field: str, says: str
) -> None:
    f = tmp_path / "broken.yaml"
    assert old in MADE_UP
    f.write_text(MADE_UP.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_library(f)
    assert err.value.file == str(f)
    assert err.value.entry == "zz_agonist"
    assert err.value.field == field
    assert says in str(err.value)


def test_unknown_drug_names_the_nearest() -> None:
    with pytest.raises(UnknownIdError, match="nearest: esketamine"):
        load_library().get("esketamin")
