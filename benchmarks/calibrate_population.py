"""Calibrate the cohort's peripheral between-person widths against published effect sizes.

Targets (depressed patients vs healthy controls, baseline, Cohen's d with pooled SD):

* serum BDNF, unmedicated depression: d = -0.7 (Molendijk ML et al. 2014, Mol Psychiatry
  19:791-800, meta-analysis);
* plasma IL-6: d = +0.45, the midpoint of 0.4-0.5 (Haapakoski R et al. 2015, Brain Behav
  Immun 49:206-215, meta-analysis).

Each level gets a log-normal multiplier with median 1 on one parameter that sets it (by
default ``f_serum_bdnf`` and ``f_il6_plasma``), appended after the packaged variability
entries so every other draw stays as it is. The widths are found one at a time: IL-6
first, because plasma IL-6 primes microglia and so moves MADRS and with it who counts as
depressed or healthy; then serum BDNF, which feeds back on nothing. For each, a grid of
sigmas is printed, then bisection between the grid points that bracket the target; the
chosen sigma is rounded to 0.01 and the final cohort evaluated at the rounded values.

Patients and controls are sampled exactly as ``run_cohort`` / ``effect_sizes`` do
(``sample_patient``; the same depressed and healthy MADRS filters) and simulated to their
baseline steady state on the batch engine. When the packaged subtype file already holds
the calibrated entries, the script also runs the ``mtorlab cohort`` path (``run_cohort``
and ``effect_sizes``) as a cross-check.

``--model-dir DIR`` calibrates against a candidate copy of the model data (e.g. one that
adds the set-point parameters) instead of the packaged model, for this process only.

Usage::

    .venv/bin/python benchmarks/calibrate_population.py [--seed 1] [--n 2000] [--model-dir DIR]
        [--il6-sigma S]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from collections.abc import Callable

import numpy as np

import mtorlab as mt
from mtorlab.cohort._population import Population, Variability, load_population, sample_patient
from mtorlab.scenario import ConditionBlock, Scenario, validate_scenario

TARGETS = {"il6_plasma": 0.45, "serum_bdnf": -0.7}
DEFAULT_PARAMETERS = {"il6_plasma": "f_il6_plasma", "serum_bdnf": "f_serum_bdnf"}
GRID = tuple(round(0.1 * k, 2) for k in range(16))  # sigma 0.0 ... 1.5
OUTPUTS = ["madrs", "serum_bdnf", "il6_plasma"]


def use_model(model_dir: str) -> None:
    """Make ``mt.model()`` the model in ``model_dir`` for this process (a candidate model)."""
    import mtorlab._api as api
    from mtorlab.ode import load_model

    candidate = load_model(model_dir)
    api.model = lambda: candidate  # type: ignore[assignment]  # simulate_batch, batch_engine
    mt.model = api.model  # load_population, Patient.overrides
    load_population.cache_clear()


def baseline_scenario() -> Scenario:
    """Baseline only: the steady state at t = 0 is what is compared."""
    return validate_scenario(
        {"name": "calibration", "species": "human", "duration": "1 h", "output_step": "1 h"},
        "calibration",
        mt.model().readout_ids,
    )


def check_moves_level(parameter: str, readout: str) -> float:
    """Relative change of the reference person's ``readout`` when ``parameter`` is x1.5."""
    model = mt.model()
    if parameter not in model.parameters:
        sys.exit(
            f"{parameter!r} is not a parameter of this model: the packaged model has no "
            f"parameter for a person's {readout} set point (see the module docstring; "
            "calibrate a candidate model with --model-dir)"
        )
    base = model.condition_inputs(ConditionBlock().as_inputs())
    rows = [base, {**base, parameter: 1.5 * model.parameters[parameter].value}]
    run = mt.simulate_batch(baseline_scenario(), rows, outputs=[readout])
    a, b = run.values[0, 0, 0], run.values[1, 0, 0]
    change = float(b / a - 1)
    if abs(change) < 1e-6:
        sys.exit(
            f"{parameter!r} x1.5 leaves the steady state of {readout} unchanged (it scales "
            "production and clearance alike): widening it cannot change the effect size"
        )
    return change


