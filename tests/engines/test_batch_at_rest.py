"""Two shortcuts of the batch engine that a cohort takes on every patient, each checked
against the long way round:

- a course that starts in its stable steady state and meets no dose or switch (a cohort's
  untreated arm, its healthy controls) is read off that state instead of integrated;
- the treated arm's steady-state search starts from the untreated arm's steady state
  (``warm_start``), so rows already at rest skip the relaxation.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

import mtorlab as mt
from mtorlab._api import batch_engine, model
from mtorlab.engines.batch import RESTING_RESIDUAL, BatchEngine, agree, agreement_floors
from mtorlab.errors import MtorlabError
from mtorlab.scenario import Scenario
from mtorlab.scenario._run import _prepare

UNTREATED = Scenario(name="untreated", species="human", duration="7 d",
                     condition={"chronic_stress": 0.8}, output_step="6 h")  # fmt: skip
TREATED = Scenario(
    name="fluoxetine", species="human", duration="7 d",
    condition={"chronic_stress": 0.8}, output_step="6 h",
    interventions=[{"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                    "schedule": {"start": "0 d", "every": "1 d", "count": 7}}],
)  # fmt: skip


def _rows() -> list[dict[str, float]]:
    """Patients who differ in their stress, inflammation and diet (so in every state)."""
    m = model()
    conditions = [
        {"chronic_stress": 0.8},
        {"chronic_stress": 0.5, "inflammation": 0.6},
        {"chronic_stress": 0.9, "high_fat_diet": 1},
        {},
    ]
    return [m.condition_inputs(c) for c in conditions]


def _engine_for(sc: Scenario) -> tuple[BatchEngine, np.ndarray, list[str], list[str], Any]:
    plan, chosen, base, _n, targets = _prepare(model(), sc, None, None)
    eng = batch_engine(plan.model)
    params = eng.parameter_matrix([{**base, **row} for row in _rows()])
    return eng, params, chosen, targets, plan


class _CountingModule:
    """The compiled module, counting the rows each relaxation is asked to run."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self.relaxed_rows = 0

    def relax_batch(self, y: np.ndarray, *args: Any) -> Any:
        self.relaxed_rows += len(y)
        return self._module.relax_batch(y, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def _counting(eng: BatchEngine, monkeypatch: pytest.MonkeyPatch) -> _CountingModule:
    spy = _CountingModule(eng.compiled.module)
    monkeypatch.setattr(eng, "compiled", dataclasses.replace(eng.compiled, module=spy))
    return spy


def test_a_course_at_rest_reads_as_the_same_course_integrated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eng, params, chosen, targets, plan = _engine_for(UNTREATED)
    times = np.arange(0.0, 28 * 24 + 1, 1.0)  # a cohort's month, hourly
    read = eng.simulate(params, t_end=times[-1], times=times, selections=targets)
    monkeypatch.setattr(eng, "integrate_at_rest", True)
    run = eng.simulate(params, t_end=times[-1], times=times, selections=targets)
    assert (read.status == 0).all() and (run.status == 0).all()
    assert (read.steps[:, 0] == 0).all() and (run.steps[:, 0] > 0).all()
    floors = agreement_floors(plan.model, chosen)
    for b in range(len(params)):
        ok = agree(read.values[b], run.values[b], floors)
        assert ok.all(), [c for c, k in zip(chosen, ok.all(axis=0), strict=True) if not k]
    # and the state read is the state at t = 0 at every time
    np.testing.assert_array_equal(read.values[:, 0], read.values[:, -1])


def test_a_dose_or_a_switch_is_always_integrated() -> None:
    eng, params, _chosen, targets, plan = _engine_for(TREATED)
    res = eng.simulate(params, t_end=TREATED.duration_h, n_points=29, selections=targets,
                       changes=plan.changes, doses=plan.doses)  # fmt: skip
    assert (res.steps[:, 0] > 0).all()
    assert np.ptp(res.values, axis=1).max() > 0  # the drug moves something
    ueng, uparams, _c, utargets, _p = _engine_for(UNTREATED)
    name = "in_stress"
    col = ueng.compiled.parameters.index(name)
    switched = ueng.simulate(uparams, t_end=UNTREATED.duration_h, n_points=29,
                             selections=utargets,
                             changes=[(24.0, {name: float(uparams[0, col]) * 0.5})])  # fmt: skip
    assert (switched.steps[:, 0] > 0).all()
    assert np.ptp(switched.values, axis=1).max() > 0


def test_a_warm_start_at_rest_skips_the_relaxation_and_finds_the_same_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eng, params, *_ = _engine_for(UNTREATED)
    spy = _counting(eng, monkeypatch)
    cold, status = eng.steady_states(params)
    assert (status == 0).all() and spy.relaxed_rows == len(params)
    assert np.abs(eng.rhs(cold, params)).max() <= RESTING_RESIDUAL
    warm, wstatus = eng.steady_states(params, start=cold)
    assert (wstatus == 0).all() and spy.relaxed_rows == len(params)  # no row relaxed again
    np.testing.assert_allclose(warm, cold, rtol=1e-9, atol=1e-12)


def test_a_warm_start_away_from_rest_still_relaxes_to_the_steady_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eng, params, *_ = _engine_for(UNTREATED)
    cold, _ = eng.steady_states(params)
    spy = _counting(eng, monkeypatch)
    start = cold.copy()
    start[1:] *= 1.5  # every row but the first pushed well away from rest
    warm, status = eng.steady_states(params, start=start)
    assert (status == 0).all() and spy.relaxed_rows == len(params) - 1
    np.testing.assert_allclose(warm, cold, rtol=1e-6, atol=1e-9)


def test_the_treated_arm_warm_started_from_the_untreated_one_is_the_same_run() -> None:
    rows = _rows()
    untreated = mt.simulate_batch(UNTREATED, rows)
    assert set(untreated.states0) >= set(model().species)
    cold = mt.simulate_batch(TREATED, rows)
    warm = mt.simulate_batch(TREATED, rows, warm_start=untreated)
    assert (cold.status == 0).all() and (warm.status == 0).all()
    plan = _prepare(model(), TREATED, None, None)[0]
    floors = agreement_floors(plan.model, list(cold.readouts))
    for b in range(len(rows)):
        ok = agree(warm.values[b], cold.values[b], floors)
        assert ok.all(), [c for c, k in zip(cold.readouts, ok.all(axis=0), strict=True) if not k]


def test_bad_warm_starts_are_clear_errors() -> None:
    rows = _rows()
    untreated = mt.simulate_batch(UNTREATED, rows[:2])
    with pytest.raises(MtorlabError, match="warm_start: a run of 2 rows, not the 4 given"):
        mt.simulate_batch(TREATED, rows, warm_start=untreated)
    eng, params, *_ = _engine_for(UNTREATED)
    with pytest.raises(MtorlabError, match="start has shape"):
        eng.steady_states(params, start=np.zeros((1, 3)))
