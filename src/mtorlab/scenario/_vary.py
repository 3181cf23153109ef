"""Sweeps: ``--vary esketamine.dose=0.1,0.5mg/kg`` or ``--vary condition.chronic_stress=0,1``."""

from __future__ import annotations

import re
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
