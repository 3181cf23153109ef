"""Benchmark: the batch engine vs a plain libRoadRunner loop, at equal accuracy, same cores.

Run with ``.venv/bin/python benchmarks/bench_batch.py [--n 10000] [--check 100]``.

Workload (issue #7): a virtual cohort (patients drawn by ``mtorlab.cohort``'s sampler,
seed 1) with 28 days of daily oral fluoxetine 20 mg, chronic stress 0.8, readouts every
day. Both sides start every patient from the same steady state (computed once, not
timed) and report every model readout at every day.

Equal accuracy: a tight libRoadRunner run (rtol 1e-10, atol 1e-14) is the reference on
``--check`` patients. Each engine is then run at the loosest tolerances of a ladder that
still keeps every readout within 1e-3 relative (or 1e-6 absolute; ``anxiety_risk``, a ramp
of the 5-HT excess, declares 1e-5 in readouts.yaml) of that reference,
so neither side wins by being sloppier. Equal cores: libRoadRunner runs as one process
per core (``multiprocessing``), the batch engine as one thread per core (its compiled
kernels release the GIL).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time
from typing import Any

import numpy as np

SCENARIO = """
name: bench-daily-fluoxetine
species: human
duration: 28 d
output_step: 1 d
condition: {chronic_stress: 0.8}
interventions:
  - drug: fluoxetine
    dose: 20 mg
    route: po
    schedule: {start: 0 d, every: 1 d, count: 28}
