"""Rank treatment strategies for one patient profile over a conditioned virtual population.

Conditioning is importance weighting. The population is ``n`` depressed virtual patients
drawn from all subtypes (categorical profile facts, genotype, high-fat diet or BMI >= 30,
TBI, fix the matching condition fields for every draw). Each patient ``i`` gets weight

    w_i = exp(-1/2 * sum_k ((y_ik - y_k) / h_k)^2)

over the profile's measured readouts ``k`` (MADRS, serum BDNF, plasma IL-6; the profile's
clinical units converted to the model's relative scale, ``_profile``), with ``y_ik`` the
patient's baseline readout and ``h_k`` the kernel bandwidth of ``BANDWIDTH`` (a
measurement-error scale). A drug class the patient did not respond to conditions the
population: patients whom the model, with the clinical layer, has responding to that class's
regimen get weight 0. A strategy's expected response is the weighted mean of response
indicators of rated MADRS (the clinical layer: placebo course, rating noise); its 95%
interval is Wilson's with the Kish effective sample size (sum w)^2 / sum w^2, and below
``ESS_WARN`` the command warns. The placebo-adjusted benefit is the response minus the same
patients' response on placebo.

Each strategy is explained by the mechanistic readouts (behavioural scores and adverse
indices left out) whose weighted mean relative change against the untreated arm at the
horizon is largest in size (``_explain``).

Arms run on the batch engine (all patients of an arm in one call) by default, or patient
by patient on the reference engine (``engine="reference"``); both give the same table up
to solver tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.cohort._explain import (
    explain,
    explanation_text,
    format_change,
    relative_change,
    weighted_changes,
)
from mtorlab.cohort._population import Patient, load_population, sample_patient
from mtorlab.cohort._profile import Profile, drug_classes, load_profile
from mtorlab.cohort._run import READOUTS, wilson
from mtorlab.errors import DataFileError, MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.scenario import Scenario

DEFAULT_STRATEGIES = "mtorlab/cohort/data/strategies.yaml"
BANDWIDTH = {"madrs": 5.0, "serum_bdnf": 0.05, "il6_plasma": 0.5}
ENGINES = ("batch", "reference")
#: Below this effective sample size the ranking warns: its intervals rest on few patients.
ESS_WARN = 20.0
LAYER_STREAM = 0xC11  # the clinical layer's generator stream in a ranking
PRIOR_STREAM = 0xC12  # rating errors of the virtual prior-treatment courses
__all__ = [
    "Profile",
    "Strategy",
    "explanation_text",
    "format_change",
    "load_profile",
    "load_strategies",
    "rank",
]
#: Readouts left out of the explanation: behavioural scores (what is being explained) and
#: the adverse indices (their own columns; 0 untreated, so no relative change).
NOT_MECHANISTIC = frozenset(
    {
        "madrs",
        "depression_score",
        "sucrose_preference",
        "fst_immobility",
        "anxiety_risk",
        "immunosuppression",
    }
)


@dataclass(frozen=True)
class Strategy:
    """A candidate treatment: an id, a description and scenario interventions; ``drugs``
    are library entries (new drugs as data) its interventions may use."""

    id: str
    description: str
    interventions: tuple[dict[str, Any], ...]
    drugs: tuple[dict[str, Any], ...] = ()
    #: model extensions (``rank --extension``): the strategy runs on the extended model
    extensions: tuple[dict[str, Any], ...] = ()
    #: what is known of this strategy in depressed patients, in the file's words ("" if
    #: the file does not say); printed beside the model's prediction, never used by it
    human_evidence: str = ""
    #: the plan's warnings (an anaesthetic dose, a formulation outside its species)
    warnings: tuple[str, ...] = ()


def _parse_strategies(
    data: Any,
    source: str,
    files: tuple[str, ...] = (),
    extensions: tuple[dict[str, Any], ...] = (),
) -> tuple[Strategy, ...]:
    from mtorlab.scenario import merged_entries
    from mtorlab.scenario._extension import extension_mechanisms

    if not isinstance(data, dict) or not isinstance(data.get("strategies"), list):
        raise DataFileError(source, "expected `strategies:` with a list of entries")
    own = data.get("drugs", [])
    if not isinstance(own, list):
        raise DataFileError(source, "`drugs:` holds a list of library entries", field="drugs")
    if own:
        from mtorlab.interventions import parse_entries

        parse_entries(own, f"{source}: drugs")
    # the file's drugs: block after the --library entries (which may cite the mechanisms
    # of the extensions)
    drugs = merged_entries(own, files, extension_mechanisms(extensions))
    out = []
    for i, s in enumerate(data["strategies"]):
        if not isinstance(s, dict) or "id" not in s or "interventions" not in s:
            raise DataFileError(source, "each strategy needs id and interventions", entry=str(i))
        warnings = _check_strategy(s, source, drugs, extensions)
        evidence = s.get("human_evidence", "")
        if not isinstance(evidence, str):
            raise DataFileError(source, f"human_evidence must be text, got {evidence!r}",
                                entry=str(s["id"]), field="human_evidence")  # fmt: skip
        out.append(Strategy(str(s["id"]), str(s.get("description", "")),
                            tuple(s["interventions"]), drugs, extensions,
                            evidence.strip(), warnings))  # fmt: skip
    return tuple(out)


def _check_strategy(
    s: dict[str, Any],
    source: str,
    drugs: tuple[dict[str, Any], ...],
    extensions: tuple[dict[str, Any], ...] = (),
) -> tuple[str, ...]:
    """A strategy's interventions as a scenario's (fields, drugs, routes, doses): a problem
    names the file and the strategy before anything runs. Returns the plan's warnings."""
    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.scenario import check_plan, validate_scenario, with_drugs

    where = f"{source}: strategy {str(s['id'])!r}"
    if not isinstance(s["interventions"], list):
        raise DataFileError(where, "interventions must be a list", field="interventions")
    data = {"name": str(s["id"]), "species": "human", "duration": "1825 d",
            "interventions": s["interventions"], "extensions": list(extensions)}  # fmt: skip
    sc = validate_scenario(with_drugs(data, drugs), where, ())
    return check_plan(mt.model(), sc, library(), where).warnings


