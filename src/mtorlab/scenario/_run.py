"""Run a scenario on an engine: start from the condition's steady state, report readouts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mtorlab.errors import DataFileError, MtorlabError, UnknownIdError
from mtorlab.scenario._nonspecific import (
    EXPECTED,
    NEEDS_NONSPECIFIC,
    SOURCE,
    UNIT,
    expected_madrs,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.engines.batch import BatchEngine
    from mtorlab.interventions import Library
    from mtorlab.ode import Model
    from mtorlab.pk import Plan
    from mtorlab.scenario._schema import Scenario

EngineFor = Callable[["Model"], "RoadRunnerEngine"]
BatchEngineFor = Callable[["Model"], "BatchEngine"]

_OVERRIDES: ContextVar[dict[str, float] | None] = ContextVar("mtorlab_overrides", default=None)


def current_overrides() -> dict[str, float]:
    """Parameter values that replace the model's own in every simulation (see below)."""
    return dict(_OVERRIDES.get() or {})


@contextmanager
def parameter_overrides(values: Mapping[str, float]) -> Iterator[None]:
    """Simulate with some model parameters replaced (calibration, sensitivity analysis).

    Inside the ``with`` block every scenario run starts from the steady state of the
    changed parameters; outside it nothing changes. Nested blocks combine.
    """
    token = _OVERRIDES.set({**current_overrides(), **values})
    try:
        yield
    finally:
        _OVERRIDES.reset(token)


def output_ids(
    model: Model, scenario: Scenario, outputs: Sequence[str] | None, extra: Sequence[str] = ()
) -> list[str]:
    """Readouts to report: the call's ``outputs``, else the scenario's, else all.

    ``extra`` are the scenario's drug readouts (``conc_plasma:<drug>`` …), reported by
    default after the model's readouts.
    """
    chosen = list(outputs or scenario.outputs or (*model.readout_ids_for(scenario.species), *extra))
    for r in chosen:
        if r not in extra:
            model.readout(r)  # raises UnknownIdError with the nearest names
            problem = species_problem(model, r, scenario.species)
            if problem is not None:
                raise MtorlabError(f"scenario {scenario.name!r}: {problem}")
    return chosen


def species_problem(model: Model, readout: str, species: str) -> str | None:
    """Why a scenario of ``species`` cannot report ``readout`` (a rodent test in a human,
    a rating scale in a rat), naming what it can report instead; ``None`` if it can."""
    rec = model.readouts.get(readout)
    if rec is None or rec.species is None or species in rec.species:
        return None
    own = ", ".join(r for r in model.readout_ids_for(species) if model.readouts[r].species)
    return (
        f"readout {readout!r} ({rec.description}) is measured in {' and '.join(rec.species)} "
        f"only; a {species} scenario reports depression_score"
        + (f" and {own}" if own else "")
        + " instead"
    )


def _target(plan: Plan, model: Model, readout: str) -> str:
    if readout == EXPECTED:  # simulated as madrs, then rated (see _nonspecific)
        return model.readout(SOURCE).target
    if readout in plan.pk_readouts:
        return plan.pk_readouts[readout]
    if ":" in readout:
        raise UnknownIdError("drug readout", readout, tuple(plan.pk_readouts))
    return model.readout(readout).target


def _prepare(
    model: Model, scenario: Scenario, outputs: Sequence[str] | None, library: Library | None
) -> tuple[Plan, list[str], dict[str, float], int, list[str]]:
    """What both engines need: plan, readouts, parameters in force, grid size, targets.

    A problem with the plan (a drug, route, dose or dose time) raises DataFileError naming
    the scenario and, where there is one, the intervention and its field.
    """
    from mtorlab.pk import plan_scenario
    from mtorlab.scenario._resolve import scenario_library

    source = f"scenario {scenario.name!r}"
    try:
        plan = plan_scenario(model, scenario, scenario_library(scenario, library))
    except DataFileError:
        raise
    except MtorlabError as exc:
        raise _plan_error(exc, source) from None
    if scenario.nonspecific is None and EXPECTED in (outputs or scenario.outputs or ()):
        raise DataFileError(source, NEEDS_NONSPECIFIC, field="outputs")
    derived = (EXPECTED,) if scenario.nonspecific is not None else ()
    chosen = output_ids(plan.model, scenario, outputs, (*plan.pk_readouts, *derived))
    params = {
        **model.species_values(scenario.species),  # a behavioural test's own scoring window
        **model.condition_inputs(scenario.condition.as_inputs()),
        **current_overrides(),
    }
    n_points = scenario.n_points()
    targets = [_target(plan, plan.model, r) for r in chosen]
    return plan, chosen, params, n_points, targets


