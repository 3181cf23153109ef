"""Run a scenario on an engine: start from the condition's steady state, report readouts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.ode import Model
    from mtorlab.scenario._schema import Scenario


class InterventionsUnavailableError(MtorlabError):
    """A scenario lists interventions, which need the interventions library."""


def output_ids(model: Model, scenario: Scenario, outputs: Sequence[str] | None) -> list[str]:
    """Readouts to report: the call's ``outputs``, else the scenario's, else all."""
    chosen = list(outputs or scenario.outputs or model.readout_ids)
    for r in chosen:
        model.readout(r)  # raises UnknownIdError with the nearest names
    return chosen


def run_scenario(
    model: Model,
    engine: RoadRunnerEngine,
    scenario: Scenario,
    outputs: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Simulate ``scenario``: column ``time_h`` (hours from its start), then one per readout.

    The system starts in the steady state of the scenario's condition (the animal or
    patient is already in that state at t = 0).
    """
    import pandas as pd

    if scenario.interventions:
        names = ", ".join(sorted({i.name for i in scenario.interventions}))
        raise InterventionsUnavailableError(
            f"scenario {scenario.name!r} lists interventions ({names}); running interventions "
            "needs the interventions library, which this version does not include yet - "
            "remove `interventions:` to simulate the condition alone"
        )
    chosen = output_ids(model, scenario, outputs)
    params = model.condition_inputs(scenario.condition.as_inputs())
    n_points = round(scenario.duration_h / scenario.step_h()) + 1
    targets = [model.readouts[r].target for r in chosen]
    data = engine.simulate(
        params, t_end=scenario.duration_h, n_points=max(n_points, 2), selections=targets
    )
    frame = pd.DataFrame(data, columns=["time_h", *chosen])
    frame.attrs.update(
        scenario=scenario.name, species=scenario.species, condition=scenario.condition.as_inputs()
    )
    return frame