@cache
def _default_strategies() -> tuple[Strategy, ...]:
    import yaml

    text = resources.files("mtorlab.cohort").joinpath("data", "strategies.yaml").read_text("utf-8")
    return _parse_strategies(yaml.safe_load(text), DEFAULT_STRATEGIES)


def load_strategies(
    path: str | Path | None = None,
    library_files: Sequence[str | Path] | str | Path = (),
    extensions: Sequence[dict[str, Any]] = (),
) -> tuple[Strategy, ...]:
    """The default strategies, or those of a file in the same format (with an optional
    ``drugs:`` block of library entries); ``library_files`` add drugs as ``--library`` does;
    ``extensions`` (extension file contents, as ``--extension`` reads them) are the model
    extensions every strategy runs with."""
    from mtorlab.scenario import library_files as paths

    files = paths(library_files)
    exts = tuple(extensions)
    if path is None and not files and not exts:
        return _default_strategies()
    if path is None:
        import yaml

        text = resources.files("mtorlab.cohort").joinpath("data", "strategies.yaml")
        data, source = yaml.safe_load(text.read_text("utf-8")), DEFAULT_STRATEGIES
    else:
        from mtorlab._yaml import read_yaml

        data, source = read_yaml(path), str(path)
    return _parse_strategies(data, source, files, exts)


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
    from mtorlab.scenario import validate_scenario, with_drugs

    ivs = [c for iv in strategy.interventions if (c := _clip(iv, horizon_h)) is not None]
    data = {
        "name": f"strategy-{strategy.id}",
        "species": "human",
        "duration": f"{horizon_h} h",
        "output_step": f"{step_h} h",
        "interventions": ivs,
    }
    data = with_drugs(data, strategy.drugs)
    if strategy.extensions:
        data["extensions"] = list(strategy.extensions)
    return validate_scenario(data, f"strategy {strategy.id!r}", mt.model().readout_ids)