"""
LADDER = [(1e-2, 1e-5), (3e-3, 1e-6), (1e-3, 1e-6), (3e-4, 1e-7), (1e-4, 1e-8),
          (3e-5, 1e-9), (1e-5, 1e-10), (1e-6, 1e-11)]  # fmt: skip
_W: dict[str, Any] = {}


def setup() -> dict[str, Any]:
    """Scenario plan, SBML, selections and the base parameter row."""
    import yaml

    import mtorlab as mt
    from mtorlab.interventions import load_library
    from mtorlab.io import to_sbml
    from mtorlab.pk import plan_scenario
    from mtorlab.scenario import validate_scenario

    model = mt.model()
    sc = validate_scenario(yaml.safe_load(SCENARIO), "bench", model.readout_ids)
    plan = plan_scenario(model, sc, load_library())
    return {
        "model": model,
        "plan": plan,
        "sbml": to_sbml(plan.model, miriam=False),
        "t_end": sc.duration_h,
        "n_points": 29,
        "selections": [model.readout(r).target for r in model.readout_ids],
        "base": model.condition_inputs(sc.condition.as_inputs()),
    }


def patients(n: int, base: dict[str, float]) -> list[dict[str, float]]:
    """Parameter rows of ``n`` patients (the cohort sampler's variability, seed 1)."""
    from mtorlab.cohort._population import sample_patient

    return [{**base, **sample_patient(1, i, None).overrides()} for i in range(n)]


def agree(a: np.ndarray, b: np.ndarray) -> bool:
    """Every value within 1e-3 relative or its readout's absolute floor (1e-6 unless the
    readout declares one) of the reference (NaN fails)."""
    import mtorlab as mt
    from mtorlab.engines.batch import agree as agree_each
    from mtorlab.engines.batch import agreement_floors

    return bool(np.all(agree_each(a, b, agreement_floors(mt.model(), mt.model().readout_ids))))


# ---- libRoadRunner side (one process per core)
def _rr_init(sbml: str, rtol: float, atol: float, plan: Any, t_end: float, sel: list[str]) -> None:
    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.engines._roadrunner import Tolerances

    _W.update(
        engine=RoadRunnerEngine(sbml, tolerances=Tolerances(rtol=rtol, atol=atol)),
        plan=plan,
        t_end=t_end,
        sel=sel,
    )


def _rr_run(job: tuple[dict[str, float], np.ndarray]) -> np.ndarray:
    params, y0 = job
    eng, plan = _W["engine"], _W["plan"]
    try:
        out = eng.simulate(params, t_end=_W["t_end"], n_points=29, selections=_W["sel"], y0=y0,
                           changes=plan.changes, doses=plan.doses)  # fmt: skip
    except RuntimeError:
        return np.full((29, len(_W["sel"])), np.nan)
    return np.asarray(out[:, 1:])


class RoadRunnerPool:
    """libRoadRunner workers (one process per core) at fixed tolerances, kept warm."""

    def __init__(self, ctx: dict[str, Any], rtol: float, atol: float, procs: int) -> None:
        args = (ctx["sbml"], rtol, atol, ctx["plan"], ctx["t_end"], ctx["selections"])
        self.procs = procs
        self.pool = mp.get_context("fork").Pool(procs, initializer=_rr_init, initargs=args)

    def run(self, rows: list[dict[str, float]], y0: np.ndarray) -> tuple[np.ndarray, float]:
        """Values and wall seconds for these patients."""
        jobs = list(zip(rows, y0, strict=True))
        self.pool.map(_rr_run, jobs[: self.procs * 2])  # every worker loaded and warm
        t0 = time.perf_counter()
        out = self.pool.map(_rr_run, jobs, chunksize=max(1, len(jobs) // (self.procs * 8)))
        return np.stack(out), time.perf_counter() - t0

    def close(self) -> None:
        """Stop the workers."""
        self.pool.terminate()


def rr_cohort(ctx: dict[str, Any], rows: list[dict[str, float]], y0: np.ndarray,
              rtol: float, atol: float, procs: int) -> tuple[np.ndarray, float]:  # fmt: skip
    """libRoadRunner over every patient; (values, wall seconds)."""
    pool = RoadRunnerPool(ctx, rtol, atol, procs)
    try:
        return pool.run(rows, y0)
    finally:
        pool.close()


def batch_cohort(
    engine: Any, ctx: dict[str, Any], P: np.ndarray, y0: np.ndarray
) -> tuple[Any, float]:
    """The batch engine over every patient; (result, wall seconds)."""
    plan = ctx["plan"]
    t0 = time.perf_counter()
    res = engine.simulate(P, y0=y0, t_end=ctx["t_end"], n_points=ctx["n_points"],
                          selections=ctx["selections"], changes=plan.changes,
                          doses=plan.doses)  # fmt: skip
    return res, time.perf_counter() - t0


def side_by_side(engine: Any, ctx: dict[str, Any], rows: list[dict[str, float]], P: np.ndarray,
                 y0: np.ndarray, y0_rr: np.ndarray, rr_tol: tuple[float, float],
                 procs: int, blocks: int = 10) -> tuple[float, float, np.ndarray]:  # fmt: skip
    """Wall seconds of both engines over every patient, timed in alternating blocks so
    that the machine's slow drifts fall on both sides alike; and the batch step counts."""
    pool = RoadRunnerPool(ctx, rr_tol[0], rr_tol[1], procs)
    t_rr = t_b = 0.0
    steps = []
    try:
        for part in np.array_split(np.arange(len(rows)), blocks):
            _, dt = pool.run([rows[i] for i in part], y0_rr[part])
            t_rr += dt
            res, dt = batch_cohort(engine, ctx, P[part], y0[part])
            t_b += dt
            steps.append(res.steps[:, 0])
    finally:
        pool.close()
    return t_rr, t_b, np.concatenate(steps)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="cohort size timed")
    parser.add_argument("--check", type=int, default=100, help="patients in the accuracy check")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--n-default", type=int, default=1000,
                        help="patients timed at the cohort default tolerances")  # fmt: skip
    a = parser.parse_args()
    from mtorlab.engines.batch import BatchEngine, BatchTolerances

    ctx = setup()
    rows = patients(max(a.n, a.check), ctx["base"])
    engine = BatchEngine(ctx["plan"].model, threads=a.procs)
    P = engine.parameter_matrix(rows)
    t0 = time.perf_counter()
    y0, status = engine.steady_states(P)
    t_ss = time.perf_counter() - t0
    keep = np.flatnonzero(status == 0)
    print(f"{len(rows)} patients drawn, {len(keep)} with a stable steady state "
          f"(batch steady states: {t_ss / len(rows) * 1e6:.0f} us/patient, "
          "first-call compilation included)")  # fmt: skip
    rows = [rows[i] for i in keep]
    P, y0 = P[keep], y0[keep]
    # species order of the reference engine
    from mtorlab.engines import RoadRunnerEngine

    order = [engine.compiled.species.index(s) for s in RoadRunnerEngine(ctx["sbml"]).species_ids]
    y0_rr = y0[:, order]
    c = min(a.check, len(rows))
    ref, _ = rr_cohort(ctx, rows[:c], y0_rr[:c], 1e-10, 1e-14, a.procs)
    print(f"reference: libRoadRunner rtol 1e-10 atol 1e-14 on {c} patients")

    def loosest(run: Any) -> tuple[float, float]:
        for rtol, atol in LADDER:
            if agree(run(rtol, atol), ref):
                return rtol, atol
        raise SystemExit("no tolerance on the ladder met the agreement")

    rr_tol = loosest(lambda r, t: rr_cohort(ctx, rows[:c], y0_rr[:c], r, t, a.procs)[0])

    def batch_values(rtol: float, atol: float) -> np.ndarray:
        engine.tolerances = BatchTolerances(rtol=rtol, atol=atol)
        return batch_cohort(engine, ctx, P[:c], y0[:c])[0].values

    b_tol = loosest(batch_values)
    method = engine.tolerances.method
    print(f"loosest tolerances meeting 1e-3 agreement: libRoadRunner rtol {rr_tol[0]:g} atol "
          f"{rr_tol[1]:g}; batch ({method}) rtol {b_tol[0]:g} atol {b_tol[1]:g}")  # fmt: skip
    n = min(a.n, len(rows))
    engine.tolerances = BatchTolerances(rtol=b_tol[0], atol=b_tol[1])
    batch_cohort(engine, ctx, P[:2], y0[:2])  # compiled and loaded before timing
    t_rr, t_batch, steps = side_by_side(
        engine, ctx, rows[:n], P[:n], y0[:n], y0_rr[:n], rr_tol, a.procs
    )
    print(f"{n} patients x 28 days, daily dosing, {a.procs} cores, equal accuracy:")
    print(f"  libRoadRunner loop ({a.procs} processes): {t_rr / n * 1e6:8.0f} us/patient")
    print(f"  batch engine ({a.procs} threads):        {t_batch / n * 1e6:8.0f} us/patient "
          f"(median {np.median(steps):.0f} {method} steps)")  # fmt: skip
    print(f"  throughput ratio batch / libRoadRunner: {t_rr / t_batch:.1f}x")
    # the batch engine at its default (cohort) tolerances, against the same libRoadRunner
    # loop at its loosest equal-accuracy tolerances: the comparison a user's cohort sees
    default = BatchTolerances()
    engine.tolerances = default
    ok = agree(batch_cohort(engine, ctx, P[:c], y0[:c])[0].values, ref)
    m = min(n, a.n_default)
    t_rr2, t_b2, steps2 = side_by_side(engine, ctx, rows[:m], P[:m], y0[:m], y0_rr[:m],
                                       rr_tol, a.procs)  # fmt: skip
    print(f"{m} patients, batch engine at the cohort defaults (rtol {default.rtol:g}, atol "
          f"{default.atol:g}; {'meets' if ok else 'MISSES'} the agreement bar): "
          f"libRoadRunner {t_rr2 / m * 1e6:.0f} us/patient, batch {t_b2 / m * 1e6:.0f} "
          f"us/patient (median {np.median(steps2):.0f} steps)")  # fmt: skip
    floor(engine, y0[0], P[0], float(np.median(steps)), a.procs, t_batch / n)
    print(
        f"ratio at the cohort defaults, batch / equal-accuracy libRoadRunner loop: "
        f"{t_rr2 / t_b2:.1f}x"
    )


def floor(engine: Any, y: np.ndarray, p: np.ndarray, steps: float, procs: int, per: float) -> None:
    """Per-step cost of each kernel (one core), and the floor it implies."""
    import numba  # type: ignore[import-untyped]

    mod = engine.compiled.module
    plan = engine._plan
    c = np.zeros(mod.N_CONST)
    mod.pre(p, c)
    n = len(y)
    f, J, M, dinv = np.zeros(n), np.zeros((n, n)), np.zeros((n, n)), np.zeros(n)

    @numba.njit
    def loop_rhs(
        k: int, y: Any, p: Any, c: Any, f: Any, J: Any, M: Any, dinv: Any, plan: Any
    ) -> None:
        pw = mod.pk_work(plan[9])
        for _ in range(k):
            mod.rhs(y, p, c, f, plan[9], pw)

    @numba.njit
    def loop_jac(
        k: int, y: Any, p: Any, c: Any, f: Any, J: Any, M: Any, dinv: Any, plan: Any
    ) -> None:
        pw = mod.pk_work(plan[9])
        for _ in range(k):
            mod.jac(y, p, c, J, plan[9], pw)

    @numba.njit
    def loop_lu(
        k: int, y: Any, p: Any, c: Any, f: Any, J: Any, M: Any, dinv: Any, plan: Any
    ) -> None:
        piv, prow, ppiv, ustart_, ucol_, us, uc, nzr, nzc, _pk = plan
        n = y.shape[0]
        b = np.ones((1, n))
        for _ in range(k):
            for z in range(nzr.shape[0]):
                M[nzr[z], nzc[z]] = -J[nzr[z], nzc[z]]
            for i in range(n):
                M[i, i] += 10.0
            mod.lu_factor(M, dinv, prow, ppiv, ustart_, ucol_)
            for _s in range(4):
                mod.lu_solve(M, dinv, b, 0, piv, prow, ppiv, us, uc)

    mod.jac(y, p, c, J, plan[9], mod.pk_work(plan[9]))
    costs = {}
    for name, fn in (("rhs", loop_rhs), ("jacobian", loop_jac), ("LU + 4 solves", loop_lu)):
        args = (y, p, c, f, J, M, dinv, plan)
        fn(1, *args)
        t0 = time.perf_counter()
        fn(100_000, *args)
        costs[name] = (time.perf_counter() - t0) / 100_000
    # RODAS4 per step: 5 right-hand sides, 1 Jacobian, 1 LU and 6 solves (~ LU + 4 solves x 1.4)
    step = 5 * costs["rhs"] + costs["jacobian"] + 1.4 * costs["LU + 4 solves"]
    print(
        "  kernel cost per call (one core): "
        + ", ".join(f"{k} {v * 1e9:.0f} ns" for k, v in costs.items())
    )
    print(f"  floor: (5 rhs + jacobian + LU + 6 solves) {step * 1e6:.2f} us/step x "
          f"{steps:.0f} steps / {procs} cores = {step * steps / procs * 1e6:.0f} us/patient; "
          f"measured {per * 1e6:.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
