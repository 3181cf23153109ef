"""Schema of the intervention library: drugs and non-drug interventions as data.

A drug is pharmacokinetics per species (compartments, routes, formulations) plus targets:
model input parameters it drives, each through a Hill function of a concentration.
A non-drug intervention (exercise, DBS) or a herbal formula without known PK has an
``effect_compartment`` instead: each session or dose raises an effect level that decays
with a stated half-life. Every number is a :class:`Quantity` with unit, plausible range
and provenance, the same provenance types as the model's parameters.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mtorlab.ode._schema import Provenance

ID = r"^[a-z][a-z0-9_]*$"
MECHANISM_ID = r"^m_[a-z0-9_]+$"
Route = Literal["iv", "ip", "po", "intranasal", "icv", "sc", "im"]
Species = Literal["mouse", "rat", "human"]
ROUTES: tuple[str, ...] = Route.__args__  # type: ignore[attr-defined]
SPECIES: tuple[str, ...] = Species.__args__  # type: ignore[attr-defined]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Quantity(_Record):
    """A number with a pint unit, a plausible range and where it comes from."""

    value: float
    unit: str = Field(min_length=1)
    range: tuple[float, float]
    provenance: Provenance

    @field_validator("unit")
    @classmethod
    def _pint_unit(cls, v: str) -> str:
        from mtorlab.units import parse_units

        try:
            parse_units(v)
        except Exception as exc:  # pint raises several error types for a bad unit
            raise ValueError(f"unit {v!r} is not a unit pint understands ({exc})") from None
        return v

    @model_validator(mode="after")
    def _in_range(self) -> Quantity:
        low, high = self.range
        if not low <= self.value <= high:
            raise ValueError(f"value {self.value} lies outside its range [{low}, {high}]")
        return self

    def to(self, unit: str) -> float:
        """The value converted to ``unit``."""
        from mtorlab.units import registry

        return float(registry().Quantity(self.value, self.unit).to(unit).magnitude)


class Metabolite(_Record):
    """An active metabolite formed from the parent's elimination (e.g. norfluoxetine)."""

    id: str = Field(pattern=ID)
    name_en: str = Field(min_length=1)
    fraction_formed: Quantity
    half_life: Quantity
    volume: Quantity


class SpeciesPK(_Record):
    """Compartmental PK in one species: central (plasma), optional peripheral, brain.

    Elimination is first order from the central compartment; the brain is a partition
    compartment that equilibrates with plasma (``brain_partition`` = brain/plasma ratio at
    equilibrium, the blood-brain barrier's penetration) with a stated half-time. An optional
    ``metabolite`` is formed from part of the parent's elimination; ``autoinhibition`` is the
    plasma concentration of parent plus metabolite that halves the parent's clearance (a
    drug that inhibits its own metabolism, so its half-life lengthens on chronic dosing).
    """

    half_life: Quantity
    volume: Quantity
    peripheral_volume: Quantity | None = None
    distribution_clearance: Quantity | None = None
    absorption_half_life: dict[str, Quantity] = Field(default_factory=dict)
    bioavailability: dict[str, Quantity] = Field(default_factory=dict)
    brain_partition: Quantity
    brain_equilibration_half_life: Quantity
    metabolite: Metabolite | None = None
    autoinhibition: Quantity | None = None
    #: Per route, the dose (mg/kg) from which the drug is anaesthetic in this species: a
    #: scenario above it still runs, with a warning (the model describes subanaesthetic use).
    anaesthetic_dose: dict[str, Quantity] = Field(default_factory=dict)
    note: str | None = None

    @model_validator(mode="after")
    def _peripheral_pair(self) -> SpeciesPK:
        if (self.peripheral_volume is None) != (self.distribution_clearance is None):
            raise ValueError("peripheral_volume and distribution_clearance come together")
        for route in (*self.absorption_half_life, *self.bioavailability):
            if route not in ROUTES:
                raise ValueError(f"route {route!r} is not one of {', '.join(ROUTES)}")
        absorption = self.absorption_half_life.items()
        positive = {"half_life": self.half_life, "volume": self.volume,
                    "brain_equilibration_half_life": self.brain_equilibration_half_life,
                    **{f"absorption_half_life.{r}": q for r, q in absorption},
                    **{f"bioavailability.{r}": q for r, q in self.bioavailability.items()},
                    }  # fmt: skip
        for name, q in positive.items():
            if not q.value > 0:
                raise ValueError(f"{name} must be greater than 0, got {q.value:g} {q.unit}")
        return self


class EffectCompartment(_Record):
    """Exposure of an intervention without PK: each unit of dose raises an effect level.

    During a session (``over``) or at a bolus the level rises by ``gain`` per ``dose_unit``
    of dose; it decays with ``half_life``. The targets read this level (site ``effect``).
    """

    dose_unit: str
    reference_dose: Quantity
    half_life: Quantity
    note: str = Field(min_length=10)


class Formulation(_Record):
    """A formulation that changes exposure (e.g. PEG-liposomal rapamycin)."""

    id: str = Field(pattern=ID)
    description: str = Field(min_length=5)
    brain_partition_factor: Quantity
    peripheral_effect_factor: Quantity


class Target(_Record):
    """A model input driven by the drug: ``emax * C^hill / (ec50^hill + C^hill)``.

    ``site`` says which concentration drives it: ``brain`` and ``plasma`` (drugs), or
    ``effect`` (an effect compartment, as a fraction of the reference dose's level).
    ``with_metabolite`` adds the active metabolite's plasma concentration (site plasma).
    """

    input: str = Field(pattern=ID)
    site: Literal["brain", "plasma", "effect"]
    ec50: Quantity
    emax: float = Field(gt=0, le=1)
    hill: float = Field(default=1.0, gt=0, le=4)
    with_metabolite: bool = False
    mechanisms: tuple[str, ...] = Field(min_length=1)
    note: str | None = None

    @field_validator("mechanisms")
    @classmethod
    def _mechanism_ids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        import re

        for m in v:
            if not re.fullmatch(MECHANISM_ID, m):
                raise ValueError(f"{m!r} is not a mechanism id (m_…)")
        return v


class Drug(_Record):
    """One library entry: a drug (PK) or an intervention (effect compartment)."""

    id: str = Field(pattern=ID)
    kind: Literal["drug", "intervention"]
    name_en: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    kb_entity: str | None = Field(default=None, pattern=ID)
    molar_mass: Quantity | None = None
    routes: tuple[Route, ...] = Field(min_length=1)
    pk: dict[str, SpeciesPK] = Field(default_factory=dict)
    effect_compartment: EffectCompartment | None = None
    formulations: tuple[Formulation, ...] = ()
    targets: tuple[Target, ...] = Field(min_length=1)
    note: str | None = None

    @field_validator("pk")
    @classmethod
    def _species_keys(cls, v: dict[str, SpeciesPK]) -> dict[str, SpeciesPK]:
        for key in v:
            if key not in SPECIES:
                raise ValueError(f"species {key!r} is not one of {', '.join(SPECIES)}")
        return v

    @model_validator(mode="after")
    def _exposure(self) -> Drug:
        if bool(self.pk) == (self.effect_compartment is not None):
            raise ValueError("an entry has either `pk` (per species) or `effect_compartment`")
        sites = {t.site for t in self.targets}
        if self.pk and "effect" in sites:
            raise ValueError("a drug with PK targets brain or plasma, not `effect`")
        if self.effect_compartment is not None and sites != {"effect"}:
            raise ValueError("an effect-compartment entry's targets use site `effect`")
        return self
