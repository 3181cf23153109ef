"""Schema of the intervention library: drugs and non-drug interventions as data.

A drug is pharmacokinetics per species (compartments, routes, formulations) plus targets:
model input parameters it drives, each through a Hill function of a concentration.
A non-drug intervention (exercise, DBS) or a herbal formula without known PK has an
``effect_compartment`` instead: each session or dose raises an effect level that decays
with a stated half-life. Every number is a :class:`Quantity` with unit, plausible range
and provenance, the same provenance types as the model's parameters.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mtorlab.ode._schema import Provenance, SpeciesName

ID = r"^[a-z][a-z0-9_]*$"
MECHANISM_ID = r"^m_[a-z0-9_]+$"
Route = Literal["iv", "ip", "po", "intranasal", "icv", "sc", "im"]
Species = SpeciesName
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


#: What each kind of quantity is measured in: a unit it must convert to, and its name.
_DIMENSIONS = {
    "h": "time",
    "L/kg": "volume per body weight",
    "L/h/kg": "clearance per body weight (L/h/kg)",
    "dimensionless": "a pure number (dimensionless)",
    "mg/L": "mass concentration (mg/L)",
    "ng/mL": "mass concentration (ng/mL)",
    "mg/kg": "dose per body weight (mg/kg)",
    "g/mol": "molar mass (g/mol)",
}


def check_units(quantities: dict[str, tuple[Quantity | None, str]]) -> None:
    """Refuse a quantity whose unit does not convert to the one its field needs (a half-life
    in mg would fail only when the model is built). Raises ValueError naming the field."""
    from mtorlab.units import parse_units, registry

    for name, (q, unit) in quantities.items():
        if q is not None and not registry().Quantity(1, parse_units(q.unit)).is_compatible_with(
            unit
        ):
            raise ValueError(
                f"{name}: {q.unit!r} is not a unit of {_DIMENSIONS[unit]}, e.g. {unit}"
            )


def check_fraction(name: str, q: Quantity) -> None:
    """A fraction of the dose (bioavailability, fraction formed) lies in (0, 1]."""
    if not 0 < q.value <= 1:
        raise ValueError(
            f"{name} is a fraction of the dose: above 0 and at most 1, got {q.value:g}"
        )


class Metabolite(_Record):
    """An active metabolite formed from the parent's elimination (e.g. norfluoxetine)."""

    id: str = Field(pattern=ID)
    name_en: str = Field(min_length=1)
    fraction_formed: Quantity
    half_life: Quantity
    volume: Quantity

    @model_validator(mode="after")
    def _units(self) -> Metabolite:
        fraction = (self.fraction_formed, "dimensionless")
        check_units(
            {"fraction_formed": fraction, "half_life": (self.half_life, "h"),
             "volume": (self.volume, "L/kg")}
        )  # fmt: skip
        check_fraction("fraction_formed", self.fraction_formed)
        return self


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
    #: The plasma concentration (ng/mL) from which the drug is anaesthetic: an iv infusion
    #: (longer than a bolus) is judged by its predicted peak plasma level against it rather
    #: than by its dose, since the same dose given slowly never reaches it.
    anaesthetic_concentration: Quantity | None = None
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
        for route, q in self.bioavailability.items():
            check_fraction(f"bioavailability.{route}", q)
        self._units()
        return self

    def _units(self) -> None:
        units: dict[str, tuple[Quantity | None, str]] = {
            "half_life": (self.half_life, "h"), "volume": (self.volume, "L/kg"),
            "peripheral_volume": (self.peripheral_volume, "L/kg"),
            "distribution_clearance": (self.distribution_clearance, "L/h/kg"),
            "brain_partition": (self.brain_partition, "dimensionless"),
            "brain_equilibration_half_life": (self.brain_equilibration_half_life, "h"),
            "autoinhibition": (self.autoinhibition, "mg/L"),
            "anaesthetic_concentration": (self.anaesthetic_concentration, "ng/mL"),
        }  # fmt: skip
        for field, unit in (("absorption_half_life", "h"), ("bioavailability", "dimensionless"),
                            ("anaesthetic_dose", "mg/kg")):  # fmt: skip
            for route, q in getattr(self, field).items():
                units[f"{field}.{route}"] = (q, unit)
        check_units(units)


