"""Pydantic schema of a scenario file (PRODUCT.md, "Public contract")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from mtorlab.ode._schema import SpeciesName
from mtorlab.scenario._quantity import Quantity, parse_quantity

ID = r"^[a-z][a-z0-9_]*$"
#: Most report times one scenario may ask for (a 1-ns step over a day would be 86e12).
MAX_POINTS = 1_000_000


def grid_points(duration_h: float, step_h: float) -> int:
    """Report times of a grid over ``duration_h`` at ``step_h`` (capped at the duration),
    both ends included, at least 2."""
    return max(round(duration_h / min(step_h, duration_h)) + 1, 2)


Time = Annotated[Quantity, BeforeValidator(lambda v: parse_quantity(v, "time"))]
Dose = Annotated[Quantity, BeforeValidator(lambda v: parse_quantity(v, "dose"))]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ConditionBlock(_Record):
    """The state the animal or patient is in (defaults: healthy)."""

    chronic_stress: float = Field(default=0.0, ge=0.0, le=1.0)
    inflammation: float = Field(default=0.0, ge=0.0, le=1.0)
    high_fat_diet: bool = False
    bdnf_genotype: Literal["val/val", "val/met", "met/met", "bdnf_het"] = "val/val"
    oxidative_stress: float = Field(default=0.0, ge=0.0, le=1.0)
    tbi: bool = False

    def as_inputs(self) -> dict[str, Any]:
        """The block as the model's condition mapping (field → value)."""
        return self.model_dump()


class Schedule(_Record):
    """Repeated dosing: ``count`` doses every ``every`` from ``start``."""

    start: Time
    every: Time
    count: int = Field(ge=1, le=10_000)

    @field_validator("every")
    @classmethod
    def _positive_every(cls, v: Quantity) -> Quantity:
        if v.value <= 0:
            raise ValueError(f"every must be longer than zero, got {v}")
        return v

    @field_validator("start")
    @classmethod
    def _start(cls, v: Quantity) -> Quantity:
        if v.value < 0:
            raise ValueError(f"start must not be negative, got {v}")
        return v

    def times(self) -> list[float]:
        """Dose times in hours."""
        return [self.start.value + i * self.every.value for i in range(self.count)]


class Intervention(_Record):
    """One drug or non-drug intervention with its dose and timing."""

    drug: str | None = Field(default=None, pattern=ID)
    intervention: str | None = Field(default=None, pattern=ID)
    dose: Dose
    route: Literal["iv", "ip", "po", "intranasal", "icv", "sc", "im"] | None = None
    at: Time | None = None
    over: Time | None = None
    schedule: Schedule | None = None
    formulation: str | None = Field(default=None, pattern=ID)

    @model_validator(mode="after")
    def _shape(self) -> Intervention:
        if (self.drug is None) == (self.intervention is None):
            raise ValueError("give exactly one of `drug:` or `intervention:`")
        if (self.at is None) == (self.schedule is None):
            raise ValueError("give exactly one of `at:` (single dose) or `schedule:` (repeated)")
        return self

    @field_validator("at")
    @classmethod
    def _at(cls, v: Quantity | None) -> Quantity | None:
        if v is not None and v.value < 0:
            raise ValueError(f"at must not be negative, got {v}")
        return v

    @field_validator("over")
    @classmethod
    def _over(cls, v: Quantity | None) -> Quantity | None:
        if v is not None and v.value <= 0:
            raise ValueError(f"over must be longer than zero, got {v}")
        return v

    @field_validator("dose")
    @classmethod
    def _positive_dose(cls, v: Quantity) -> Quantity:
        if v.value <= 0:
            raise ValueError(f"dose must be positive, got {v}")
        return v

    @property
    def name(self) -> str:
        """The drug or intervention id."""
        return self.drug or self.intervention or ""

    def dose_times(self) -> list[float]:
        """Hours of every dose: the schedule's, or the single ``at`` (exactly one is set)."""
        return self.schedule.times() if self.schedule is not None else [self.at.value]  # type: ignore[union-attr]