def _population(profile: Profile, n: int, seed: int) -> list[Patient]:
    fixed = profile.fixed_condition()
    out = []
    for i in range(n):
        p = sample_patient(seed, i, None)
        out.append(Patient(p.index, p.subtype, {**p.condition, **fixed}, p.multipliers))
    return out


def _run(sc: Scenario, patient: Patient, outputs: list[str]) -> pd.DataFrame | None:
    """One patient on the reference engine (None: the simulation failed)."""
    import mtorlab as mt
    from mtorlab.scenario import ConditionBlock, parameter_overrides

    with parameter_overrides(patient.overrides()):
        try:
            return mt.simulate(
                sc.model_copy(update={"condition": ConditionBlock(**patient.condition)}),
                outputs=outputs,
            )
        except MtorlabError:
            return None


@dataclass
class _Runs:
    """Time courses ``[patient, time, readout]`` of the untreated arm and of every arm.

    ``arms`` hold the depressed patients only (``depressed`` indexes them); a failed
    simulation is a False in the matching ``ok`` mask (its values are NaN).
    """

    base: np.ndarray
    base_ok: np.ndarray
    depressed: list[int]
    arms: dict[str, tuple[np.ndarray, np.ndarray]]


def _simulate_batch(
    patients: list[Patient],
    base_sc: Scenario,
    arms: dict[str, Scenario],
    outputs: list[str],
    tick: Callable[[int], None],
) -> _Runs:
    """Every arm for all patients at once on the batch engine (one call per arm)."""
    import mtorlab as mt

    rows = [p.parameters() for p in patients]
    shape = (base_sc.n_points(), len(outputs))

    def run(sc: Scenario, idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
        if not idx:
            return np.empty((0, *shape)), np.zeros(0, bool)
        try:
            res = mt.simulate_batch(sc, [rows[i] for i in idx], outputs=outputs)
        except MtorlabError:  # e.g. a strategy the human PK cannot give: all fail
            return np.full((len(idx), *shape), math.nan), np.zeros(len(idx), bool)
        return res.values, res.status == 0

    base, base_ok = run(base_sc, list(range(len(patients))))
    depressed = _depressed(base, base_ok, outputs)
    tick(len(patients) + (len(patients) - len(depressed)) * len(arms))
    out = {}
    for key, sc in arms.items():
        out[key] = run(sc, depressed)
        tick(len(depressed))
    return _Runs(base, base_ok, depressed, out)


def _simulate_reference(
    patients: list[Patient],
    base_sc: Scenario,
    arms: dict[str, Scenario],
    outputs: list[str],
    tick: Callable[[int], None],
) -> _Runs:
    """Every arm patient by patient on the reference engine (libRoadRunner)."""
    from mtorlab._api import reference_engine

    shape = (base_sc.n_points(), len(outputs))
    base = np.full((len(patients), *shape), math.nan)
    base_ok = np.zeros(len(patients), bool)
    values = {k: np.full((len(patients), *shape), math.nan) for k in arms}
    ok = {k: np.zeros(len(patients), bool) for k in arms}
    depressed: list[int] = []
    for i, p in enumerate(patients):
        df = _run(base_sc, p, outputs)
        if df is not None:
            base[i], base_ok[i] = df[outputs].to_numpy(float), True
        if _depressed(base[i : i + 1], base_ok[i : i + 1], outputs):
            depressed.append(i)
            tick(1)
            for key, sc in arms.items():
                df = _run(sc, p, outputs)
                if df is not None:
                    values[key][i], ok[key][i] = df[outputs].to_numpy(float), True
                tick(1)
        else:
            tick(1 + len(arms))
        reference_engine()._steady.clear()  # patients never repeat: keep memory flat
    arm_runs = {k: (values[k][depressed], ok[k][depressed]) for k in arms}
    return _Runs(base, base_ok, depressed, arm_runs)


def _depressed(base: np.ndarray, ok: np.ndarray, outputs: list[str]) -> list[int]:
    """Patients whose simulation ran and whose baseline MADRS is in the depressed range."""
    k = outputs.index("madrs")
    cut = load_population().depressed_min
    return [i for i in range(len(base)) if ok[i] and not float(base[i, 0, k]) < cut]


def _prior_courses(
    profile: Profile,
    patients: list[Patient],
    simulate: Callable[..., _Runs],
    tick: Callable[[int], None],
    extensions: tuple[dict[str, Any], ...] = (),
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    """Per prior drug class: (untreated MADRS, treated MADRS, ok) at the end of the class's
    regimen for the depressed patients, and the regimen's length in hours."""
    from mtorlab.scenario import parse_quantity

    out = {}
    for cls in profile.nonresponse_classes():
        spec = drug_classes()[cls]
        dur = parse_quantity(spec["duration"], "time").value
        step = min(24.0, dur)
        untreated = strategy_scenario(Strategy("untreated", "", (), (), extensions), dur, step)
        regimen = Strategy(cls, "", tuple(spec["regimen"]), (), extensions)
        treated = strategy_scenario(regimen, dur, step)
        r = simulate(patients, untreated, {cls: treated}, ["madrs"], tick)
        vals, ok = r.arms[cls]
        out[cls] = (r.base[r.depressed, -1, 0], vals[:, -1, 0], ok, dur)
    return out


@dataclass
class _Layer:
    """The clinical layer of the depressed patients: rated baseline, nonspecific fraction, the
    rated MADRS on placebo at the horizon, and who responded to a prior class (excluded)."""

    y0: np.ndarray
    fraction: np.ndarray
    noise_end: np.ndarray
    onset_end: float
    placebo_end: np.ndarray
    excluded: np.ndarray


def _layer(
    patients: list[Patient],
    runs: _Runs,
    madrs: int,
    horizon_h: float,
    seed: int,
    prior: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, float]],
) -> _Layer:
    """Draw each depressed patient's clinical layer (its own generator) and rate it."""
    from mtorlab.clinical import clinical_params, draw, onset, rated

    params = clinical_params()
    idx = runs.depressed
    base = runs.base[idx, 0, madrs]
    untreated_end = runs.base[idx, -1, madrs]
    draws = [draw(np.random.default_rng([seed, LAYER_STREAM, patients[i].index]), 2, params)
             for i in idx]  # fmt: skip
    frac = np.array([d.fraction for d in draws])
    e0 = np.array([d.noise[0] for d in draws])
    e1 = np.array([d.noise[1] for d in draws])
    zero = np.zeros(len(idx))
    y0 = rated(base[:, None], zero[:, None], base, frac, np.zeros(1), e0[:, None])[:, 0]
    f_end = float(onset(horizon_h, params))
    placebo = rated(untreated_end[:, None], zero[:, None], base, frac, np.array([f_end]),
                    e1[:, None])[:, 0]  # fmt: skip
    excluded = np.zeros(len(idx), bool)
    for c, (u_end, t_end, ok, dur) in enumerate(prior.values()):
        if len(idx) == 0:
            break
        rng = [np.random.default_rng([seed, PRIOR_STREAM, c, patients[i].index]) for i in idx]
        e = np.array([g.standard_normal(2) for g in rng]) * params.rating_noise_sd
        p0 = rated(base[:, None], zero[:, None], base, frac, np.zeros(1), e[:, :1])[:, 0]
        pe = rated(u_end[:, None], (t_end - u_end)[:, None], base, frac,
                   np.array([float(onset(dur, params))]), e[:, 1:])[:, 0]  # fmt: skip
        excluded |= ok & (pe <= 0.5 * p0)
    return _Layer(y0, frac, e1, f_end, placebo, excluded)


