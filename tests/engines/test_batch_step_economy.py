"""Where the batch engine's steps go: report times no longer stop the integration (they are
read from each step's interpolant, under a defect check), and a PK depot's absolute
tolerance scales with the dose it holds (``atol_dose``). Both cut steps; every readout still
agrees with the reference engine."""

from __future__ import annotations

import dataclasses

import numpy as np

import mtorlab as mt
from mtorlab._api import batch_engine, model
from mtorlab.engines.batch import agree, agreement_floors
from mtorlab.scenario import Scenario
from mtorlab.scenario._run import _prepare

SCENARIO = Scenario(
    name="daily fluoxetine", species="human", duration="28 d",
    condition={"chronic_stress": 0.8}, output_step="6 h",
    interventions=[{"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                    "schedule": {"start": "0 d", "every": "1 d", "count": 28}}],
)  # fmt: skip


def _run(atol_dose: float) -> tuple[int, np.ndarray, list[str], object]:
    ref = mt.simulate(SCENARIO)
    outs = [c for c in ref.columns if c != "time_h"]
    plan, chosen, base, _n, targets = _prepare(model(), SCENARIO, outs, None)
    eng = batch_engine(plan.model)
    saved = eng.tolerances
    eng.tolerances = dataclasses.replace(saved, atol_dose=atol_dose)
    try:
        res = eng.simulate(eng.parameter_matrix([base]), t_end=SCENARIO.duration_h,
                           times=ref["time_h"].to_numpy(), selections=targets,
                           changes=plan.changes, doses=plan.doses)  # fmt: skip
    finally:
        eng.tolerances = saved
    got = res.values[0].copy()
    for k, c in enumerate(chosen):
        if c.startswith("conc_"):
            got[:, k] *= 1000.0  # mg/L -> ng/mL, as run_scenario reports them
    ok = agree(got, ref[chosen].to_numpy(), agreement_floors(plan.model, chosen))
    return int(res.steps[0, 0]), ok, chosen, (eng, plan)


def test_only_depots_get_the_dose_scaled_tolerance() -> None:
    _steps, _ok, _chosen, (eng, plan) = _run(1e-3)
    scales = eng._scales(eng.tolerances, plan.doses)  # type: ignore[attr-defined]
    names = eng.compiled.species  # type: ignore[attr-defined]
    depot = names.index("pk_fluoxetine_depot_po")
    dose = max(a for _t, d in plan.doses for s, a in d.items() if s == names[depot])  # type: ignore[attr-defined]
    assert scales[0, depot] == eng.tolerances.atol_dose * dose  # type: ignore[attr-defined]
    others = [i for i in range(len(names)) if i != depot]
    assert np.all(scales[0, others] <= eng.tolerances.atol)  # type: ignore[attr-defined]


def test_daily_oral_dosing_takes_fewer_steps_and_still_agrees() -> None:
    old_steps, old_ok, _, _ = _run(0.0)  # the depot held to atol alone, as before
    steps, ok, chosen, _ = _run(1e-3)
    assert old_ok.all() and ok.all(), [
        c for c, k in zip(chosen, ok.all(axis=0), strict=True) if not k
    ]
    assert steps < 0.7 * old_steps, (steps, old_steps)


def test_report_times_do_not_set_the_step_count() -> None:
    """An untreated month reported hourly (673 times, as a cohort reports it) takes a few
    dozen steps, not one per report time, and agrees with the reference at every hour."""
    sc = Scenario(name="untreated month", species="human", duration="28 d",
                  condition={"chronic_stress": 0.8}, output_step="1 h")  # fmt: skip
    ref = mt.simulate(sc)
    outs = [c for c in ref.columns if c != "time_h"]
    plan, chosen, base, _n, targets = _prepare(model(), sc, outs, None)
    eng = batch_engine(plan.model)
    eng.integrate_at_rest = True  # integrate it (by default a course at rest is read off y0)
    try:
        res = eng.simulate(eng.parameter_matrix([base]),
                           t_end=sc.duration_h, times=ref["time_h"].to_numpy(),
                           selections=targets)  # fmt: skip
    finally:
        del eng.integrate_at_rest
    assert len(ref) == 673 and 0 < int(res.steps[0, 0]) < 100, res.steps
    ok = agree(res.values[0], ref[chosen].to_numpy(), agreement_floors(plan.model, chosen))
    assert ok.all()
