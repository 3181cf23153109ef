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
    from mtorlab.interventions import Library
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


#: Engines by model identity; the value keeps the model alive so its id stays unique.
_ENGINES: dict[int, tuple[Model, RoadRunnerEngine]] = {}


def reference_engine(for_model: Model | None = None) -> RoadRunnerEngine:
    """libRoadRunner loaded with a model's SBML (default: the package's model).

    Engines are cached per model object and by SBML text, so each model (the base model,
    or the base model with a scenario's PK modules) is JIT-compiled once per process. The
    SBML omits the knowledge-base cross-references, which do not change the mathematics.
    """
    from mtorlab.io import to_sbml

    m = for_model or model()
    if id(m) not in _ENGINES:
        _ENGINES[id(m)] = (m, _engine_for_sbml(to_sbml(m, miriam=False)))
    return _ENGINES[id(m)][1]


@lru_cache(maxsize=16)
def _engine_for_sbml(sbml: str) -> RoadRunnerEngine:
    from mtorlab.engines import RoadRunnerEngine

    return RoadRunnerEngine(sbml)


@lru_cache(maxsize=8)
def library(*files: str) -> Library:
    """The intervention library: the built-in entries, extended by ``files`` in order."""
    from mtorlab.interventions import load_library

    return load_library(*files)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (errors name file, field, value, allowed)."""
    from mtorlab.scenario import load_scenario_file

    return load_scenario_file(path, model().readout_ids)


def simulate(
    scenario: Scenario | str | Path,
    *,
    outputs: Sequence[str] | None = None,
    library_files: Sequence[str | Path] = (),
) -> pd.DataFrame:
    """Simulate a scenario (object or YAML path) on the reference engine.

    Parameters
    ----------
    scenario
        A :class:`~mtorlab.scenario.Scenario` or the path of a scenario file.
    outputs
        Readout ids to report (default: the scenario's ``outputs``, else every readout).
    library_files
        Extra intervention-library files (new drugs as data), as ``--library`` does.

    Returns
    -------
    pandas.DataFrame
        Column ``time_h`` (hours from the scenario's start), then one column per readout.
    """
    from mtorlab.scenario import Scenario, run_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    lib = library(*(str(f) for f in library_files))
    return run_scenario(model(), reference_engine, sc, outputs, lib)
