"""Schema of a claim check: arms (scenarios), dose series, and assertions on their readouts."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mtorlab.claims._assertions import Assertion

CLAIM_ID = r"^(UP|SYN|INF|AUT|NT|BDNF|KET|RAPA|TCM|OTH|FUT)-\d{2}$|^CX-\d$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Series(_Record):
    """A dose series: arms ``{prefix}_{value}`` copied from ``base`` with one dose changed."""

    base: str
    intervention: int = Field(default=0, ge=0, description="index in the base's interventions")
    values: tuple[float, ...] = Field(min_length=2)
    unit: str
    prefix: str

    def arm_names(self) -> list[str]:
        """The generated arm names, in dose order."""
        return [f"{self.prefix}_{v:g}" for v in self.values]


class Check(_Record):
    """One executable check of one or more claims of the review.

    ``arms`` are scenarios (the scenario file format, as mappings); an arm may say
    ``base: other_arm`` to start from a copy of that arm, then ``add`` interventions to it
    or override fields. ``reading`` says in words which readout, time and comparison
    stand for the claim's statement, and why the tolerances are what they are.
    """

    id: str = Field(pattern=CLAIM_ID)
    claims: tuple[str, ...] = Field(min_length=1)
    statement: str = Field(min_length=5)
    reading: str = Field(min_length=10)
    split: Literal["training", "held_out"]
    arms: dict[str, dict[str, Any]] = Field(min_length=1)
    series: tuple[Series, ...] = ()
    assertions: tuple[Assertion, ...] = Field(min_length=1)
    xfail: str | None = None
    drugs: tuple[dict[str, Any], ...] = ()  # library entries its arms may use (new drugs)
    #: model extensions every arm runs with (``mtorlab claims --extension``), after an arm's own
    extensions: tuple[dict[str, Any], ...] = ()

    @model_validator(mode="after")
    def _arms_resolve(self) -> Check:
        names = set(self.arms) | {a for s in self.series for a in s.arm_names()}
        for name, spec in self.arms.items():
            if "base" in spec and spec["base"] not in self.arms:
                raise ValueError(f"arm {name!r}: base {spec['base']!r} is not an arm")
        for s in self.series:
            if s.base not in self.arms:
                raise ValueError(f"series {s.prefix!r}: base {s.base!r} is not an arm")
        for a in self.assertions:
            used = {a.arm} if hasattr(a, "arm") else set()
            for key in ("vs", "baseline", "vs_baseline"):
                if getattr(a, key, None):
                    used.add(getattr(a, key))
            used |= set(getattr(a, "arms", ()))
            missing = used - names
            if missing:
                raise ValueError(f"assertion uses unknown arms {sorted(missing)}")
        return self

    def scenarios(self) -> dict[str, dict[str, Any]]:
        """Every arm as a full scenario mapping (bases resolved, series expanded)."""
        out: dict[str, dict[str, Any]] = {}

        def resolve(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
            if name in out:
                return out[name]
            if name in seen:
                raise ValueError(f"arm {name!r} is its own base")
            spec = copy.deepcopy(self.arms[name])
            base = spec.pop("base", None)
            add = spec.pop("add", [])
            full = copy.deepcopy(resolve(base, (*seen, name))) if base else {}
            full.update(spec)
            full["interventions"] = list(full.get("interventions", [])) + list(add)
            full["name"] = spec.get("name", f"{self.id}:{name}")
            out[name] = full
            return full

        for name in self.arms:
            resolve(name)
        for s in self.series:
            for value, arm in zip(s.values, s.arm_names(), strict=True):
                sc = copy.deepcopy(out[s.base])
                sc["interventions"][s.intervention]["dose"] = f"{value:g} {s.unit}"
                sc["name"] = f"{self.id}:{arm}"
                out[arm] = sc
        if self.drugs:  # the drugs each arm uses, as its own drugs: block
            from mtorlab.scenario import with_drugs

            out = {name: with_drugs(sc, self.drugs) for name, sc in out.items()}
        if self.extensions:
            for sc in out.values():
                sc["extensions"] = [*(sc.get("extensions") or []), *self.extensions]
        return out