_AT_INTERVENTION = re.compile(r"^interventions #(\d+)\.([\w.]+): (.+)$", re.S)


def _plan_error(exc: MtorlabError, source: str) -> DataFileError:
    """``interventions #2.route: ...`` as a DataFileError with that entry and field."""
    m = _AT_INTERVENTION.match(str(exc))
    if m is None:
        return DataFileError(source, str(exc))
    return DataFileError(source, m.group(3), entry=f"interventions #{m.group(1)}", field=m.group(2))


def check_plan(model: Model, scenario: Scenario, library: Library | None, source: str) -> Plan:
    """Plan ``scenario`` as a run would (its drugs, routes, formulations, doses and their
    times, its drugs' model inputs) without simulating it.

    Raises
    ------
    DataFileError
        Naming ``source`` (the file, say) and, where there is one, the intervention and
        its field.
    """
    with naming_source(scenario, source):
        return _prepare(model, scenario, None, library)[0]


@contextmanager
def naming_source(scenario: Scenario, source: str | None) -> Iterator[None]:
    """A plan error that names ``scenario 'its name'`` names ``source`` (its file) instead."""
    try:
        yield
    except DataFileError as exc:
        own = f"scenario {scenario.name!r}"
        if source is None or not exc.file.startswith(own):
            raise
        where = source + exc.file.removeprefix(own)
        raise DataFileError(where, exc.message, entry=exc.entry, field=exc.field) from None


def run_scenario(
    model: Model,
    engine_for: EngineFor,
    scenario: Scenario,
    outputs: Sequence[str] | None = None,
    library: Library | None = None,
) -> pd.DataFrame:
    """Simulate ``scenario``: column ``time_h`` (hours from its start), then one per readout.

    The system starts in the steady state of the scenario's condition (the animal or
    patient is already in that state at t = 0); doses follow the scenario's schedule.
    Drug concentrations (``conc_plasma:<drug>``, ``conc_brain:<drug>``) are in ng/mL.
    """
    import pandas as pd

    from mtorlab.pk import CONC_SCALE

    plan, chosen, params, n_points, targets = _prepare(model, scenario, outputs, library)
    engine = engine_for(plan.model)
    try:
        data = engine.simulate(
            params,
            t_end=scenario.duration_h,
            n_points=n_points,
            selections=targets,
            changes=plan.changes,
            doses=plan.doses,
        )
    except RuntimeError as exc:  # CVODE failures surface as RuntimeError
        raise MtorlabError(f"scenario {scenario.name!r}: the integrator failed: {exc}") from None
    frame = pd.DataFrame(data, columns=["time_h", *chosen])
    for col in chosen:
        if col.startswith(("conc_plasma:", "conc_brain:")):
            frame[col] = (frame[col] * CONC_SCALE).clip(lower=0.0)  # solver noise below 0
    if EXPECTED in chosen:
        frame[EXPECTED] = expected_madrs(frame["time_h"].to_numpy(), frame[EXPECTED].to_numpy(),
                                         str(scenario.nonspecific),
                                         _sessions(scenario))  # fmt: skip
    frame.attrs.update(
        scenario=scenario.name,
        species=scenario.species,
        condition=scenario.condition.as_inputs(),
        warnings=list(plan.warnings),
        doses=dose_list(scenario),
        units={c: readout_unit(plan.model, c) for c in chosen},
    )
    return frame


def _sessions(scenario: Scenario) -> list[float]:
    """Hours of the scenario's supervised doses (iv or intranasal), for ``madrs_expected``."""
    from mtorlab.clinical._model import session_times

    return session_times(scenario.interventions)


def dose_list(scenario: Scenario) -> list[dict[str, object]]:
    """Every dose of ``scenario`` in time order: ``time_h``, ``name``, ``dose`` (as
    written), ``route`` and ``over_h`` (an infusion's length, else None)."""
    out: list[dict[str, object]] = []
    for iv in scenario.interventions:
        times = iv.dose_times()
        over = iv.over.value if iv.over is not None else None
        out += [{"time_h": t, "name": iv.name, "dose": iv.dose.text, "route": iv.route,
                 "over_h": over} for t in times]  # fmt: skip
    return sorted(out, key=lambda d: float(d["time_h"]))  # type: ignore[arg-type]


