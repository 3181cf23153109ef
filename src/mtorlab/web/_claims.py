"""Claims endpoints: the review's claims with their evidence, and the checks that test them."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path

from mtorlab._api import knowledge_base
from mtorlab.web._errors import ApiError

if TYPE_CHECKING:
    from mtorlab.claims._schema import Check

router = APIRouter(prefix="/api/claims", tags=["claims"])


@lru_cache(maxsize=1)
def _checks() -> dict[str, Check]:
    """The package's claim checks; none while its claims file does not exist yet."""
    from mtorlab.claims._runner import default_checks_path, load_checks

    if not default_checks_path().is_file():
        return {}
    return load_checks()


def _check_dict(c: Check) -> dict[str, Any]:
    """A check as JSON. ``result`` is what the suite holds it to: ``pass``, or ``xfail`` (an
    expected failure with its recorded reason); the test suite runs every check and fails
    when one turns out otherwise, so the column cannot drift from the model."""
    return {
        "id": c.id,
        "result": "xfail" if c.xfail else "pass",
        "claims": list(c.claims),
        "statement": c.statement,
        "reading": c.reading,
        "split": c.split,
        "xfail": c.xfail,
        "arms": list(c.arms) + [a for s in c.series for a in s.arm_names()],
    }


@router.get("")
def claims() -> dict[str, Any]:
    """Every claim of the review (text, Chinese quotes, supporting mechanisms, tensions) and
    every executable check (empty until the claims file exists)."""
    kb = knowledge_base()
    checks = _checks()
    rows = []
    for c in kb.claims.values():
        d = c.model_dump(mode="json", exclude_none=True)
        d["mechanisms"] = [m.id for m in kb.mechanisms_for_claim(c.id)]
        d["tensions"] = [t.id for t in kb.tensions.values() if c.id in t.claims]
        d["checks"] = [k.id for k in checks.values() if c.id in k.claims]
        rows.append(d)
    return {"claims": rows, "checks": [_check_dict(k) for k in checks.values()]}


@router.get("/checks/{check_id}/scenarios")
def check_scenarios(check_id: Annotated[str, Path(max_length=20)]) -> dict[str, Any]:
    """The arms of a check as scenarios, to run and plot them (``POST /api/jobs``)."""
    check = _checks().get(check_id)
    if check is None:
        raise ApiError(404, f"unknown check {check_id!r}", "check_id")
    return {"check": _check_dict(check), "scenarios": check.scenarios()}