def _weights(profile: Profile, runs: _Runs, col: dict[str, int], layer: _Layer) -> np.ndarray:
    """Kernel weight on the measured readouts; 0 for a responder to a prior class."""
    measured = profile.measured()
    base = runs.base[runs.depressed, 0, :]
    z = np.zeros(len(runs.depressed))
    for k, v in measured.items():
        z += ((base[:, col[k]] - v) / BANDWIDTH[k]) ** 2
    w = np.exp(-0.5 * z)
    w[layer.excluded] = 0.0
    return w


def _strategy_rows(
    sid: str, runs: _Runs, layer: _Layer, w: np.ndarray, col: dict[str, int]
) -> list[dict[str, Any]]:
    """One row per depressed patient with a run: rated outcome of the strategy at the horizon."""
    from mtorlab.clinical import rated

    vals, ok = runs.arms[sid]
    k = col["madrs"]
    idx = runs.depressed
    base = runs.base[idx, 0, k]
    u_end = runs.base[idx, -1, k]
    effect = vals[:, -1, k] - u_end
    end = rated(u_end[:, None], effect[:, None], base, layer.fraction,
                np.array([layer.onset_end]), layer.noise_end[:, None])[:, 0]  # fmt: skip
    rows = []
    for j in range(len(idx)):
        if not ok[j]:
            continue
        y0, placebo = layer.y0[j], layer.placebo_end[j]
        rows.append({
            "strategy": sid, "w": float(w[j]), "response": bool(end[j] <= 0.5 * y0),
            "remission": bool(end[j] <= 10.0), "placebo_response": bool(placebo <= 0.5 * y0),
            "madrs_change": float(end[j] - y0), "madrs_vs_placebo": float(end[j] - placebo),
            "anxiety_peak": float(vals[j, :, col["anxiety_risk"]].max()),
            "immunosuppression_peak": float(vals[j, :, col["immunosuppression"]].max()),
        })  # fmt: skip
    return rows


