"""The clinical layer's parameters (``data/placebo.yaml``), validated, with provenance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mtorlab.errors import DataFileError, validation_message

PLACEBO_FILE = "placebo.yaml"
NAMES = (
    "placebo_max_fraction",
    "onset_rate",
    "shape",
    "between_patient_sd",
    "natural_course_fraction",
    "natural_course_sd",
    "rating_noise_sd",
    "session_fraction",
    "session_half_life",
)


class Provenance(BaseModel):
    """Where a number comes from: ``literature`` (source), ``derived`` (formula and sources)
    or ``assumed`` (reason)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["literature", "derived", "assumed"]
    source: str | None = None
    formula: str | None = None
    verified: str | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Provenance:
        if self.kind in ("literature", "derived") and not (self.source and self.verified):
            raise ValueError(f"a {self.kind} value needs `source` and `verified`")
        if self.kind == "derived" and not self.formula:
            raise ValueError("a derived value needs the `formula` it was computed with")
        if self.kind == "assumed" and not self.reason:
            raise ValueError("an assumed value needs its `reason`")
        return self


class Number(BaseModel):
    """A value with its unit, plausible range and provenance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    unit: str = Field(min_length=1)
    range: tuple[float, float]
    provenance: Provenance

    @model_validator(mode="after")
    def _inside(self) -> Number:
        lo, hi = self.range
        if not (math.isfinite(self.value) and lo <= self.value <= hi):
            raise ValueError(f"value {self.value} lies outside its range [{lo}, {hi}]")
        return self


@dataclass(frozen=True)
class ClinicalParams:
    """The numbers of the placebo / natural-course / rating-noise model (see the data file)."""

    placebo_max_fraction: float
    onset_rate: float  # per week
    shape: float
    between_patient_sd: float
    natural_course_fraction: float
    natural_course_sd: float
    rating_noise_sd: float
    session_fraction: float  # of baseline MADRS, right after a supervised session
    session_half_life: float  # hours

    def replace(self, **changes: float) -> ClinicalParams:
        """A copy with some numbers changed (tests and sensitivity)."""
        return ClinicalParams(**{**self.__dict__, **changes})


def parse_params(data: Any, source: str) -> tuple[ClinicalParams, dict[str, Number]]:
    """Validate a parameter mapping; every name of :data:`NAMES` exactly once."""
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise DataFileError(source, "expected `parameters:` with one entry per number")
    table = data["parameters"]
    for name in table:
        if name not in NAMES:
            raise DataFileError(source, f"unknown parameter; allowed: {', '.join(NAMES)}",
                                entry=str(name))  # fmt: skip
    numbers: dict[str, Number] = {}
    for name in NAMES:
        if name not in table:
            raise DataFileError(source, "required parameter is missing", entry=name)
        try:
            numbers[name] = Number.model_validate(table[name])
        except ValidationError as exc:
            loc, msg = validation_message(exc)
            raise DataFileError(source, msg, entry=name, field=loc) from None
    return ClinicalParams(**{n: numbers[n].value for n in NAMES}), numbers


@cache
def _packaged() -> tuple[ClinicalParams, dict[str, Number]]:
    from mtorlab._yaml import load_yaml_text

    text = resources.files("mtorlab.clinical").joinpath("data", PLACEBO_FILE).read_text("utf-8")
    source = f"mtorlab/clinical/data/{PLACEBO_FILE}"
    return parse_params(load_yaml_text(text, source), source)


def clinical_params() -> ClinicalParams:
    """The packaged clinical-layer parameters."""
    return _packaged()[0]


def parameter_table() -> dict[str, Number]:
    """Every packaged number with unit, range and provenance (for reports)."""
    return dict(_packaged()[1])
