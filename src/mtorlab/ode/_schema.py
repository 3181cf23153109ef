"""Pydantic schema of the model as data: compartments, species, parameters, reactions, rules.

Every record validates itself on construction (units, ranges, provenance); cross-record
checks (ids that must resolve, formula symbols) live in ``_load``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from mtorlab.ode._units import check_unit

SBML_ID = r"^[a-z][a-z0-9_]*$"
MECHANISM_ID = r"^m_[a-z0-9_]+$"
_CLAIM = r"((UP|SYN|INF|AUT|NT|BDNF|KET|RAPA|TCM|OTH|FUT)-\d{2}|CX-\d)"
#: One or more claim or tension ids, separated by spaces or commas ("UP-09 CX-6").
CLAIM_IDS = rf"^{_CLAIM}([ ,]+{_CLAIM})*$"
SBO = r"^SBO:\d{7}$"

#: A unit id of ``mtorlab.ode._units.UNITS``.
Unit = Annotated[str, AfterValidator(check_unit)]
CONTEXTS = ("neuron", "glia", "cell_fate", "periphery")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Literature(_Record):
    """A value taken from a named publication (authors, year, journal)."""

    kind: Literal["literature"]
    source: str = Field(min_length=8)
    note: str | None = None


class Review(_Record):
    """A value or direction stated by the review, cited by claim id(s)."""

    kind: Literal["review"]
    claim: str = Field(pattern=CLAIM_IDS)
    note: str | None = None


class Calibrated(_Record):
    """A value chosen to meet a stated target (claim ids or a normalisation)."""

    kind: Literal["calibrated"]
    target: str = Field(min_length=3)
    note: str | None = None


class Assumed(_Record):
    """A value assumed by the modeller, with the reason.

    ``claim`` names the review claim(s) that fix the direction of the effect the value sizes
    (the review gives directions, not numbers).
    """

    kind: Literal["assumed"]
    reason: str = Field(min_length=10)
    claim: str | None = Field(default=None, pattern=CLAIM_IDS)


Provenance = Annotated[Literature | Review | Calibrated | Assumed, Field(discriminator="kind")]


class Compartment(_Record):
    """A place with a context (dimensionless size; levels are normalised)."""

    id: str = Field(pattern=SBML_ID)
    name: str
    context: Literal["neuron", "glia", "cell_fate", "periphery", "phenotype"]
    size: float = 1.0
    sbo: str = Field(default="SBO:0000290", pattern=SBO)


class Species(_Record):
    """A state variable: an activity fraction (0..1) or a normalised level (1 = healthy)."""

    id: str = Field(pattern=SBML_ID)
    name: str
    context: Literal["neuron", "glia", "cell_fate", "periphery", "phenotype"]
    compartment: str = Field(pattern=SBML_ID)
    kind: Literal["activity", "level"]
    initial: float = Field(ge=0)
    unit: Unit = "dimensionless"
    entity: str | None = Field(default=None, pattern=SBML_ID)
    sbo: str = Field(pattern=SBO)
    description: str = Field(min_length=3)

    @model_validator(mode="after")
    def _fraction_bounded(self) -> Species:
        if self.kind == "activity" and self.initial > 1:
            raise ValueError(f"an activity fraction must lie in [0, 1], got {self.initial}")
        return self


#: The species a scenario runs in (``species:``); a parameter or readout may be specific to
#: some, a drug's PK is given per species (``interventions``).
SpeciesName = Literal["mouse", "rat", "human"]


class SpeciesValue(_Record):
    """A parameter's value in one species, where it differs from the default: its own
    value, range (default: the parameter's) and provenance."""

    value: float
    range: tuple[float, float] | None = None
    provenance: Provenance


class Parameter(_Record):
    """A model constant with unit, plausible range and provenance.

    ``by_species`` holds the species whose value differs (e.g. a behavioural test scored
    over another window in rats): a scenario of that species runs with it; every other
    species, and an export without a scenario, uses ``value``.
    """

    id: str = Field(pattern=SBML_ID)
    value: float
    unit: Unit
    range: tuple[float, float]
    role: Literal["rate", "gain", "constant", "input", "condition", "baseline", "phenotype"]
    description: str = Field(min_length=3)
    provenance: Provenance
    baseline_of: str | None = Field(default=None, pattern=SBML_ID)
    sbo: str | None = Field(default=None, pattern=SBO)
    by_species: dict[SpeciesName, SpeciesValue] | None = None

    @model_validator(mode="after")
    def _in_range(self) -> Parameter:
        low, high = self.range
        if low > high:
            raise ValueError(f"range [{low}, {high}] is empty (low > high)")
        if not low <= self.value <= high:
            raise ValueError(f"value {self.value} lies outside its range [{low}, {high}]")
        for sp, v in (self.by_species or {}).items():
            lo, hi = v.range or self.range
            if not lo <= v.value <= hi:
                raise ValueError(f"by_species.{sp}: value {v.value} lies outside [{lo}, {hi}]")
        if self.by_species and self.role not in ("phenotype", "rate", "gain", "constant"):
            raise ValueError(f"by_species: a parameter of role {self.role!r} has one value")
        if (self.role == "baseline") != (self.baseline_of is not None):
            raise ValueError("a parameter has baseline_of exactly when its role is 'baseline'")
        return self


class Reaction(_Record):
    """A rate law, written as an SBML infix formula, with the mechanisms it implements."""

    id: str = Field(pattern=SBML_ID)
    name: str
    equation: str = Field(pattern=r"->")
    rate: str = Field(min_length=1)
    reversible: bool = False
    mechanisms: tuple[Annotated[str, Field(pattern=MECHANISM_ID)], ...] = Field(min_length=1)
    sbo: str = Field(pattern=SBO)
    note: str | None = None

    @field_validator("mechanisms")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("mechanism ids repeat")
        return v


class Assignment(_Record):
    """A derived quantity (an SBML assignment rule), e.g. a phenotype score."""

    id: str = Field(pattern=SBML_ID)
    name: str
    context: Literal["neuron", "glia", "cell_fate", "periphery", "phenotype"]
    formula: str = Field(min_length=1)
    unit: Unit = "dimensionless"
    entity: str | None = Field(default=None, pattern=SBML_ID)
    mechanisms: tuple[Annotated[str, Field(pattern=MECHANISM_ID)], ...] = ()
    sbo: str = Field(pattern=SBO)
    description: str = Field(min_length=3)


class Readout(_Record):
    """A public readout id (PRODUCT.md) and the model quantity that provides it."""

    id: str = Field(pattern=SBML_ID)
    target: str = Field(pattern=SBML_ID)
    scale: str = Field(min_length=1)
    description: str = Field(min_length=3)
    #: Absolute error below which two values of this readout agree (numerical agreement
    #: between engines; default 1e-6). Only for a readout that is a small difference of
    #: order-one quantities, whose absolute accuracy cannot exceed its inputs'.
    abs_floor: float | None = Field(default=None, gt=0, le=1e-3)
    abs_floor_reason: str | None = Field(default=None, min_length=20)
    #: The species whose measurement the readout is (a rodent test, a human rating scale);
    #: ``None``: every species. A scenario of another species cannot report it.
    species: tuple[SpeciesName, ...] | None = None

    @model_validator(mode="after")
    def _floor_has_reason(self) -> Readout:
        if (self.abs_floor is None) != (self.abs_floor_reason is None):
            raise ValueError("abs_floor and abs_floor_reason go together")
        return self


class Condition(_Record):
    """A field of a scenario's ``condition:`` block and the input parameters it sets.

    ``type: intensity`` (0..1) and ``type: flag`` (bool) set each parameter in ``sets`` to
    the condition's value (``true`` = 1); ``type: choice`` sets the parameters listed for
    the chosen level.
    """

    id: str = Field(pattern=SBML_ID)
    type: Literal["intensity", "flag", "choice"]
    description: str = Field(min_length=3)
    sets: tuple[str, ...] = ()
    levels: dict[str, dict[str, float]] = Field(default_factory=dict)
    default: float | bool | str
    provenance: Provenance

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if self.type == "choice":
            if not self.levels or self.sets:
                raise ValueError("a choice condition lists `levels` (and no `sets`)")
            if self.default not in self.levels:
                raise ValueError(f"default {self.default!r} is not one of the levels")
        elif not self.sets or self.levels:
            raise ValueError(f"an {self.type} condition lists `sets` (and no `levels`)")
        return self
