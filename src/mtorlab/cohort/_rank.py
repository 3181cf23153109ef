"""Rank treatment strategies for one patient profile over a conditioned virtual population.

Conditioning is importance weighting. The population is ``n`` depressed virtual patients
drawn from all subtypes (categorical profile facts, genotype, high-fat diet or BMI >= 30,
TBI, fix the matching condition fields for every draw). Each patient ``i`` gets weight

    w_i = exp(-1/2 * sum_k ((y_ik - y_k) / h_k)^2)

over the profile's measured readouts ``k`` (MADRS, serum BDNF, plasma IL-6), with
``y_ik`` the patient's baseline readout and ``h_k`` the kernel bandwidth of ``BANDWIDTH``
(a measurement-error scale). Prior SSRI non-response multiplies the weight of patients
whom the model has responding to fluoxetine at the horizon by ``SSRI_RESPONDER_WEIGHT``.
A strategy's expected response is the weighted mean of response indicators; its 95%
interval is Wilson's with the Kish effective sample size (sum w)^2 / sum w^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mtorlab.cohort._population import Patient, load_population, sample_patient
from mtorlab.cohort._run import READOUTS, wilson
from mtorlab.errors import DataFileError, MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.scenario import Scenario

BANDWIDTH = {"madrs": 5.0, "serum_bdnf": 0.05, "il6_plasma": 0.5}
SSRI_RESPONDER_WEIGHT = 0.1
PROFILE_READOUT = {"madrs": "madrs", "serum_bdnf": "serum_bdnf", "il6": "il6_plasma"}


class Profile(BaseModel):
    """A patient profile (``species: human``); every field but species is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    species: Literal["human"] = "human"
    madrs: float | None = Field(default=None, ge=0, le=60)
    serum_bdnf: float | None = Field(default=None, gt=0, description="1 = healthy mean")
    il6: float | None = Field(default=None, gt=0, description="plasma IL-6, 1 = healthy mean")
    bdnf_genotype: Literal["val/val", "val/met", "met/met", "bdnf_het"] | None = None
    high_fat_diet: bool | None = None
    bmi: float | None = Field(default=None, gt=10, lt=80)
    tbi: bool | None = None
    prior_ssri_nonresponse: bool = False

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

    def measured(self) -> dict[str, float]:
        """Measured readouts (model readout id → value)."""
        return {
            PROFILE_READOUT[k]: float(v)
            for k in PROFILE_READOUT
            if (v := getattr(self, k)) is not None
        }


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
        fld = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(Profile.model_fields)
            msg = f"unknown field; allowed: {allowed}"
        raise DataFileError(str(path), f"{msg} (got {err.get('input')!r})", field=fld) from None


@dataclass(frozen=True)
class Strategy:
    """A candidate treatment: an id, a description and scenario interventions."""

    id: str
    description: str
    interventions: tuple[dict[str, Any], ...]


def _parse_strategies(data: Any, source: str) -> tuple[Strategy, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("strategies"), list):
        raise DataFileError(source, "expected `strategies:` with a list of entries")
    out = []
    for i, s in enumerate(data["strategies"]):
        if not isinstance(s, dict) or "id" not in s or "interventions" not in s:
            raise DataFileError(source, "each strategy needs id and interventions", entry=str(i))
        out.append(Strategy(str(s["id"]), str(s.get("description", "")), tuple(s["interventions"])))
    return tuple(out)


@cache
def _default_strategies() -> tuple[Strategy, ...]:
    import yaml

    text = resources.files("mtorlab.cohort").joinpath("data", "strategies.yaml").read_text("utf-8")
    return _parse_strategies(yaml.safe_load(text), "mtorlab/cohort/data/strategies.yaml")


def load_strategies(path: str | Path | None = None) -> tuple[Strategy, ...]:
    """The default strategies, or those of a file in the same format."""
    if path is None:
        return _default_strategies()
    from mtorlab._yaml import read_yaml

    return _parse_strategies(read_yaml(path), str(path))


def _clip(iv: dict[str, Any], horizon_h: float) -> dict[str, Any] | None:
    """The intervention with doses after the horizon dropped (None: nothing left)."""
    from mtorlab.scenario import parse_quantity

    iv = dict(iv)
    if "schedule" in iv:
        sch = dict(iv["schedule"])
        start = parse_quantity(sch["start"], "time").value
        every = parse_quantity(sch["every"], "time").value
        count = min(int(sch["count"]), math.floor((horizon_h - start) / every - 1e-9) + 1)
        if count < 1:
            return None
        sch["count"] = count
        iv["schedule"] = sch
    elif parse_quantity(iv["at"], "time").value >= horizon_h:
        return None
    return iv


def strategy_scenario(strategy: Strategy, horizon_h: float, step_h: float) -> Scenario:
    """The strategy as a human scenario up to the horizon (condition set per patient)."""
    import mtorlab as mt
    from mtorlab.scenario import validate_scenario

    ivs = [c for iv in strategy.interventions if (c := _clip(iv, horizon_h)) is not None]
    data = {
        "name": f"strategy-{strategy.id}",
        "species": "human",
        "duration": f"{horizon_h} h",
        "output_step": f"{step_h} h",
        "interventions": ivs,
    }
    return validate_scenario(data, f"strategy {strategy.id!r}", mt.model().readout_ids)


