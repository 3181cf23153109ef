"""Pydantic schema of a validation dataset (``data/FORMAT.md`` explains each field)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from mtorlab.claims._assertions import hours

Level = Literal["pk", "signalling", "synapse", "circuit", "stress", "bdnf", "clinical"]
LEVELS = get_args(Level)
Transform = Literal[
    "value",
    "fold_change",
    "percent_change",
    "difference",
    "change_from_baseline",
    "percent_change_from_baseline",
]
RELATIVE = ("fold_change", "percent_change", "difference")

Hours = Annotated[float, BeforeValidator(lambda v: hours(v) if isinstance(v, str) else v)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Citation(_Record):
    """A published source, as verified (``verified`` says how)."""

    authors: str = Field(min_length=3)
    year: int = Field(ge=1950, le=2030)
    title: str = Field(min_length=5)
    journal: str = Field(min_length=3)
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    pmid: str | None = Field(default=None, pattern=r"^\d{5,9}$")
    verified: str = Field(min_length=10)

    def short(self) -> str:
        """``First author et al. year, journal``."""
        first = self.authors.split(",")[0].strip()
        return f"{first} et al. {self.year}, {self.journal}"


class Observable(_Record):
    """What is compared: a model readout, transformed as the paper reports it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    readout: str = Field(min_length=1)
    transform: Transform = "value"
    reference: str | None = None
    unit: str = Field(min_length=1)

    @model_validator(mode="after")
    def _reference(self) -> Observable:
        if self.transform in RELATIVE and self.reference is None:
            raise ValueError(f"transform {self.transform!r} needs `reference:` (a condition id)")
        if self.transform not in RELATIVE and self.reference is not None:
            raise ValueError(f"transform {self.transform!r} takes no `reference:`")
        return self

    @property
    def neutral(self) -> float:
        """The transformed value that means "no change" (1 for a fold change, else 0)."""
        return 1.0 if self.transform == "fold_change" else 0.0


class Measurement(_Record):
    """One PEtab measurement row: condition, time (after ``time_offset``), value, noise.

    A paper that reports only the direction of a significant change (an abstract's
    "increased", no number) gives ``direction`` instead of ``measurement``: such a finding
    is judged by sign and shape rules only, never by a made-up magnitude.
    """

    condition: str
    time: Hours = Field(ge=0)
    measurement: float | None = None
    direction: Literal["increase", "decrease", "no_change"] | None = None
    noise: float | None = Field(default=None, gt=0)
    noise_kind: Literal["sd", "sem", "se"] | None = None
    n: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _noise(self) -> Measurement:
        if (self.measurement is None) == (self.direction is None):
            raise ValueError("give exactly one of `measurement` (a number) or `direction`")
        if (self.noise is None) != (self.noise_kind is None):
            raise ValueError("give `noise` and `noise_kind` together (sd, sem or se)")
        if self.direction is not None and self.noise is not None:
            raise ValueError("a direction-only finding has no `noise`")
        return self

    @property
    def sign(self) -> float:
        """+1, -1 or 0 for a direction-only finding (NaN for a number)."""
        return {"increase": 1.0, "decrease": -1.0, "no_change": 0.0}.get(
            self.direction or "", math.nan
        )


class WithinFold(_Record):
    rule: Literal["within_fold"]
    k: float = Field(gt=1)


class WithinNoise(_Record):
    rule: Literal["within_noise"]
    k: float = Field(gt=0)


