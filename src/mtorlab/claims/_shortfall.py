"""How far a failed assertion is from passing, as a non-negative number (0 = passes).

Calibration needs a continuous loss; a pass/fail verdict gives none. Each assertion type's
shortfall is measured in its own natural unit (a relative change, a ratio, a fraction of
a time window) so that residuals of different checks are of comparable size.
"""

from __future__ import annotations

from typing import Any

from mtorlab.claims._assertions import Outcome


def _outside(x: float, low: float, high: float | None) -> float:
    if x < low:
        return low - x
    if high is not None and x > high:
        return x - high
    return 0.0


def shortfall(assertion: Any, outcome: Outcome) -> float:
    """Distance of ``outcome`` from passing ``assertion`` (0 when it passes)."""
    if outcome.passed:
        return 0.0
    x = outcome.measured
    kind = assertion.type
    if kind in ("increases", "decreases"):
        signed = x if kind == "increases" else -x
        return _outside(signed, assertion.min_relative, assertion.max_relative)
    if kind in ("ratio_between", "change_between"):
        return _outside(x, assertion.low, assertion.high)
    if kind == "peaks_within":
        width = max(assertion.end - assertion.start, 1.0)
        return _outside(x, assertion.start, assertion.end) / width
    if kind == "returns_to_baseline_within":
        return max(0.0, x - assertion.tolerance)
    if kind == "longer_than":
        return max(0.0, assertion.low - x) / assertion.low
    if kind == "duration_between":
        return _outside(x, assertion.low, assertion.high) / max(assertion.low, 1.0)
    if kind == "window":
        return max(0.0, assertion.above - x) if x == x else 1.0  # NaN: no dose inside
    return 1.0  # biphasic and anything without a natural distance: a unit penalty
