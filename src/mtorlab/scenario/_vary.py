"""Sweeps: ``--vary esketamine.dose=0.1,0.5mg/kg`` or ``--vary condition.chronic_stress=0,1``."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from mtorlab.errors import MtorlabError, validation_message
from mtorlab.scenario._quantity import parse_quantity
from mtorlab.scenario._schema import Scenario

_SPEC = re.compile(r"^\s*([a-z][a-z0-9_]*)\.([a-z_]+)\s*=\s*(.+)$")
_UNIT_TAIL = re.compile(r"^\s*([-+0-9.eE]+)\s*([^\d\s].*)?$")
_DRUG_FIELDS = ("dose",)


@dataclass(frozen=True)
class Sweep:
    """One parameter of a scenario varied over values (texts as given, with units)."""

    target: str
    field: str
    values: tuple[str, ...]

    @property
    def label(self) -> str:
        """e.g. ``esketamine.dose``."""
        return f"{self.target}.{self.field}"


def parse_vary(spec: str) -> Sweep:
    """Parse ``NAME.FIELD=v1,v2,...[unit]``; a unit on the last value applies to all."""
    m = _SPEC.match(spec)
    if not m:
        raise MtorlabError(
            f"--vary {spec!r}: write NAME.FIELD=V1,V2,... e.g. esketamine.dose=0.1,0.5,1mg/kg "
            "or condition.chronic_stress=0,0.5,1"
        )
    target, fld, raw = m.groups()
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) < 2:
        raise MtorlabError(f"--vary {spec!r}: give at least two values")
    tail = _UNIT_TAIL.match(parts[-1])
    unit = (tail.group(2) or "").strip() if tail else ""
    values = []
    for p in parts:
        t = _UNIT_TAIL.match(p)
        if t is None:
            raise MtorlabError(f"--vary {spec!r}: {p!r} is not a number (with an optional unit)")
        own = (t.group(2) or "").strip() or unit
        values.append(f"{t.group(1)} {own}".strip())
    return Sweep(target, fld, tuple(values))


def apply_sweep(scenario: Scenario, sweep: Sweep, value: str) -> Scenario:
    """A copy of ``scenario`` with the swept field set to ``value``."""
    if sweep.target == "condition":
        cond = scenario.condition
        if sweep.field not in type(cond).model_fields:
            known = ", ".join(type(cond).model_fields)
            raise MtorlabError(f"--vary condition.{sweep.field}: not a condition; known: {known}")
        raw: object = float(value) if sweep.field not in ("bdnf_genotype",) else value
        data = {**cond.model_dump(), sweep.field: raw}
        try:
            block = type(cond).model_validate(data)
        except ValidationError as exc:
            _, msg = validation_message(exc)
            raise MtorlabError(f"--vary condition.{sweep.field}={value}: {msg}") from None
        return scenario.model_copy(update={"condition": block})
    if sweep.field not in _DRUG_FIELDS:
        raise MtorlabError(f"--vary {sweep.label}: only {', '.join(_DRUG_FIELDS)} can be varied")
    hits = [i for i, iv in enumerate(scenario.interventions) if iv.name == sweep.target]
    if not hits:
        given = ", ".join(sorted({iv.name for iv in scenario.interventions})) or "(none)"
        raise MtorlabError(
            f"--vary {sweep.label}: {sweep.target!r} is not among the scenario's interventions "
            f"({given})"
        )
    try:
        dose = parse_quantity(value, "dose")
    except ValueError as exc:
        raise MtorlabError(f"--vary {sweep.label}: {exc}") from None
    ivs = list(scenario.interventions)
    for i in hits:
        ivs[i] = ivs[i].model_copy(update={"dose": dose})
    return scenario.model_copy(
        update={"interventions": tuple(ivs), "name": f"{scenario.name} [{sweep.label}={value}]"}
    )


#: What ``--vary`` reports per readout and value: ``both`` (the default: the largest rise and
#: the largest fall, so that a biphasic response shows both phases), ``peak`` (the largest
#: excursion either way), ``trough`` (the largest fall), ``auc`` (the area under the change
#: curve) and ``at`` (the value at ``--at``).
METRICS = ("both", "peak", "trough", "auc", "at")
#: A response is called biphasic when its smaller phase is at least this fraction of the larger.
BIPHASIC_FRACTION = 0.1


def is_dose(sweep: Sweep) -> bool:
    """Whether the sweep varies a drug's dose (not a condition)."""
    return sweep.target != "condition"


