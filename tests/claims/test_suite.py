"""The claims suite itself: every check of the packaged checks.yaml, one test each.

A check marked ``xfail:`` fails for a recorded reason (a tension CX-n of the knowledge base,
or a ``kb:<id>`` record with a note); it is expected to fail, and strictly so: if the model
starts passing it, the xfail must be removed.
"""

from __future__ import annotations

import pytest

import mtorlab as mt
from mtorlab.claims._evidence import xfail_grounds
from mtorlab.claims._runner import CachedSimulator, load_checks, run_check
from mtorlab.claims._simulate import simulate_mapping

CHECKS = load_checks()


def _param(check_id: str) -> object:
    check = CHECKS[check_id]
    marks = [pytest.mark.xfail(strict=True, reason=check.xfail)] if check.xfail else []
    return pytest.param(check_id, id=check_id, marks=marks)


@pytest.fixture(scope="module")
def simulator() -> CachedSimulator:
    """One cache for the module: arms shared between checks are simulated once."""
    return CachedSimulator(simulate_mapping)


@pytest.mark.parametrize("check_id", [_param(c) for c in CHECKS])
def test_check_passes(check_id: str, simulator: CachedSimulator) -> None:
    result = run_check(CHECKS[check_id], simulator)
    failed = [
        f"{o.expected}: measured {o.measured:+.4g} ({o.detail})"
        for o in result.outcomes
        if not o.passed
    ]
    assert result.error is None, result.error
    assert result.passed, "\n".join(failed)


def test_every_testable_claim_and_every_tension_has_a_check() -> None:
    kb = mt.knowledge_base()
    testable = {c.id for c in kb.claims.values() if c.testable}
    assert len(testable) == 46
    covered = {cl for c in CHECKS.values() for cl in c.claims}
    assert testable - covered == set()
    assert set(kb.tensions) <= set(CHECKS)
    assert {c.id for c in CHECKS.values() if not c.id.startswith("CX-")} == testable


def test_checks_name_only_known_claims() -> None:
    kb = mt.knowledge_base()
    known = set(kb.claims) | set(kb.tensions)
    assert {cl for c in CHECKS.values() for cl in c.claims} <= known


def test_split_holds_out_at_least_a_third() -> None:
    held = [c for c in CHECKS.values() if c.split == "held_out"]
    assert len(held) >= len(CHECKS) / 3
    assert len(CHECKS) - len(held) >= 0.55 * len(CHECKS)


def test_every_xfail_names_a_recorded_limitation() -> None:
    kb = mt.knowledge_base()
    for check in CHECKS.values():
        if check.xfail:
            assert xfail_grounds(check.xfail, kb), (
                f"{check.id}: xfail reason names no tension (CX-n) or kb:<id> record with a note"
            )


def test_xfail_grounds_reject_unrecorded_reasons() -> None:
    kb = mt.knowledge_base()
    assert xfail_grounds("CX-3 is open", kb) == ["CX-3"]
    assert xfail_grounds("not calibrated yet", kb) == []
    assert xfail_grounds("CX-9 does not exist", kb) == []
    assert xfail_grounds("see kb:m_mapk_rheb", kb) == ["kb:m_mapk_rheb"]
    assert xfail_grounds("see kb:m_no_such_mechanism", kb) == []
