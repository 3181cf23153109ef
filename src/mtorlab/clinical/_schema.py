"""Pydantic schema of a trial file (``mtorlab trial TRIAL.yaml``; README "Trial files").

A trial is data: the population (subtype mix, inclusion, exclusion, n per arm), an optional
lead-in (e.g. an SSRI course whose non-responders are randomised), arms (each a list of
scenario interventions; ``placebo:`` entries record a comparator the model does not simulate),
visits, endpoints and the analysis. Errors name the file, the field, the bad value and what
is allowed, in one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mtorlab.errors import DataFileError
from mtorlab.scenario._quantity import Quantity, parse_quantity
from mtorlab.scenario._schema import ID, ConditionBlock, Intervention

Time = Annotated[Quantity, BeforeValidator(lambda v: parse_quantity(v, "time"))]
CONDITION_KEYS = tuple(ConditionBlock.model_fields)
MAX_N = 100_000


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PlaceboEntry(_Record):
    """A comparator with no modelled mechanism (saline, a placebo pill or spray, midazolam as
    an active placebo): recorded in the design, never simulated. Timing fields are free text
    for the record (e.g. ``dose: 0.045 mg/kg``)."""

    placebo: str = Field(min_length=1, max_length=80)
    dose: str | None = None
    route: str | None = None
    at: str | None = None
    over: str | None = None
    schedule: dict[str, Any] | None = None


def _entry(v: Any) -> Any:
    """An arm entry: a ``placebo:`` record or a scenario intervention (validated as such)."""
    model: type[BaseModel] = (
        PlaceboEntry if isinstance(v, dict) and "placebo" in v else Intervention
    )
    try:
        return model.model_validate(v)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        raise ValueError(f"{loc + ': ' if loc else ''}{_message(err)}") from None


Entry = Annotated[PlaceboEntry | Intervention, BeforeValidator(_entry)]


class Arm(_Record):
    """One arm: its interventions (times from randomisation), and which nonspecific course it
    gets (``placebo``: blinded or open treatment; ``natural_course``: no treatment contact)."""

    id: str = Field(pattern=ID, max_length=60)
    description: str | None = None
    interventions: tuple[Entry, ...] = ()
    nonspecific: Literal["placebo", "natural_course"] = "placebo"
    ratio: int = Field(default=1, ge=1, le=10)

    def simulated(self) -> list[Intervention]:
        """The entries the mechanistic model runs (placebo records left out)."""
        return [e for e in self.interventions if isinstance(e, Intervention)]


class Inclusion(_Record):
    """Rated MADRS at randomisation (with rating noise) must lie in [madrs_min, madrs_max]."""

    madrs_min: float = Field(default=20.0, ge=0, le=60)
    madrs_max: float = Field(default=60.0, ge=0, le=60)

    @model_validator(mode="after")
    def _order(self) -> Inclusion:
        if self.madrs_min > self.madrs_max:
            raise ValueError(
                f"madrs_min ({self.madrs_min:g}) is above madrs_max ({self.madrs_max:g})"
            )
        return self


class Population(_Record):
    """Who is screened: a subtype mix (``all``: every subtype equally), inclusion, exclusion
    (condition fields and the values that exclude), and the number randomised per arm."""

    subtypes: Literal["all"] | dict[str, float] = "all"
    inclusion: Inclusion = Inclusion()
    exclusion: dict[str, Any] = Field(default_factory=dict)
    n_per_arm: int = Field(ge=1, le=MAX_N)

    @field_validator("subtypes")
    @classmethod
    def _subtypes(cls, v: Any) -> Any:
        if isinstance(v, dict):
            from mtorlab.cohort import subtype_names

            known = subtype_names()
            if not v:
                raise ValueError("give at least one subtype with a weight, or 'all'")
            for name, w in v.items():
                if name not in known:
                    raise ValueError(f"unknown subtype {name!r}; allowed: {', '.join(known)}")
                if not w > 0:
                    raise ValueError(f"subtype {name!r}: the weight must be > 0, not {w!r}")
        return v

    @field_validator("exclusion")
    @classmethod
    def _exclusion(cls, v: dict[str, Any]) -> dict[str, Any]:
        for key, value in v.items():
            if key not in CONDITION_KEYS:
                allowed = ", ".join(CONDITION_KEYS)
                raise ValueError(f"exclusion {key!r} is not a condition field; allowed: {allowed}")
            values = value if isinstance(value, list) else [value]
            for x in values:
                ConditionBlock.model_validate({key: x})  # a value the field can take
        return v

    def excludes(self, condition: dict[str, Any]) -> bool:
        """Whether a patient's condition block meets any exclusion."""
        full = ConditionBlock(**condition).model_dump()
        for key, value in self.exclusion.items():
            values = value if isinstance(value, list) else [value]
            if full[key] in values:
                return True
        return False


