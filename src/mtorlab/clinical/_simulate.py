"""Run a trial design on the cohort machinery and put the clinical layer on each patient.

Each arm (and, with a subtype mix, each subtype stratum of it) is a virtual cohort
(:class:`mtorlab.cohort.CohortSpec`) of the arm's scenario, with its own seed: patients of
different arms are independent draws from the same population, which is what randomisation
gives. The cohort machinery simulates every patient treated and untreated on the batch engine,
in chunks, in-process or on Dask (``scheduler``); results never depend on chunking. Patients
are screened in index order and the first ``n`` eligible ones (rated baseline within the
inclusion range, no exclusion, lead-in non-response where asked) are randomised, so a rerun
with the same seed randomises the same patients. The clinical layer (``_model``) draws each
patient's nonspecific fraction, rating errors and dropout from its own generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.clinical._model import HOURS_PER_WEEK, course, draw, rated, session_times
from mtorlab.clinical._params import ClinicalParams, clinical_params
from mtorlab.clinical._schema import Arm, Trial
from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.cohort import CohortSpec
    from mtorlab.scenario import Intervention, Scenario

CHUNK = 50  # patients per cohort chunk
LAYER_STREAM = 0x7C1A  # the clinical layer's generator stream (patients use 0 and 1)
MAX_SCREEN_FACTOR = 40  # give up after screening this many times n without enough eligible


def _text_h(hours: float) -> str:
    return f"{hours:.6g} h"


def _shifted(iv: Intervention, shift_h: float) -> dict[str, Any]:
    """A scenario intervention as a mapping, its times moved ``shift_h`` hours later."""
    d: dict[str, Any] = {"drug": iv.drug} if iv.drug else {"intervention": iv.intervention}
    d["dose"] = iv.dose.text
    for key in ("route", "formulation"):
        if getattr(iv, key) is not None:
            d[key] = getattr(iv, key)
    if iv.over is not None:
        d["over"] = iv.over.text
    if iv.at is not None:
        d["at"] = _text_h(iv.at.value + shift_h)
    elif iv.schedule is not None:
        s = iv.schedule
        d["schedule"] = {"start": _text_h(s.start.value + shift_h), "every": s.every.text,
                         "count": s.count}  # fmt: skip
    return d


def arm_scenario(trial: Trial, arm: Arm, source: str) -> tuple[Scenario, tuple[str, ...]]:
    """The arm's whole course (lead-in, then the arm from randomisation) as a human scenario,
    planned once so that an unknown drug or a dose after the end is reported up front; with
    the plan's warnings (an anaesthetic dose, a formulation outside its species)."""
    import mtorlab as mt
    from mtorlab.cohort import CohortSpec
    from mtorlab.cohort._run import _preflight
    from mtorlab.errors import DataFileError
    from mtorlab.scenario import Intervention, validate_scenario, with_drugs
    from mtorlab.scenario._run import naming_source

    lead = trial.lead_in_hours()
    ivs = []
    if trial.lead_in is not None:
        ivs += [
            _shifted(e, 0.0) for e in trial.lead_in.interventions if isinstance(e, Intervention)
        ]
    ivs += [_shifted(e, lead) for e in arm.simulated()]
    data = {
        "name": f"{trial.name}-{arm.id}"[:200],
        "species": "human",
        "duration": _text_h(lead + trial.duration.value),
        "output_step": _text_h(output_step(trial)),
        "interventions": ivs,
        "extensions": list(trial.extensions),
    }
    where = f"{source}: arms[{arm.id}]"
    data = with_drugs(data, trial.drugs)  # the trial's own drugs that this arm uses
    sc = validate_scenario(data, where, mt.model().readout_ids)
    try:
        with naming_source(sc, where):
            warnings = _preflight(CohortSpec(sc))
    except DataFileError:
        raise
    except MtorlabError as exc:
        raise MtorlabError(f"{where}: {exc}") from None
    return sc, warnings


def output_step(trial: Trial) -> float:
    """The coarsest report grid (hours) that holds every rating time, between 0.1 h and a
    day: the ratings are read off the grid, and fewer report times make each patient cheaper."""
    t, _ = course_hours(trial)
    tenths = [round(x * 10) for x in t]
    step = 0
    for x in tenths:
        step = math.gcd(step, x)
    return min(max(step, 1), 240) / 10.0


@dataclass(frozen=True)
class Stratum:
    """One cohort of the trial: an arm and a subtype (None: every subtype equally)."""

    arm: int
    index: int
    subtype: str | None
    n: int


