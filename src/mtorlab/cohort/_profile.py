"""A patient profile for ``mtorlab rank``, in clinical units (README "Patient profile").

Serum BDNF and plasma IL-6 are written with their unit (``22 ng/mL``, ``3.1 pg/mL``; any mass
concentration) and converted to the model's relative scale (1 = healthy reference person) with
the healthy means of ``mtorlab/clinical/data/reference_values.yaml`` (or the profile's own
``reference:``); ``0.8 x healthy`` gives the relative value directly. A bare number is refused:
it could be either, which is what the old unit-free profile wrote.
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from mtorlab.errors import DataFileError

PROFILE_HELP = "README 'Patient profile'"
_RELATIVE = re.compile(
    r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(?:x|×)\s*healthy(?:\s+mean)?\s*$"
)
UNITS = {"serum_bdnf": "ng/mL", "il6": "pg/mL"}


class Level(BaseModel):
    """A measured level: a concentration (``value`` in ``unit``) or a multiple of healthy."""

    model_config = ConfigDict(frozen=True)

    text: str
    value: float | None = None  # in UNITS of its field
    relative: float | None = None


def _level(field: str) -> Any:
    def parse(v: Any) -> Level | None:
        if v is None or isinstance(v, Level):
            return v
        unit = UNITS[field]
        if isinstance(v, bool) or not isinstance(v, str):
            raise ValueError(
                f"{v!r} has no unit and is ambiguous (the old '1 = healthy mean' scale or "
                f"{unit}); write e.g. '{'22 ng/mL' if field == 'serum_bdnf' else '3.1 pg/mL'}' "
                f"or '0.8 x healthy' ({PROFILE_HELP})"
            )
        m = _RELATIVE.match(v)
        if m:
            return Level(text=v, relative=float(m.group(1)))
        from mtorlab.units import parse_quantity_text

        try:
            q = parse_quantity_text(v)
            value = float(q.to(unit).magnitude)
        except Exception:
            raise ValueError(
                f"{v!r} is not a concentration; write it in {unit} (or any mass per volume) "
                "or as 'N x healthy'"
            ) from None
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{v!r}: a level must be positive")
        return Level(text=v, value=value)

    return BeforeValidator(parse)


class PriorTreatment(BaseModel):
    """A drug class the patient did not respond to (``outcome: nonresponse``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    drug_class: str = Field(alias="class")
    outcome: Literal["nonresponse"] = "nonresponse"

    @model_validator(mode="after")
    def _known(self) -> PriorTreatment:
        known = tuple(drug_classes())
        if self.drug_class not in known:
            raise ValueError(f"class {self.drug_class!r} is not known; allowed: {', '.join(known)}")
        return self


class Reference(BaseModel):
    """The profile's own laboratory healthy means (override the packaged ones)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    serum_bdnf: Annotated[Level | None, _level("serum_bdnf")] = None
    il6: Annotated[Level | None, _level("il6")] = None


class Profile(BaseModel):
    """A patient profile (``species: human``); every field but species is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    species: Literal["human"] = "human"
    madrs: float | None = Field(default=None, ge=0, le=60)
    serum_bdnf: Annotated[Level | None, _level("serum_bdnf")] = None
    il6: Annotated[Level | None, _level("il6")] = None
    bdnf_genotype: Literal["val/val", "val/met", "met/met", "bdnf_het"] | None = None
    high_fat_diet: bool | None = None
    bmi: float | None = Field(default=None, gt=10, lt=80)
    tbi: bool | None = None
    prior_treatments: tuple[PriorTreatment, ...] = ()
    prior_ssri_nonresponse: bool = False  # kept: the same as prior_treatments [{class: ssri}]
    reference: Reference = Reference()

    def fixed_condition(self) -> dict[str, Any]:
        """Condition fields the profile fixes for every virtual patient."""
        fixed: dict[str, Any] = {}
        if self.bdnf_genotype is not None:
            fixed["bdnf_genotype"] = self.bdnf_genotype
        hfd = self.high_fat_diet
        if hfd is None and self.bmi is not None:
            hfd = self.bmi >= 30
        if hfd is not None:
            fixed["high_fat_diet"] = hfd
        if self.tbi is not None:
            fixed["tbi"] = self.tbi
        return fixed

    def nonresponse_classes(self) -> tuple[str, ...]:
        """Drug classes the patient did not respond to, in file order."""
        names = [t.drug_class for t in self.prior_treatments if t.outcome == "nonresponse"]
        if self.prior_ssri_nonresponse:
            names.append("ssri")
        return tuple(dict.fromkeys(names))

    def measured(self) -> dict[str, float]:
        """Measured readouts on the model's scale (readout id -> value; 1 = healthy)."""
        out: dict[str, float] = {}
        if self.madrs is not None:
            out["madrs"] = float(self.madrs)
        for field, readout in (("serum_bdnf", "serum_bdnf"), ("il6", "il6_plasma")):
            level: Level | None = getattr(self, field)
            if level is None:
                continue
            if level.relative is not None:
                out[readout] = level.relative
                continue
            assert level.value is not None
            out[readout] = level.value / self.healthy_mean(field)
        return out

    def healthy_mean(self, field: str) -> float:
        """The healthy mean a level of ``field`` is divided by (profile's, else packaged)."""
        own: Level | None = getattr(self.reference, field)
        if own is not None:
            if own.value is None:
                raise ValueError(f"reference.{field} must be a concentration, not {own.text!r}")
            return own.value
        return float(reference_values()["healthy_means"][field]["value"])


@cache
def reference_values() -> dict[str, Any]:
    """The packaged reference values and drug-class regimens (validated lightly)."""
    from mtorlab._yaml import load_yaml_text

    name = "reference_values.yaml"
    text = resources.files("mtorlab.clinical").joinpath("data", name).read_text("utf-8")
    data = load_yaml_text(text, f"mtorlab/clinical/data/{name}")
    for field, unit in UNITS.items():
        entry = data["healthy_means"][field]
        if entry["unit"] != unit or not entry["range"][0] <= entry["value"] <= entry["range"][1]:
            raise DataFileError(f"mtorlab/clinical/data/{name}", "unit or range", entry=field)
    return dict(data)


def drug_classes() -> dict[str, dict[str, Any]]:
    """Prior-treatment classes: description, duration and regimen (scenario interventions)."""
    return dict(reference_values()["drug_classes"])


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile YAML; a bad field gives one line naming it."""
    from mtorlab._yaml import read_yaml

    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(str(path), "a profile is a mapping (species, madrs, serum_bdnf, ...)")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        fld = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(Profile.model_fields)
            msg = f"unknown field; allowed: {allowed} ({PROFILE_HELP})"
        elif err["type"] != "value_error":
            msg = f"{msg} (got {err.get('input')!r})"
        raise DataFileError(str(path), msg, field=fld) from None
