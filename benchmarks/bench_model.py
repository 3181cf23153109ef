"""Benchmark: model build, SBML load, and a 28-day scenario through mt.simulate vs raw roadrunner.

Run with ``.venv/bin/python benchmarks/bench_model.py``. Both sides use the same SBML, the
same CVODE tolerances (rtol 1e-8, atol 1e-10), the same 673-point output grid and start
from the same (cached) steady state; the ratio is median(mt.simulate) / median(raw call).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall times (s) of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main(repeat: int = 50) -> float:
    """Print the figures; return the mt.simulate / raw-roadrunner ratio."""
    t0 = time.perf_counter()
    import roadrunner

    from mtorlab.io import to_sbml
    from mtorlab.ode import load_model

    t_import = time.perf_counter() - t0
    t_build = min(timed(load_model, 3))
    model = load_model()
    to_sbml(model)  # loads the knowledge base once, for the MIRIAM annotations
    t_sbml = min(timed(lambda: to_sbml(model), 3))
    sbml = to_sbml(model, miriam=False)  # exactly what the reference engine loads
    t0 = time.perf_counter()
    rr = roadrunner.RoadRunner(sbml)
    t_load_first = time.perf_counter() - t0
    t_load_again = min(timed(lambda: roadrunner.RoadRunner(sbml), 3))

    import mtorlab as mt
    from mtorlab.scenario import Scenario

    scenario = Scenario.model_validate(
        {
            "name": "bench-cums-28d",
            "species": "mouse",
            "duration": "28 d",
            "condition": {"chronic_stress": 0.8},
        }
    )
    t0 = time.perf_counter()
    frame = mt.simulate(scenario)  # first call: SBML build, JIT load, steady state
    t_first = time.perf_counter() - t0
    n_points, readouts = len(frame), list(frame.columns[1:])

    engine = mt._api.reference_engine()
    assert engine.sbml == sbml, "raw and API runs must use the same SBML"
    y0 = engine.steady_state(model.condition_inputs(scenario.condition.as_inputs()))
    for name, value in model.condition_inputs(scenario.condition.as_inputs()).items():
        rr[name] = value
    rr.integrator.relative_tolerance = engine.tolerances.rtol
    rr.integrator.absolute_tolerance = engine.tolerances.atol
    rr.timeCourseSelections = ["time", *readouts]

    def raw() -> object:
        rr.model.setFloatingSpeciesConcentrations(y0)
        rr.model.setTime(0.0)
        return rr.simulate(0.0, 672.0, n_points)

    raw_out = np.asarray(raw())
    assert np.allclose(raw_out, frame.to_numpy(), rtol=1e-6, atol=1e-9), "both sides must agree"
    t_raw = timed(raw, repeat)
    t_api = timed(lambda: mt.simulate(scenario), repeat)
    raw_med, api_med = statistics.median(t_raw), statistics.median(t_api)
    ratio = api_med / raw_med
    print(
        f"model: {len(model.species)} species, {len(model.reactions)} reactions, "
        f"{len(model.parameters)} parameters, {len(model.assignments)} assignment rules"
    )
    print(f"import (roadrunner + mtorlab.io/model): {t_import * 1e3:8.1f} ms")
    print(f"model build (YAML -> validated Model):  {t_build * 1e3:8.1f} ms")
    print(f"SBML build (libsbml, annotated):        {t_sbml * 1e3:8.1f} ms")
    print(f"SBML load in roadrunner (first JIT):    {t_load_first * 1e3:8.1f} ms")
    print(f"SBML load in roadrunner (again):        {t_load_again * 1e3:8.1f} ms")
    print(f"first mt.simulate (build+load+steady):  {t_first * 1e3:8.1f} ms")
    print(f"28-day run, {n_points} points x {len(readouts)} readouts, median of {repeat}:")
    print(f"  raw roadrunner simulate:  {raw_med * 1e3:7.2f} ms")
    print(f"  mt.simulate(scenario):    {api_med * 1e3:7.2f} ms")
    print(f"  ratio mt.simulate / raw:  {ratio:7.2f}  (goal <= 1.5)")
    return ratio


if __name__ == "__main__":
    main()