def strata(trial: Trial) -> list[Stratum]:
    """The arm x subtype cohorts with their sizes (largest-remainder allocation)."""
    subs = trial.population.subtypes
    mix = [(None, 1.0)] if subs == "all" else list(subs.items())
    total = sum(w for _, w in mix)
    out = []
    for k, arm in enumerate(trial.arms):
        n = trial.n_for(arm)
        exact = [n * w / total for _, w in mix]
        counts = [math.floor(x) for x in exact]
        order = sorted(range(len(mix)), key=lambda j: (counts[j] - exact[j], j))
        for j in order[: n - sum(counts)]:
            counts[j] += 1
        out += [Stratum(k, j, mix[j][0], c) for j, c in enumerate(counts) if c > 0]
    return out


def _seed(trial_seed: int, s: Stratum) -> int:
    """The cohort seed of a stratum: independent patients per arm and subtype."""
    return int(np.random.SeedSequence([trial_seed, s.arm, s.index]).generate_state(1)[0])


def course_hours(trial: Trial) -> tuple[np.ndarray, np.ndarray]:
    """(times from the start of the course, times from randomisation) of every rating."""
    lead = trial.lead_in_hours()
    lead_visits = [0.0, lead] if trial.lead_in is not None else [0.0]
    if trial.lead_in is not None:
        lead_visits += [v.value for v in trial.lead_in.visits]
    hours = sorted({*lead_visits, *(lead + v for v in trial.visit_hours())})
    t = np.array(hours, dtype=float)
    return t, t - lead


def trial_sessions(trial: Trial) -> list[float]:
    """Course hours of the trial's supervised sessions (iv or intranasal doses). Blinding
    gives every arm the same sessions (a placebo spray or infusion on the drug's schedule), so
    they are gathered over all arms; the lead-in's own doses count from its start."""
    lead = trial.lead_in_hours()
    out = set() if trial.lead_in is None else set(session_times(trial.lead_in.interventions))
    for arm in trial.arms:
        out.update(session_times(arm.interventions, offset_h=lead))
    return sorted(out)


def _patient(
    row: dict[str, Any], trial: Trial, arm: Arm, s: Stratum, params: ClinicalParams
) -> dict[str, Any] | None:
    """The rated course of one simulated patient, or None when not eligible."""
    from mtorlab.cohort._run import tcol

    t, t_rand = course_hours(trial)
    mech_u = np.array([row[tcol("untreated_madrs", x)] for x in t], dtype=float)
    mech_t = np.array([row[tcol("madrs", x)] for x in t], dtype=float)
    base = float(row["baseline_madrs"])
    rng = np.random.default_rng([trial.seed, LAYER_STREAM, s.arm, s.index, int(row["patient"])])
    d = draw(rng, len(t), params, arm.nonspecific, trial.dropout.per_week)
    shape = course(t, params, trial_sessions(trial), arm.nonspecific)
    y = rated(mech_u, mech_t - mech_u, base, d.fraction, shape, d.noise)
    i0 = int(np.argmin(np.abs(t_rand)))  # the randomisation rating
    drop = trial.endpoints.response_drop
    lead_in = trial.lead_in
    if lead_in is not None and lead_in.randomise == "nonresponders" and y[i0] <= (1 - drop) * y[0]:
        return None  # responded in the lead-in
    inc = trial.population.inclusion
    if not inc.madrs_min <= y[i0] <= inc.madrs_max:
        return None
    return {"t": t, "t_rand": t_rand, "rated": y, "untreated": mech_u, "effect": mech_t - mech_u,
            "baseline_model": base, "fraction": d.fraction, "course": shape, "noise": d.noise,
            "dropout_week": d.dropout_week}  # fmt: skip


def _run_range(spec: CohortSpec, start: int, stop: int, scheduler: str | None) -> pd.DataFrame:
    """Patients ``start .. stop-1`` of a cohort, through the cohort machinery."""
    import pandas as pd

    from mtorlab.cohort._run import _dask, _local

    bounds = [(a, min(a + CHUNK, stop)) for a in range(start, stop, CHUNK)]
    chunks = _local(spec, bounds) if scheduler is None else _dask(spec, bounds, scheduler)
    parts = [df for _, df in sorted(chunks, key=lambda kd: kd[0])]
    return pd.concat(parts, ignore_index=True).sort_values("patient", ignore_index=True)