def _population(profile: Profile, n: int, seed: int) -> list[Patient]:
    fixed = profile.fixed_condition()
    out = []
    for i in range(n):
        p = sample_patient(seed, i, None)
        out.append(Patient(p.index, p.subtype, {**p.condition, **fixed}, p.multipliers))
    return out


def _run(sc: Scenario, patient: Patient) -> pd.DataFrame | None:
    import mtorlab as mt
    from mtorlab.scenario import ConditionBlock, parameter_overrides

    with parameter_overrides(patient.overrides()):
        try:
            return mt.simulate(
                sc.model_copy(update={"condition": ConditionBlock(**patient.condition)}),
                outputs=list(READOUTS),
            )
        except MtorlabError:
            return None


def rank(
    profile: Profile,
    *,
    strategies: tuple[Strategy, ...] | None = None,
    n: int = 50,
    horizon_h: float = 14 * 24.0,
    seed: int = 1,
    step_h: float = 24.0,
    progress: Any = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Strategies ranked by weighted expected response at the horizon.

    Returns the table (strategy, expected response and remission with 95% intervals,
    weighted mean MADRS change, adverse peaks) and facts about the weighting (patients
    kept, effective sample size).
    """
    import pandas as pd

    from mtorlab._api import reference_engine

    strats = strategies if strategies is not None else load_strategies()
    pop = load_population()
    patients = _population(profile, n, seed)
    base_sc = strategy_scenario(Strategy("untreated", "", ()), horizon_h, step_h)
    scenarios = {s.id: strategy_scenario(s, horizon_h, step_h) for s in strats}
    need_ssri = profile.prior_ssri_nonresponse
    ssri = strategy_scenario(
        Strategy(
            "ssri",
            "",
            (
                {
                    "drug": "fluoxetine",
                    "dose": "20 mg",
                    "route": "po",
                    "schedule": {"start": "0 d", "every": "1 d", "count": 60},
                },
            ),
        ),
        horizon_h,
        step_h,
    )
    measured = profile.measured()
    total = len(patients) * (1 + len(scenarios) + int(need_ssri))
    done = 0
    rows: list[dict[str, Any]] = []
    weights: list[float] = []
    for p in patients:
        base = _run(base_sc, p)
        done += 1
        if base is None or float(base["madrs"].iloc[0]) < pop.depressed_min:
            done += len(scenarios) + int(need_ssri)
            if progress is not None:
                progress(done, total)
            continue
        m0 = float(base["madrs"].iloc[0])
        w = math.exp(
            -0.5
            * sum(((float(base[k].iloc[0]) - v) / BANDWIDTH[k]) ** 2 for k, v in measured.items())
        )
        if need_ssri:
            s = _run(ssri, p)
            done += 1
            if s is not None and float(s["madrs"].iloc[-1]) <= 0.5 * m0:
                w *= SSRI_RESPONDER_WEIGHT
        for sid, sc in scenarios.items():
            df = _run(sc, p)
            done += 1
            if progress is not None:
                progress(done, total)
            if df is None:
                continue
            end = float(df["madrs"].iloc[-1])
            rows.append(
                {
                    "patient": p.index,
                    "strategy": sid,
                    "w": w,
                    "response": end <= 0.5 * m0,
                    "remission": end <= 10.0,
                    "madrs_change": end - m0,
                    "anxiety_peak": float(df["anxiety_risk"].max()),
                    "immunosuppression_peak": float(df["immunosuppression"].max()),
                }
            )
        weights.append(w)
        reference_engine()._steady.clear()
    wts = np.array(weights)
    facts = {
        "n_sampled": float(len(patients)),
        "n_depressed": float(len(wts)),
        "ess": float(wts.sum() ** 2 / (wts**2).sum()) if wts.sum() > 0 else 0.0,
    }
    if not rows or wts.sum() <= 0:
        raise MtorlabError("no virtual patient matches the profile; relax it or raise --n")
    data = pd.DataFrame(rows)
    out = []
    for sid in scenarios:
        d = data[data["strategy"] == sid]
        w = d["w"].to_numpy(float)
        sw = w.sum()
        if sw <= 0:
            continue
        ess = sw**2 / (w**2).sum()
        rec: dict[str, Any] = {"strategy": sid, "ess": ess}
        for what in ("response", "remission"):
            p_hat = float((w * d[what].to_numpy(float)).sum() / sw)
            lo, hi = wilson(p_hat * ess, ess)
            rec.update({what: p_hat, f"{what}_low": lo, f"{what}_high": hi})
        for c in ("madrs_change", "anxiety_peak", "immunosuppression_peak"):
            rec[c] = float((w * d[c].to_numpy(float)).sum() / sw)
        out.append(rec)
    table = pd.DataFrame(out).sort_values(
        ["response", "madrs_change", "strategy"], ascending=[False, True, True], ignore_index=True
    )
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table, facts