class EffectCompartment(_Record):
    """Exposure of an intervention without PK: each unit of dose raises an effect level.

    During a session (``over``) or at a bolus the level rises by ``gain`` per ``dose_unit``
    of dose; it decays with ``half_life``. The targets read this level (site ``effect``).
    """

    dose_unit: str
    reference_dose: Quantity
    half_life: Quantity
    note: str = Field(min_length=10)

    @model_validator(mode="after")
    def _units(self) -> EffectCompartment:
        check_units({"half_life": (self.half_life, "h")})
        try:
            same = parse_dose_unit(self.reference_dose.unit).is_compatible_with(
                parse_dose_unit(self.dose_unit)
            )
        except Exception as exc:  # pint raises several error types for a bad unit
            raise ValueError(f"dose_unit {self.dose_unit!r} is not a unit ({exc})") from None
        if not same:
            raise ValueError(
                f"reference_dose is in {self.reference_dose.unit!r}, not a unit of the "
                f"dose_unit {self.dose_unit!r}"
            )
        return self


class Formulation(_Record):
    """A formulation that changes exposure (e.g. PEG-liposomal rapamycin)."""

    id: str = Field(pattern=ID)
    description: str = Field(min_length=5)
    brain_partition_factor: Quantity
    peripheral_effect_factor: Quantity
    #: the species in which the formulation's factors were measured (empty: not stated);
    #: a scenario in another species gets a warning that they are carried over
    measured_in: tuple[Species, ...] = ()

    @model_validator(mode="after")
    def _units(self) -> Formulation:
        one = "dimensionless"
        check_units(
            {"brain_partition_factor": (self.brain_partition_factor, one),
             "peripheral_effect_factor": (self.peripheral_effect_factor, one)}
        )  # fmt: skip
        return self


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

    @model_validator(mode="after")
    def _potency_unit(self) -> Target:
        if self.site == "effect":
            check_units({"ec50": (self.ec50, "dimensionless")})
            return self
        from mtorlab.units import parse_units, registry

        q = registry().Quantity(1, parse_units(self.ec50.unit))
        if not (q.check("[mass]/[length]**3") or q.check("[substance]/[length]**3")):
            raise ValueError(
                f"ec50: {self.ec50.unit!r} is not a concentration; use a mass concentration "
                "(ng/mL, mg/L) or a molar one (uM, with the drug's molar_mass)"
            )
        return self


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
        check_units({"molar_mass": (self.molar_mass, "g/mol")})
        molar = [t for t in self.targets if t.site != "effect" and _molar(t.ec50)]
        if molar and self.molar_mass is None:
            raise ValueError(
                f"a molar EC50 ({molar[0].ec50.unit}, on {molar[0].input}) needs the drug's "
                "molar_mass (g/mol) to convert it"
            )
        if bool(self.pk) == (self.effect_compartment is not None):
            raise ValueError("an entry has either `pk` (per species) or `effect_compartment`")
        sites = {t.site for t in self.targets}
        if self.pk and "effect" in sites:
            raise ValueError("a drug with PK targets brain or plasma, not `effect`")
        if self.effect_compartment is not None and sites != {"effect"}:
            raise ValueError("an effect-compartment entry's targets use site `effect`")
        return self


def parse_dose_unit(unit: str) -> Any:
    """An effect compartment's dose unit as a pint quantity of 1 (``min``, ``mg/kg``)."""
    from mtorlab.units import parse_units, registry

    return registry().Quantity(1, parse_units(unit))


def _molar(q: Quantity) -> bool:
    from mtorlab.units import parse_units, registry

    return bool(registry().Quantity(1, parse_units(q.unit)).check("[substance]/[length]**3"))