def _enrol(
    trial: Trial, s: Stratum, spec: CohortSpec, scheduler: str | None, tick: Callable[[int], None]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Screen patients of one stratum in index order until ``s.n`` are randomised."""
    params = clinical_params()
    arm = trial.arms[s.arm]
    guess = 0.4 if trial.lead_in is not None else 0.8
    taken: list[dict[str, Any]] = []
    screened = kept = 0
    while len(taken) < s.n:
        need = s.n - len(taken)
        rate = (len(taken) / screened) if screened and taken else guess
        size = math.ceil(need / max(rate, 0.02) * 1.15) + 5
        if screened + size > MAX_SCREEN_FACTOR * s.n + 1000:
            raise MtorlabError(
                f"arm {arm.id!r}: only {len(taken)} of {screened} screened patients were "
                f"eligible (n wanted {s.n}); relax population.inclusion or the exclusions"
            )
        df = _run_range(spec, screened, screened + size, scheduler)
        screened += size
        tick(size)
        for row in df.to_dict("records"):
            if row["status"] != "kept" or len(taken) >= s.n:
                continue
            kept += 1
            cond = {k.removeprefix("cond_"): _plain(v) for k, v in row.items()
                    if k.startswith("cond_")}  # fmt: skip
            if trial.population.excludes(cond):
                continue
            p = _patient(row, trial, arm, s, params)
            if p is not None:
                p.update(patient=int(row["patient"]), subtype=row["subtype"], condition=cond)
                taken.append(p)
    return taken, {"screened": screened, "model_depressed": kept, "randomised": len(taken)}


def _plain(v: Any) -> Any:
    """A numpy scalar of a table row as a Python value."""
    return v.item() if hasattr(v, "item") else v


@dataclass
class TrialRun:
    """Every randomised patient's rated course (a long table) and the screening counts."""

    trial: Trial
    patients: pd.DataFrame
    screening: pd.DataFrame
    #: the arms' plan warnings, each prefixed with its arm ("arm ketamine: ...")
    warnings: tuple[str, ...] = ()


def run_trial(
    trial: Trial,
    *,
    source: str = "trial",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TrialRun:
    """Simulate the trial: screen, randomise, rate every visit. See the module docstring."""
    import pandas as pd

    from mtorlab.cohort import CohortSpec
    from mtorlab.cohort._run import check_scheduler

    check_scheduler(scheduler)
    planned = [arm_scenario(trial, arm, source) for arm in trial.arms]
    scenarios = [sc for sc, _ in planned]
    warnings = tuple(f"arm {arm.id}: {w}" for arm, (_, ws) in zip(trial.arms, planned, strict=True)
                     for w in ws)  # fmt: skip
    t, _ = course_hours(trial)
    plan = strata(trial)
    total = sum(s.n for s in plan)
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, max(total, done))

    records, counts = [], []
    for s in plan:
        spec = CohortSpec(scenarios[s.arm], _seed(trial.seed, s), s.subtype,
                          times_h=tuple(float(x) for x in t), engine=trial.engine)  # fmt: skip
        taken, c = _enrol(trial, s, spec, scheduler, tick)
        counts.append({"arm": trial.arms[s.arm].id, "subtype": s.subtype or "all", **c})
        records += [_long_rows(trial, trial.arms[s.arm], p) for p in taken]
    patients = pd.DataFrame([r for rows in records for r in rows])
    return TrialRun(trial, patients, pd.DataFrame(counts), warnings)


def _long_rows(trial: Trial, arm: Arm, p: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per rating of a randomised patient (lead-in ratings have negative times)."""
    i0 = int(np.argmin(np.abs(p["t_rand"])))
    y0 = float(p["rated"][i0])
    out = []
    last = math.nan
    for i, (tc, tr) in enumerate(zip(p["t"], p["t_rand"], strict=True)):
        seen = tr <= 0 or tr / HOURS_PER_WEEK < p["dropout_week"]
        y = float(p["rated"][i]) if seen else math.nan
        if tr >= 0 and seen:
            last = y
        carried = y if seen else (last if trial.analysis.missing == "locf" else math.nan)
        out.append({
            "arm": arm.id, "patient": p["patient"], "subtype": p["subtype"],
            **{f"cond_{k}": v for k, v in p["condition"].items()},
            "phase": "lead_in" if tr < 0 else "randomised", "visit_h": float(tr),
            "course_h": float(tc), "observed": bool(seen), "madrs_rated": y,
            "madrs": carried, "baseline": y0, "change": carried - y0,
            "mechanistic_untreated": float(p["untreated"][i]),
            "mechanistic_effect": float(p["effect"][i]),
            "nonspecific": float(p["baseline_model"] * p["fraction"] * p["course"][i]),
            "rating_error": float(p["noise"][i]), "nonspecific_fraction": p["fraction"],
            "dropout_week": p["dropout_week"],
        })  # fmt: skip
    return out
