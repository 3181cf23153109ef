"""The shipped knowledge base: complete, valid, and faithful to the review text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mtorlab.kb import KnowledgeBase, load, normalise, quote_in_text
from mtorlab.kb._graph import paths


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def _claims_md(shared_dir: Path) -> dict[str, bool]:
    """Claim id -> testable, read from the table rows of CLAIMS.md."""
    rows = {}
    for line in (shared_dir / "spec" / "CLAIMS.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*([A-Z]+-\d{2})\s*\|.*\|\s*(T?)\s*\|\s*$", line)
        if m:
            rows[m.group(1)] = m.group(2) == "T"
    return rows


def test_every_claim_of_claims_md_is_present_with_its_testable_flag(
    kb: KnowledgeBase, shared_dir: Path
) -> None:
    spec = _claims_md(shared_dir)
    assert len(spec) == 56
    assert sum(spec.values()) == 46
    assert set(kb.claims) == set(spec)
    wrong = {c: spec[c] for c in spec if kb.claims[c].testable != spec[c]}
    assert not wrong, f"testable flag differs from CLAIMS.md: {wrong}"


def test_every_testable_claim_is_supported_by_a_mechanism(kb: KnowledgeBase) -> None:
    unsupported = [
        c.id for c in kb.claims.values() if c.testable and not kb.mechanisms_for_claim(c.id)
    ]
    assert unsupported == []


def test_all_six_tensions(kb: KnowledgeBase) -> None:
    assert sorted(kb.tensions) == [f"CX-{i}" for i in range(1, 7)]
    for t in kb.tensions.values():
        assert t.resolution.explanation_en


def test_every_chinese_quote_is_verbatim_in_the_review(kb: KnowledgeBase, review_text: str) -> None:
    quotes = [
        (rec.id, ev.quote_zh)
        for rec in (*kb.claims.values(), *kb.mechanisms.values())
        for ev in rec.evidence
        if ev.quote_zh
    ]
    assert len(quotes) >= 100
    missing = [(rid, q) for rid, q in quotes if not quote_in_text(q, review_text)]
    assert missing == []


def test_quote_check_can_fail(review_text: str) -> None:
    """The comparison ignores whitespace only: a changed character is caught."""
    assert quote_in_text("mTORC1 的 抑制可以诱导自噬", review_text)
    assert not quote_in_text("mTORC1 的激活可以诱导自噬", review_text)
    assert normalise("m T O R C 2 的 激 活") == "mTORC2的激活"


def test_review_evidence_carries_section_and_literature_a_citation(kb: KnowledgeBase) -> None:
    for m in kb.mechanisms.values():
        for ev in m.evidence:
            assert (ev.section and ev.quote_zh) if ev.source == "review" else ev.citation


@pytest.mark.parametrize(
    "symbol",
    [
        "MTOR", "RPTOR", "RICTOR", "TSC1", "TSC2", "RHEB", "AKT1", "MAPK1", "MAPK3", "PRKAA1",
        "BDNF", "NTRK2", "GRIN2B", "GRIA1", "IL6", "TNF", "IKBKB", "ULK1", "ATM", "ATR", "FMOD",
        "EEF2K", "RPS6KB1", "EIF4EBP1", "CREB1", "DDIT4",
    ],
)  # fmt: skip
def test_named_genes_carry_their_hgnc_symbol(kb: KnowledgeBase, symbol: str) -> None:
    assert any(symbol in e.hgnc for e in kb.entities.values())


@pytest.mark.parametrize(
    "name",
    ["ketamine", "esketamine", "sirolimus", "fluoxetine", "daidzein", "hydrogen_sulfide",
     "serotonin", "glutamate"],
)  # fmt: skip
def test_named_molecules_carry_a_chebi_id(kb: KnowledgeBase, name: str) -> None:
    assert kb.entities[name].chebi


def test_ketamine_path_runs_through_the_glutamate_bdnf_mtorc1_chain(kb: KnowledgeBase) -> None:
    (best,) = paths(kb, "ketamine", "synaptic_protein_synthesis", limit=1)
    nodes = best.nodes
    chain = ["nmdar", "glutamate_burst", "ampar", "bdnf", "ntrk2", "pi3k", "akt", "mtorc1"]
    positions = [nodes.index(n) for n in chain]
    assert positions == sorted(positions), nodes
    assert best.sign.value == "+"
    assert all(step.evidence for step in best.steps)