def dose_axis(sweep: Sweep) -> tuple[list[float], str]:
    """The swept values as numbers on one axis, and its unit (``mg/kg``; empty for a
    condition); a dose sweep whose values are of different kinds is refused."""
    if not is_dose(sweep):
        return [float(v) for v in sweep.values], ""
    doses = []
    for v in sweep.values:
        try:
            doses.append(parse_quantity(v, "dose"))
        except ValueError as exc:
            raise MtorlabError(f"--vary {sweep.label}: {exc}") from None
    units = sorted({q.unit for q in doses})
    if len(units) > 1:
        raise MtorlabError(
            f"--vary {sweep.label}: give every dose in one kind of unit (got {', '.join(units)})"
        )
    return [q.value for q in doses], units[0]


def without_zero(sweep: Sweep) -> Sweep:
    """A dose sweep without its zero doses (the vehicle arm stands for dose 0)."""
    if not is_dose(sweep):
        return sweep
    kept = tuple(v for v in sweep.values if not _zero(v))
    if len(kept) < 1:
        raise MtorlabError(f"--vary {sweep.label}: give at least one dose above 0")
    return Sweep(sweep.target, sweep.field, kept)


def _zero(value: str) -> bool:
    m = _UNIT_TAIL.match(value)
    return m is not None and float(m.group(1)) == 0.0


def vehicle(scenario: Scenario, sweep: Sweep) -> Scenario:
    """The vehicle arm of a dose sweep: the scenario without the swept drug (dose 0), with
    the drug's own readouts (``conc_plasma:<drug>`` …) left out of its outputs."""
    ivs = tuple(iv for iv in scenario.interventions if iv.name != sweep.target)
    given = {iv.name for iv in ivs}
    outputs = scenario.outputs
    if outputs is not None:
        outputs = tuple(o for o in outputs if ":" not in o or o.split(":", 1)[1] in given)
    name = f"{scenario.name} [vehicle: no {sweep.target}]"
    return scenario.model_copy(
        update={"interventions": ivs, "outputs": outputs or None, "name": name}
    )


def excursions(
    times_h: Sequence[float],
    change: Sequence[float],
    until_h: float | None = None,
    tol: float = 0.0,
) -> dict[str, float]:
    """Of a change curve (a readout minus its reference): the largest rise and fall with
    their times, the peak (the larger of the two in size, with its sign), the area under the
    curve (trapezoids, in the readout's unit x h) and whether the response is biphasic (the
    smaller phase at least ``BIPHASIC_FRACTION`` of the larger); up to ``until_h`` if given.
    Changes within ``tol`` of 0 (solver noise) count as none."""
    import numpy as np

    t = np.asarray(times_h, dtype=float)
    c = np.asarray(change, dtype=float)
    c = np.where(np.abs(c) <= tol, 0.0, c)
    if until_h is not None:
        keep = t <= until_h + 1e-9
        t, c = t[keep], c[keep]
    i_rise, i_fall = int(np.nanargmax(c)), int(np.nanargmin(c))
    rise, fall = max(float(c[i_rise]), 0.0), min(float(c[i_fall]), 0.0)
    big, small = (rise, -fall) if rise >= -fall else (-fall, rise)
    peak, peak_h = (rise, t[i_rise]) if rise >= -fall else (fall, t[i_fall])
    return {
        "rise": rise,
        "rise_h": float(t[i_rise]) if rise > 0 else math.nan,
        "fall": fall,
        "fall_h": float(t[i_fall]) if fall < 0 else math.nan,
        "peak": peak,
        "peak_h": float(peak_h) if peak != 0 else math.nan,
        "auc": float(np.trapezoid(c, t)) if len(t) > 1 else 0.0,
        "biphasic": float(big > 0 and small >= BIPHASIC_FRACTION * big),
    }
