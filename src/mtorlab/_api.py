"""The public Python API (``import mtorlab as mt``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mtorlab.kb import KnowledgeBase, load

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.ode import Model
    from mtorlab.scenario import Scenario


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The package's validated knowledge base (loaded once per process)."""
    return load()


@lru_cache(maxsize=1)
def model() -> Model:
    """The package's model (species, reactions, parameters with provenance, readouts).

    Use ``mt.model().trace("depression_score")`` for the reactions and knowledge-base
    mechanisms behind a readout.
    """
    from mtorlab.ode import load_model

    return load_model()


@lru_cache(maxsize=1)
def reference_engine() -> RoadRunnerEngine:
    """libRoadRunner loaded with the model's SBML (JIT-compiled once per process).

    The SBML is the exported one without the knowledge-base cross-references, which do
    not change the mathematics and would cost a knowledge-base load.
    """
    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.io import to_sbml

    return RoadRunnerEngine(to_sbml(model(), miriam=False))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (errors name file, field, value, allowed)."""
    from mtorlab.scenario import load_scenario_file

    return load_scenario_file(path, model().readout_ids)


def simulate(
    scenario: Scenario | str | Path, *, outputs: Sequence[str] | None = None
) -> pd.DataFrame:
    """Simulate a scenario (object or YAML path) on the reference engine.

    Parameters
    ----------
    scenario
        A :class:`~mtorlab.scenario.Scenario` or the path of a scenario file.
    outputs
        Readout ids to report (default: the scenario's ``outputs``, else every readout).

    Returns
    -------
    pandas.DataFrame
        Column ``time_h`` (hours from the scenario's start), then one column per readout.
    """
    from mtorlab.scenario import Scenario, run_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return run_scenario(model(), reference_engine(), sc, outputs)