class LeadIn(_Record):
    """A phase before randomisation (times from its start); ``randomise: nonresponders`` keeps
    the patients whose rated MADRS at its end has not dropped by the response fraction."""

    duration: Time
    interventions: tuple[Entry, ...] = ()
    visits: tuple[Time, ...] = ()
    randomise: Literal["nonresponders", "all"] = "nonresponders"

    @model_validator(mode="after")
    def _inside(self) -> LeadIn:
        if not 0 < self.duration.value <= 24 * 365:
            raise ValueError(f"duration must lie between 0 and 1 year, got {self.duration}")
        for v in self.visits:
            if not 0 <= v.value <= self.duration.value:
                raise ValueError(f"lead-in visit {v} lies outside 0..{self.duration}")
        return self


class Endpoints(_Record):
    """Response: MADRS drop of at least ``response_drop`` (fraction of the randomisation
    baseline); remission: MADRS at most ``remission_max``; the primary visit."""

    response_drop: float = Field(default=0.5, gt=0, lt=1)
    remission_max: float = Field(default=10.0, ge=0, le=60)
    primary_visit: Time


class Analysis(_Record):
    """The control arm of every contrast, and missing visits after dropout (``locf``: last
    observation carried forward; ``observed``: observed cases only)."""

    control: str | None = None
    missing: Literal["locf", "observed"] = "locf"


class Dropout(_Record):
    """Probability of leaving the trial within any one week (constant hazard; 0 = none)."""

    per_week: float = Field(default=0.0, ge=0, lt=1)


class Trial(_Record):
    """A virtual trial design (species human; times are offsets from randomisation)."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    species: Literal["human"] = "human"
    duration: Time
    population: Population
    lead_in: LeadIn | None = None
    arms: tuple[Arm, ...] = Field(min_length=1, max_length=12)
    visits: tuple[Time, ...] = Field(min_length=1)
    endpoints: Endpoints
    analysis: Analysis = Analysis()
    dropout: Dropout = Dropout()
    seed: int = Field(default=1, ge=0, le=2**32 - 1)
    engine: Literal["batch", "reference"] = "batch"
    drugs: tuple[dict[str, Any], ...] = ()  # library entries the arms may use (new drugs)
    extensions: tuple[Any, ...] = ()  # model extensions every arm runs with (as content)

    @field_validator("duration")
    @classmethod
    def _duration(cls, v: Quantity) -> Quantity:
        if not 0 < v.value <= 24 * 365 * 2:
            raise ValueError(f"duration must lie between 0 and 2 years, got {v}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Trial:
        ids = [a.id for a in self.arms]
        dup = next((a for a in ids if ids.count(a) > 1), None)
        if dup is not None:
            raise ValueError(f"arms: arm id {dup!r} is used twice; arm ids must differ")
        times = [v.value for v in self.visits]
        for v in self.visits:
            if not 0 <= v.value <= self.duration.value:
                raise ValueError(f"visits: visit {v} lies outside 0..{self.duration}")
        if len(set(times)) != len(times):
            raise ValueError("visits: a visit time is listed twice")
        if self.endpoints.primary_visit.value not in times:
            raise ValueError(
                f"endpoints.primary_visit: {self.endpoints.primary_visit} is not one of the visits"
            )
        control = self.analysis.control
        if control is not None and control not in ids:
            raise ValueError(f"analysis.control: {control!r} is not an arm; arms: {', '.join(ids)}")
        if control is None and len(ids) > 1:
            raise ValueError("analysis.control: required with more than one arm (an arm id)")
        return self

    def visit_hours(self) -> tuple[float, ...]:
        """Visit times in hours from randomisation, sorted, with the baseline (0 h) first."""
        return tuple(sorted({0.0, *(v.value for v in self.visits)}))

    def lead_in_hours(self) -> float:
        """Length of the lead-in in hours (0 without one)."""
        return self.lead_in.duration.value if self.lead_in is not None else 0.0

    def n_for(self, arm: Arm) -> int:
        """Patients randomised to ``arm``: n_per_arm per unit of the arm's ratio (the arm with
        the smallest ratio gets n_per_arm)."""
        smallest = min(a.ratio for a in self.arms)
        return round(self.population.n_per_arm * arm.ratio / smallest)


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """A readable location: ``arms[ketamine].interventions #1.dose``."""
    parts: list[str] = []
    node = data
    for p in loc:
        if isinstance(p, str) and p.startswith(("function-", "tagged-union")):
            continue
        if isinstance(p, int) and parts and parts[-1] in ("arms",) and isinstance(node, list):
            arm = node[p] if p < len(node) else None
            name = arm.get("id") if isinstance(arm, dict) else None
            parts[-1] = f"arms[{name}]" if name else f"arms #{p + 1}"
        elif isinstance(p, int):
            parts[-1] = f"{parts[-1]} #{p + 1}" if parts else f"#{p + 1}"
        elif p in ("PlaceboEntry", "Intervention"):
            continue
        else:
            parts.append(str(p))
        if isinstance(node, dict):
            node = node.get(p)
        elif isinstance(node, list) and isinstance(p, int) and p < len(node):
            node = node[p]
    return ".".join(parts) or "(trial)"


