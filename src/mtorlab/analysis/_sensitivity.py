"""Global sensitivity of a scenario's readout to the model's parameters, with SALib.

The parameters varied are the mechanistic ones (roles ``rate``, ``gain``, ``constant``)
over their plausible ranges, sampled in log10 space where the range is positive. Each is
assigned the context of the reactions and rules that use it (neuron, glia, cell fate,
periphery, phenotype), so results can be read, and Sobol indices computed, per context.
The healthy reference levels (``*_ref``) are held fixed: a sample is a patient whose
parameters differ from the reference population's, not a renormalised model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.ode import Model
    from mtorlab.scenario import Scenario

ROLES = ("rate", "gain", "constant")
METHODS = ("morris", "sobol")


def parameter_contexts(model: Model) -> dict[str, str]:
    """The context of each parameter: the most common context of the records using it."""
    from mtorlab.ode import parse_equation, symbols

    uses: dict[str, Counter[str]] = {}
    for r in model.reactions.values():
        reactants, products = parse_equation(r.equation)
        names = [n for n, _ in reactants + products]
        ctx = model.species[names[0]].context if names else "periphery"
        for s in symbols(r.rate):
            uses.setdefault(s, Counter())[ctx] += 1
    for a in model.assignments.values():
        for s in symbols(a.formula):
            uses.setdefault(s, Counter())[a.context] += 1
    return {p: uses[p].most_common(1)[0][0] for p in model.parameters if p in uses}


def _problem(model: Model, groups: bool) -> tuple[dict[str, Any], list[str], np.ndarray]:
    ctx = parameter_contexts(model)
    names = [p.id for p in model.parameters.values() if p.role in ROLES and p.id in ctx]
    names = [n for n in names if model.parameters[n].range[0] < model.parameters[n].range[1]]
    logs = np.array([model.parameters[n].range[0] > 0 for n in names])
    lo = np.array([model.parameters[n].range[0] for n in names], dtype=float)
    hi = np.array([model.parameters[n].range[1] for n in names], dtype=float)
    lo[logs], hi[logs] = np.log10(lo[logs]), np.log10(hi[logs])
    problem: dict[str, Any] = {
        "num_vars": len(names),
        "names": names,
        "bounds": np.column_stack([lo, hi]).tolist(),
    }
    if groups:
        problem["groups"] = [ctx[n] for n in names]
    return problem, names, logs


def _evaluate(
    scenario: Scenario, readout: str, at_h: float, names: list[str], logs: np.ndarray,
    samples: np.ndarray, progress: Callable[[int, int], None] | None, engine: str = "batch",
) -> np.ndarray:  # fmt: skip
    """The readout at ``at_h`` for every sample (NaN where a sample has no steady state)."""
    values = np.where(logs, 10.0**samples, samples)
    rows = [dict(zip(names, map(float, v), strict=True)) for v in values]
    if engine == "batch":
        return _evaluate_batch(scenario, readout, at_h, rows, progress)
    return _evaluate_reference(scenario, readout, at_h, rows, progress)


def _evaluate_batch(
    scenario: Scenario, readout: str, at_h: float, rows: list[dict[str, float]],
    progress: Callable[[int, int], None] | None, chunk: int = 256,
) -> np.ndarray:  # fmt: skip
    import mtorlab as mt

    out = np.empty(len(rows))
    for a in range(0, len(rows), chunk):
        run = mt.simulate_batch(scenario, rows[a : a + chunk], outputs=[readout])
        for j in range(len(run.status)):
            ok = run.status[j] == 0
            out[a + j] = float(np.interp(at_h, run.times_h, run.values[j, :, 0])) if ok else np.nan
        if progress is not None:
            progress(min(a + chunk, len(rows)), len(rows))
    return out


def _evaluate_reference(
    scenario: Scenario, readout: str, at_h: float, rows: list[dict[str, float]],
    progress: Callable[[int, int], None] | None,
) -> np.ndarray:  # fmt: skip
    import mtorlab as mt
    from mtorlab._api import reference_engine
    from mtorlab.scenario import parameter_overrides

    out = np.empty(len(rows))
    for i, row in enumerate(rows):
        with parameter_overrides(row):
            try:
                df = mt.simulate(scenario, outputs=[readout])
                out[i] = float(np.interp(at_h, df["time_h"], df[readout]))
            except MtorlabError:
                out[i] = np.nan  # no steady state for this sample
        if i % 50 == 0:
            reference_engine()._steady.clear()  # samples never repeat: keep memory flat
        if progress is not None:
            progress(i + 1, len(rows))
    return out


def check_options(method: str, engine: str) -> None:
    """Refuse an unknown method or engine (before any work, e.g. before a progress bar)."""
    if method not in METHODS:
        raise MtorlabError(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    if engine not in ("batch", "reference"):
        raise MtorlabError(f"--engine must be 'batch' or 'reference', not {engine!r}")


def sensitivity(
    scenario: Scenario,
    readout: str,
    at_h: float,
    *,
    method: str = "morris",
    n: int = 10,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    engine: str = "batch",
) -> pd.DataFrame:
    """Morris elementary effects per parameter, or Sobol indices per context (``n`` base samples).

    Returns a table sorted by importance: for Morris ``mu_star``, ``sigma`` and the
    parameter's context; for Sobol, first-order ``S1`` and total ``ST`` per context with
    their 95% confidence half-widths. Samples whose simulation fails are dropped.
    """
    import pandas as pd

    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.scenario import check_plan

    check_options(method, engine)
    plan = check_plan(mt.model(), scenario, library(), f"scenario {scenario.name!r}")
    model = mt.model()
    if scenario.extensions:  # an extension's own parameters are sampled too
        from mtorlab.scenario._extension import extended_model

        model = extended_model(model, scenario.extensions)
    if readout not in plan.pk_readouts:  # a drug's concentration, or a model readout
        plan.model.readout(readout)  # (an extension's readouts included)
    problem, names, logs = _problem(model, groups=method == "sobol")
    if method == "morris":
        from SALib.analyze import morris as analyze
        from SALib.sample import morris as sample

        x = sample.sample(problem, N=n, num_levels=4, seed=seed)
        y = _evaluate(scenario, readout, at_h, names, logs, x, progress, engine)
        ok = np.isfinite(y)
        if not ok.all():  # Morris needs whole trajectories: fill failures with the median
            y = np.where(ok, y, np.nanmedian(y))
        res = analyze.analyze(problem, x, y, num_levels=4, seed=seed)
        ctx = parameter_contexts(model)
        table = pd.DataFrame({"parameter": names, "context": [ctx[p] for p in names],
                              "mu_star": res["mu_star"], "sigma": res["sigma"]})  # fmt: skip
        return table.sort_values("mu_star", ascending=False, ignore_index=True)
    from SALib.analyze import sobol as analyze_s
    from SALib.sample import sobol as sample_s

    x = sample_s.sample(problem, N=n, calc_second_order=False, seed=seed)
    y = _evaluate(scenario, readout, at_h, names, logs, x, progress, engine)
    y = np.where(np.isfinite(y), y, np.nanmedian(y))
    res = analyze_s.analyze(problem, y, calc_second_order=False, seed=seed)
    contexts = sorted(set(problem["groups"]), key=problem["groups"].index)
    table = pd.DataFrame({"context": contexts, "S1": res["S1"], "S1_conf": res["S1_conf"],
                          "ST": res["ST"], "ST_conf": res["ST_conf"]})  # fmt: skip
    return table.sort_values("ST", ascending=False, ignore_index=True)