def readout_unit(model: Model, readout: str) -> str:
    """The unit (or scale) of a readout: its model record's ``scale``; drug concentrations
    are ng/mL."""
    if readout.startswith(("conc_plasma:", "conc_brain:")):
        return "ng/mL"
    if readout.startswith("effect:"):
        return "effect level (reference dose = 1)"
    if readout == EXPECTED:
        return UNIT
    rec = model.readouts.get(readout)
    return rec.scale if rec is not None else ""


@dataclass(frozen=True)
class BatchRun:
    """A scenario run for many parameter sets: ``values[row, time, readout]``."""

    times_h: np.ndarray
    readouts: tuple[str, ...]
    values: np.ndarray
    status: np.ndarray  # 0 ok; otherwise see mtorlab.engines.batch.STATUS (row is NaN)
    #: each row's state at t = 0 (its steady state), by model species id
    states0: Mapping[str, np.ndarray] = field(default_factory=dict)

    def frame(self, row: int) -> pd.DataFrame:
        """One row's time course, in the shape :func:`run_scenario` returns."""
        import pandas as pd

        data = {
            "time_h": self.times_h,
            **{r: self.values[row, :, k] for k, r in enumerate(self.readouts)},
        }
        return pd.DataFrame(data)

    def take(self, rows: Sequence[int]) -> BatchRun:
        """The run of ``rows`` only (e.g. a warm start for those rows' treated arm)."""
        return BatchRun(self.times_h, self.readouts, self.values[rows], self.status[rows],
                        {k: v[rows] for k, v in self.states0.items()})  # fmt: skip


def run_scenario_batch(
    model: Model,
    engine_for: BatchEngineFor,
    scenario: Scenario,
    rows: Sequence[Mapping[str, float]],
    outputs: Sequence[str] | None = None,
    library: Library | None = None,
    *,
    times_h: Sequence[float] | None = None,
    warm_start: BatchRun | None = None,
) -> BatchRun:
    """:func:`run_scenario` for many parameter sets at once, on the batch engine.

    Each row's values replace the model's (after the scenario's condition and any
    :func:`parameter_overrides`); each row starts from its own steady state. Report
    times are the scenario's output grid unless ``times_h`` is given. ``warm_start``, a
    run of the same rows (e.g. the untreated arm of a cohort), only changes where each
    row's steady-state search starts: from that run's state at t = 0 (species this
    scenario's model lacks there, such as drug depots, at their initial value).
    """
    import numpy as np

    from mtorlab.pk import CONC_SCALE

    plan, chosen, base, n_points, targets = _prepare(model, scenario, outputs, library)
    engine = engine_for(plan.model)
    params = engine.parameter_matrix([{**base, **row} for row in rows])
    species = engine.compiled.species
    start = None
    if warm_start is not None and len(warm_start.status) != len(rows):
        raise MtorlabError(
            f"warm_start: a run of {len(warm_start.status)} rows, not the {len(rows)} given"
        )
    if warm_start is not None and warm_start.states0:
        start = np.tile(engine.compiled.initial, (len(rows), 1))
        for i, name in enumerate(species):
            if name in warm_start.states0:
                start[:, i] = warm_start.states0[name]
        start = np.where(np.isfinite(start), start, engine.compiled.initial)
    result = engine.simulate(
        params,
        t_end=scenario.duration_h,
        n_points=None if times_h is not None else n_points,
        times=times_h,
        selections=targets,
        changes=plan.changes,
        doses=plan.doses,
        start=start,
    )
    values = result.values
    for k, col in enumerate(chosen):
        if col.startswith(("conc_plasma:", "conc_brain:")):
            values[:, :, k] = np.clip(values[:, :, k] * CONC_SCALE, 0.0, None)
        elif col == EXPECTED:
            kind = str(scenario.nonspecific)
            values[:, :, k] = expected_madrs(result.times, values[:, :, k], kind,
                                             _sessions(scenario))  # fmt: skip
    states0 = {} if result.y0 is None else {n: result.y0[:, i] for i, n in enumerate(species)}
    return BatchRun(result.times, tuple(chosen), values, result.status, states0)