class Scenario(_Record):
    """A user's scenario: species, condition, interventions, duration, outputs.

    ``drugs`` holds intervention-library entries (the library's schema) that the scenario
    brings with it, so a scenario with a new drug stays self-contained; ``extensions``
    holds model extensions (species, parameters, reactions, mechanisms: see
    :mod:`mtorlab.scenario._extension`), as content once resolved. ``nonspecific``
    (``placebo`` or ``natural_course``, human only) adds the readout ``madrs_expected``,
    the patient's expected rating in a trial arm (:mod:`mtorlab.scenario._nonspecific`).
    Fields take the scenario file's text (``"28 d"``, ``"0.5 mg/kg"``) or parsed values; a
    bad one raises :class:`~mtorlab.errors.DataFileError` naming the field.

    Examples
    --------
    >>> import mtorlab as mt
    >>> sc = mt.Scenario(
    ...     name="ketamine in a stressed rat", species="rat", duration="2 d",
    ...     condition={"chronic_stress": 0.8},
    ...     interventions=[mt.Intervention(drug="ketamine", dose="10 mg/kg", route="ip",
    ...                                    at="1 h")],
    ... )
    >>> sc.interventions[0].dose.value, sc.duration_h
    (10.0, 48.0)
    """

    name: str = Field(min_length=1)
    species: SpeciesName
    duration: Time
    condition: ConditionBlock = ConditionBlock()
    interventions: tuple[Intervention, ...] = ()
    outputs: tuple[str, ...] | None = None
    output_step: Time | None = None
    description: str | None = None
    drugs: tuple[dict[str, Any], ...] = ()
    extensions: tuple[Any, ...] = ()
    nonspecific: Literal["placebo", "natural_course"] | None = None

    def __init__(self, **data: Any) -> None:
        """A bad field raises the one-line DataFileError of a scenario file, naming the
        field (pydantic validates through here, so ``model_validate`` raises it too)."""
        from pydantic import ValidationError

        try:
            super().__init__(**data)
        except ValidationError as exc:
            from mtorlab.scenario._load import validation_error

            raise validation_error(exc, "Scenario(...)") from None

    @field_validator("name")
    @classmethod
    def _printable_name(cls, v: str) -> str:
        bad = next((c for c in v if ord(c) < 32 or 127 <= ord(c) < 160), None)
        if bad is not None:
            raise ValueError(f"the name holds a control character ({ord(bad):#04x}); use text")
        if len(v) > 200:
            raise ValueError(f"the name is {len(v)} characters long; at most 200")
        return v

    @field_validator("nonspecific")
    @classmethod
    def _human_nonspecific(cls, v: str | None, info: ValidationInfo) -> str | None:
        species = info.data.get("species")
        if v is not None and species is not None and species != "human":
            raise ValueError(
                f"the clinical layer's {v.replace('_', ' ')} course is a rating of patients "
                f"in trials; species is {species}, use human"
            )
        return v

    @field_validator("duration")
    @classmethod
    def _duration(cls, v: Quantity) -> Quantity:
        if not 0 < v.value <= 24 * 365 * 5:
            raise ValueError(f"duration must lie between 0 and 5 years, got {v}")
        return v

    @field_validator("output_step")
    @classmethod
    def _step(cls, v: Quantity | None, info: ValidationInfo) -> Quantity | None:
        if v is not None and v.value <= 0:
            raise ValueError(f"output_step must be longer than zero, got {v}")
        duration = info.data.get("duration")
        if v is not None and duration is not None:
            points = grid_points(duration.value, v.value)
            if points > MAX_POINTS:
                raise ValueError(
                    f"output_step {v} gives {points:,} time points over {duration}; at most "
                    f"{MAX_POINTS:,} (a step of at least "
                    f"{duration.value / (MAX_POINTS - 1) * 3600:.3g} s)"
                )
        return v

    @field_validator("outputs")
    @classmethod
    def _distinct_outputs(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None:
            seen: set[str] = set()
            for name in v:
                if name in seen:
                    raise ValueError(f"{name!r} is listed twice; list each readout once")
                seen.add(name)
        return v

    @property
    def duration_h(self) -> float:
        """Duration in hours."""
        return self.duration.value

    def step_h(self) -> float:
        """Output spacing in hours (default: 0.1 h up to two days, 1 h beyond)."""
        if self.output_step is not None:
            return min(self.output_step.value, self.duration_h)
        return 0.1 if self.duration_h <= 48 else 1.0

    def n_points(self) -> int:
        """Report times on the output grid, both ends included (at least 2)."""
        return grid_points(self.duration_h, self.step_h())