def with_widths(pop: Population, sigmas: dict[str, float]) -> Population:
    """The population with log-normal entries for ``sigmas`` (parameter: sigma).

    An entry the file already has for one of these parameters is replaced in place;
    others are appended in the order given. sigma 0 means no entry.
    """
    var: list[Variability | None] = list(pop.variability)
    for p, s in sigmas.items():
        entry = Variability(p, 0.0, math.inf, s) if s > 0 else None
        at = [k for k, v in enumerate(var) if v is not None and v.parameter == p]
        if at:
            var[at[0]] = entry
        elif entry is not None:
            var.append(entry)
    return dataclasses.replace(pop, variability=tuple(v for v in var if v is not None))


@dataclasses.dataclass
class Evaluation:
    d: dict[str, float]
    n_patients: int
    n_controls: int
    control_cv: dict[str, float]


def cohens_d(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's d of a vs b with the pooled SD (as ``mtorlab.cohort.cohens_d``)."""
    va, vb = a.var(ddof=1), b.var(ddof=1)
    pooled = ((len(a) - 1) * va + (len(b) - 1) * vb) / (len(a) + len(b) - 2)
    return float((a.mean() - b.mean()) / math.sqrt(pooled))


def evaluate(pop: Population, seed: int, n: int) -> Evaluation:
    """Baseline d of ``n`` sampled patients (all subtypes) vs ``n`` sampled controls."""
    model = mt.model()
    people = [sample_patient(seed, i, None, pop) for i in range(n)]
    people += [sample_patient(seed, i, "healthy", pop) for i in range(n)]
    rows = [
        {**model.condition_inputs(ConditionBlock(**p.condition).as_inputs()), **p.overrides()}
        for p in people
    ]
    run = mt.simulate_batch(baseline_scenario(), rows, outputs=OUTPUTS)
    v = run.values[:, 0, :]
    ok = run.status == 0
    madrs = v[:, 0]
    healthy = np.array([p.subtype == "healthy" for p in people])
    kept = ok & ~healthy & (madrs >= pop.depressed_min)
    controls = ok & healthy & (madrs <= pop.healthy_madrs_max)
    d, cv = {}, {}
    for k, r in enumerate(OUTPUTS[1:], start=1):
        d[r] = cohens_d(v[kept, k], v[controls, k])
        cv[r] = float(v[controls, k].std(ddof=1) / v[controls, k].mean())
    return Evaluation(d, int(kept.sum()), int(controls.sum()), cv)


def show(label: str, e: Evaluation) -> None:
    print(
        f"  {label:>14}  d(serum_bdnf) = {e.d['serum_bdnf']:+.3f}  d(il6_plasma) = "
        f"{e.d['il6_plasma']:+.3f}  patients {e.n_patients}  controls {e.n_controls}  "
        f"control CV: BDNF {e.control_cv['serum_bdnf']:.0%}, IL-6 {e.control_cv['il6_plasma']:.0%}",
        flush=True,
    )


def search(f: Callable[[float], Evaluation], readout: str) -> float:
    """Grid, then bisection of ``d(readout) = target`` between the bracketing grid points."""
    target = TARGETS[readout]
    gaps = []
    for s in GRID:
        e = f(s)
        show(f"sigma {s:.2f}", e)
        gaps.append(e.d[readout] - target)
    k = next((k for k in range(len(GRID) - 1) if gaps[k] * gaps[k + 1] <= 0), None)
    if k is None:
        sys.exit(f"no sigma in {GRID[0]}..{GRID[-1]} brackets d({readout}) = {target}")
    lo, hi, g_lo = GRID[k], GRID[k + 1], gaps[k]
    while hi - lo > 0.005:
        mid = 0.5 * (lo + hi)
        e = f(mid)
        show(f"sigma {mid:.4f}", e)
        g = e.d[readout] - target
        if g * g_lo > 0:
            lo, g_lo = mid, g
        else:
            hi = mid
    return round(0.5 * (lo + hi), 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=2000, help="patients, and as many controls")
    ap.add_argument("--model-dir", help="calibrate against this copy of the model data")
    ap.add_argument("--il6-parameter", default=DEFAULT_PARAMETERS["il6_plasma"])
    ap.add_argument("--bdnf-parameter", default=DEFAULT_PARAMETERS["serum_bdnf"])
    ap.add_argument(
        "--il6-sigma",
        type=float,
        help="use this IL-6 sigma instead of searching for it (when the target needs an "
        "implausible width)",
    )
    args = ap.parse_args()
    if args.model_dir:
        use_model(args.model_dir)
        print(f"model: candidate data in {args.model_dir}")
    else:
        print("model: packaged")
    param = {"il6_plasma": args.il6_parameter, "serum_bdnf": args.bdnf_parameter}
    for r, p in param.items():
        print(f"{p} x1.5 changes the reference person's {r} by {check_moves_level(p, r):+.1%}")
    committed = load_population()
    print(f"seed {args.seed}, {args.n} patients (all subtypes) + {args.n} healthy controls")
    print(f"targets: d(serum_bdnf) = {TARGETS['serum_bdnf']}, d(il6_plasma) = +0.45")
    t0 = time.perf_counter()

    def at(s_il6: float, s_bdnf: float) -> Evaluation:
        pop = with_widths(committed, {param["il6_plasma"]: s_il6, param["serum_bdnf"]: s_bdnf})
        return evaluate(pop, args.seed, args.n)

    show("no new widths", at(0.0, 0.0))
    if args.il6_sigma is None:
        print(f"IL-6: sigma of {param['il6_plasma']} (no serum BDNF width yet)")
        s_il6 = search(lambda s: at(s, 0.0), "il6_plasma")
    else:
        s_il6 = args.il6_sigma
        print(f"IL-6: sigma of {param['il6_plasma']} fixed at {s_il6} (--il6-sigma), not searched")
    print(f"serum BDNF: sigma of {param['serum_bdnf']} (IL-6 sigma {s_il6:.2f})")
    s_bdnf = search(lambda s: at(s_il6, s), "serum_bdnf")
    final = at(s_il6, s_bdnf)
    print(
        f"chosen: {param['il6_plasma']} sigma {s_il6:.2f}, {param['serum_bdnf']} sigma {s_bdnf:.2f}"
    )
    show("final", final)
    for r, s in (("il6_plasma", s_il6), ("serum_bdnf", s_bdnf)):
        print(
            f"  {r}: the factor alone has CV sqrt(exp(sigma^2) - 1) = "
            f"{math.sqrt(math.expm1(s * s)):.0%}; controls' CV in the model "
            f"{final.control_cv[r]:.0%}"
        )
    print("variability entries (append after the existing ones):")
    for r, s in (("il6_plasma", s_il6), ("serum_bdnf", s_bdnf)):
        print(f"  - {{parameter: {param[r]}, lognormal_sigma: {s:.2f}, why: ...}}")
    mine = {v.parameter: v.lognormal_sigma for v in committed.variability}
    if (
        not args.model_dir
        and mine.get(param["il6_plasma"]) == s_il6
        and mine.get(param["serum_bdnf"]) == s_bdnf
    ):
        from mtorlab.cohort import CohortSpec, effect_sizes, run_cohort

        res = run_cohort(CohortSpec(baseline_scenario(), args.seed), args.n)
        d = effect_sizes(res.summary, args.seed, args.n)
        print(
            "cross-check, run_cohort + effect_sizes on the packaged file: "
            f"d(serum_bdnf) = {d['serum_bdnf']:+.3f}, d(il6_plasma) = {d['il6_plasma']:+.3f}"
        )
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