def _message(err: Mapping[str, Any]) -> str:
    kind, msg, value = err["type"], str(err["msg"]), err.get("input")
    if kind == "literal_error":
        return f"{value!r} is not allowed; expected {err.get('ctx', {}).get('expected')}"
    if kind == "extra_forbidden":
        return f"unknown field {err['loc'][-1]!r} (see the trial format in the README)"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid id (lower-case letters, digits and _)"
    if kind.startswith(("greater", "less", "int_", "float_", "bool_")):
        return f"{value!r}: {msg[0].lower()}{msg[1:]}"
    return msg.removeprefix("Value error, ")


def validate_trial(data: Any, source: str) -> Trial:
    """Validate a parsed trial mapping; ``source`` names it in the one-line error."""
    if not isinstance(data, dict):
        raise DataFileError(
            source, "a trial file is a mapping (name, duration, population, arms, ...)"
        )
    try:
        trial = Trial.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _where(tuple(err["loc"]), data)
        msg = _message(err)
        if err["type"] == "extra_forbidden":
            where = where.rsplit(".", 1)[0] if "." in where else "(trial)"
        head, sep, rest = msg.partition(": ")
        if where == "(trial)" and sep and re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", head):
            where, msg = head, rest  # a cross-field check names its field first
        raise DataFileError(source, msg, field=where) from None
    mechanisms: tuple[str, ...] = ()
    if trial.extensions:
        import mtorlab as mt
        from mtorlab.scenario._extension import extend, extension_mechanisms

        extend(mt.model(), trial.extensions, source)
        mechanisms = extension_mechanisms(trial.extensions)
    if trial.drugs:
        from mtorlab.interventions import parse_entries

        parse_entries(trial.drugs, f"{source}: drugs", mechanisms=mechanisms)
    return trial


def load_trial(path: str | Path) -> Trial:
    """Read and validate a trial YAML file."""
    from mtorlab._yaml import read_yaml
    from mtorlab.scenario._extension import resolve_items

    p = Path(path)
    if not p.is_file():
        raise DataFileError(str(p), "no such trial file")
    data = read_yaml(p)
    if isinstance(data, dict) and "extensions" in data:  # file paths: relative to the trial
        data = {**data, "extensions": resolve_items(data["extensions"], str(p), p.parent)}
    return validate_trial(data, str(p))