class Band(_Record):
    rule: Literal["band"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Band:
        if not self.low < self.high:
            raise ValueError(f"band low ({self.low}) must be below high ({self.high})")
        return self


class SameSign(_Record):
    """The simulated change has the finding's sign, and at least ``min_fraction`` of a
    measured change or at least ``min_change`` (in the observable's unit) in size."""

    rule: Literal["same_sign"]
    min_fraction: float = Field(default=0.0, ge=0, le=1)
    min_change: float = Field(default=0.0, ge=0)


class PeakWindow(_Record):
    rule: Literal["peak_window"]
    from_: Hours = Field(alias="from", ge=0)
    to: Hours = Field(gt=0)
    condition: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ReturnsBy(_Record):
    rule: Literal["returns_by"]
    time: Hours = Field(gt=0)
    fraction: float = Field(gt=0, lt=1)
    condition: str | None = None


class Ordering(_Record):
    rule: Literal["ordering"]
    order: tuple[str, ...] = Field(min_length=2)


Rule = Annotated[
    WithinFold | WithinNoise | Band | SameSign | PeakWindow | ReturnsBy | Ordering,
    Field(discriminator="rule"),
]


def _as_list(v: Any) -> Any:
    return [v] if isinstance(v, dict) else v


class Dataset(_Record):
    """A published quantitative finding, its protocol as scenarios, and a pass rule."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    level: Level
    title: str = Field(min_length=5)
    citation: Citation
    source: str = Field(min_length=5)
    species: Literal["mouse", "rat", "human"]
    strain: str | None = None
    protocol: str = Field(min_length=5)
    time_offset: Hours = Field(default=0.0, ge=0)
    conditions: dict[str, dict[str, Any]] = Field(min_length=1)
    observable: Observable
    measurements: tuple[Measurement, ...] = Field(min_length=1)
    tolerance: Annotated[tuple[Rule, ...], BeforeValidator(_as_list)] = Field(min_length=1)
    expected_failure: str | None = Field(default=None, pattern=r"^LIM-\d+$")
    #: False for a training dataset whose measurement holds a component the model does not
    #: have (a trial's placebo response): calibration leaves it out, and ``fit_note`` says why.
    fit: bool = True
    fit_note: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Dataset:
        conds = set(self.conditions)
        obs = self.observable
        if obs.reference is not None and obs.reference not in conds:
            raise ValueError(
                f"observable.reference {obs.reference!r} is not one of {sorted(conds)}"
            )
        for i, m in enumerate(self.measurements):
            if m.condition not in conds:
                raise ValueError(
                    f"measurements[{i}].condition {m.condition!r} is not one of {sorted(conds)}"
                )
        for rule in self.tolerance:
            named = getattr(rule, "order", None) or (getattr(rule, "condition", None),)
            for c in named:
                if c is not None and c not in conds:
                    raise ValueError(f"tolerance names condition {c!r}, not one of {sorted(conds)}")
            if isinstance(rule, WithinNoise) and any(m.noise is None for m in self.measurements):
                raise ValueError("rule within_noise needs `noise` on every measurement")
            numeric = isinstance(rule, WithinNoise | WithinFold)
            if numeric and any(m.measurement is None for m in self.measurements):
                raise ValueError(f"rule {rule.rule} needs a number on every measurement")
            if isinstance(rule, SameSign | PeakWindow | ReturnsBy) and obs.transform == "value":
                raise ValueError(f"rule {rule.rule} needs a change (transform other than value)")
        if not self.fit and not self.fit_note:
            raise ValueError("a dataset left out of calibration (fit: false) says why in fit_note")
        for cid, sc in self.conditions.items():
            if sc.get("species", self.species) != self.species:
                raise ValueError(f"conditions.{cid}.species differs from the dataset's species")
        return self

    def measured_conditions(self) -> list[str]:
        """Conditions with at least one measurement, in first-measured order."""
        return list(dict.fromkeys(m.condition for m in self.measurements))

    def is_trial(self, condition: str) -> bool:
        """Whether a condition is a virtual trial (``{trial: {design}, arm: ARM}``) rather
        than a scenario; its observables are the trial's endpoints (``mtorlab.clinical``)."""
        return "trial" in self.conditions[condition]

    def scenario(self, condition: str) -> dict[str, Any]:
        """The scenario mapping of one condition (name and species filled in); a trial
        condition is returned as written."""
        if self.is_trial(condition):
            return dict(self.conditions[condition])
        sc = dict(self.conditions[condition])
        sc.setdefault("species", self.species)
        sc["name"] = f"{self.id.lower()}-{condition}".replace("_", "-")
        sc["outputs"] = [self.observable.readout]
        return sc