def _summarise(d: pd.DataFrame, sid: str) -> dict[str, Any] | None:
    """Weighted rates with Wilson intervals at the Kish effective sample size, and the
    placebo-adjusted benefit (response minus the same patients' placebo response) with
    Newcombe's interval at that size (pairing ignored: conservative)."""
    from mtorlab.clinical._stats import newcombe

    w = d["w"].to_numpy(float)
    sw = w.sum()
    if sw <= 0:
        return None
    ess = sw**2 / (w**2).sum()
    rec: dict[str, Any] = {"strategy": sid, "ess": ess}
    for what in ("response", "remission", "placebo_response"):
        p_hat = float((w * d[what].to_numpy(float)).sum() / sw)
        lo, hi = wilson(p_hat * ess, ess)
        rec.update({what: p_hat, f"{what}_low": lo, f"{what}_high": hi})
    b = newcombe(rec["response"] * ess, ess, rec["placebo_response"] * ess, ess)
    rec.update({"benefit": b.estimate, "benefit_low": b.low, "benefit_high": b.high})
    for c in ("madrs_change", "madrs_vs_placebo", "anxiety_peak", "immunosuppression_peak"):
        rec[c] = float((w * d[c].to_numpy(float)).sum() / sw)
    return rec


def rank(
    profile: Profile,
    *,
    strategies: tuple[Strategy, ...] | None = None,
    n: int = 50,
    horizon_h: float = 14 * 24.0,
    seed: int = 1,
    step_h: float = 24.0,
    progress: Any = None,
    engine: str = "batch",
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Strategies ranked by placebo-adjusted response at the horizon.

    Every depressed virtual patient gets the clinical layer (``mtorlab.clinical``): a rated
    baseline, a nonspecific (placebo) fraction and rating noise, the same for every strategy
    (common random numbers), so ``response`` includes the placebo response the patient would
    have on any treatment, ``placebo_response`` is the same patients on placebo and
    ``benefit`` is their difference. Patients the model has responding to a drug class the
    profile did not respond to (``prior_treatments``; rated with the layer at the end of the
    class's regimen) are excluded. Returns the table (explanations as data in
    ``table.attrs["explanations"]``) and facts (patients, effective sample size, whether it
    is below :data:`ESS_WARN`).
    """
    import pandas as pd

    import mtorlab as mt

    if engine not in ENGINES:
        raise MtorlabError(f"--engine must be 'batch' or 'reference', not {engine!r}")
    strats = strategies if strategies is not None else load_strategies()
    patients = _population(profile, n, seed)
    # the strategies' model extensions (rank --extension) hold for the untreated arm and the
    # prior-treatment courses too
    exts = next((s.extensions for s in strats if s.extensions), ())
    base_sc = strategy_scenario(Strategy("untreated", "", (), (), exts), horizon_h, step_h)
    scenarios = {s.id: strategy_scenario(s, horizon_h, step_h) for s in strats}
    by_id = {s.id: s for s in strats}
    outputs = list(dict.fromkeys([*READOUTS, *mt.model().readout_ids_for(base_sc.species)]))
    col = {r: k for k, r in enumerate(outputs)}
    mech = [k for k, r in enumerate(outputs) if r not in NOT_MECHANISTIC]
    classes = profile.nonresponse_classes()
    total = len(patients) * (1 + len(scenarios) + 2 * len(classes))
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, total)

    simulate = _simulate_batch if engine == "batch" else _simulate_reference
    runs = simulate(patients, base_sc, scenarios, outputs, tick)
    prior = _prior_courses(profile, patients, simulate, tick, exts)
    layer = _layer(patients, runs, col["madrs"], horizon_h, seed, prior)
    w = _weights(profile, runs, col, layer)
    facts = {
        "n_sampled": float(len(patients)),
        "n_depressed": float(len(w)),
        "n_excluded_prior": float(layer.excluded.sum()),
        "ess": float(w.sum() ** 2 / (w**2).sum()) if w.sum() > 0 else 0.0,
        "ess_threshold": ESS_WARN,
    }
    facts["ess_warning"] = float(facts["ess"] < ESS_WARN)
    if w.sum() <= 0:
        raise MtorlabError("no virtual patient matches the profile; relax it or raise --n")
    rows = [r for sid in scenarios for r in _strategy_rows(sid, runs, layer, w, col)]
    data = pd.DataFrame(rows)
    out, explanations = [], {}
    for sid in scenarios:
        rec = _summarise(data[data["strategy"] == sid], sid) if rows else None
        if rec is None:
            continue
        vals, ok = runs.arms[sid]
        base = runs.base[runs.depressed]
        rel = [(float(w[j]), relative_change(vals[j, -1, mech], base[j, -1, mech]))
               for j in range(len(w)) if ok[j]]  # fmt: skip
        explanations[sid] = explain(by_id[sid], weighted_changes(rel, [outputs[k] for k in mech]))
        rec["explanation"] = explanation_text(explanations[sid])
        rec["human_evidence"] = by_id[sid].human_evidence
        rec["warnings"] = list(by_id[sid].warnings)
        out.append(rec)
    if not out:
        raise MtorlabError("no strategy could be simulated for the profile's patients")
    facts["placebo_response"] = float(out[0]["placebo_response"])
    table = pd.DataFrame(out).sort_values(
        ["benefit", "madrs_vs_placebo", "strategy"], ascending=[False, True, True],
        ignore_index=True,
    )  # fmt: skip
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs["explanations"] = {sid: explanations[sid] for sid in table["strategy"]}
    return table, facts
