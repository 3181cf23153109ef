"""The public Python API (``import mtorlab as mt``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mtorlab._cache import BoundedCache
from mtorlab.kb import KnowledgeBase, load

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.engines.batch import BatchEngine
    from mtorlab.interventions import Library
    from mtorlab.ode import Model
    from mtorlab.scenario import BatchRun, Scenario


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The package's validated knowledge base (loaded once per process).

    Returns
    -------
    mtorlab.kb.KnowledgeBase
        Entities, mechanisms (with the review's evidence and Chinese quotes), claims and
        tensions.

    Examples
    --------
    >>> import mtorlab as mt
    >>> mt.knowledge_base().entities["ketamine"].name_zh
    '氯胺酮'
    """
    return load()


@lru_cache(maxsize=1)
def model() -> Model:
    """The package's model (species, reactions, parameters with provenance, readouts).

    Use ``mt.model().trace("depression_score")`` for the reactions and knowledge-base
    mechanisms behind a readout.

    Returns
    -------
    mtorlab.ode.Model

    Examples
    --------
    >>> import mtorlab as mt
    >>> m = mt.model()
    >>> m.readout("bdnf").scale
    '1 = healthy'
    >>> "k_bdnf_release" in m.parameters  # ids for simulate(parameters=...)
    True
    """
    from mtorlab.ode import load_model

    return load_model()


#: Engines by model identity; the value keeps the model alive so its id stays unique.
#: Bounded: each distinct user drug builds a new model, and a server sees many.
_ENGINES: BoundedCache[int, tuple[Model, RoadRunnerEngine]] = BoundedCache(16)


def reference_engine(for_model: Model | None = None) -> RoadRunnerEngine:
    """libRoadRunner loaded with a model's SBML (default: the package's model).

    Engines are cached per model object and by SBML text, so each model (the base model,
    or the base model with a scenario's PK modules) is JIT-compiled once per process. The
    SBML omits the knowledge-base cross-references, which do not change the mathematics.
    """
    from mtorlab.io import to_sbml

    m = for_model or model()
    return _ENGINES.get_or_build(id(m), lambda: (m, _engine_for_sbml(to_sbml(m, miriam=False))))[1]


@lru_cache(maxsize=8)
def _engine_for_sbml(sbml: str) -> RoadRunnerEngine:
    from mtorlab.engines import RoadRunnerEngine

    return RoadRunnerEngine(sbml)


_BATCH: BoundedCache[int, tuple[Model, BatchEngine]] = BoundedCache(8)


def batch_engine(for_model: Model | None = None) -> BatchEngine:
    """The batch engine (compiled RODAS4) for a model, cached per model object.

    The first use of a core model (the base model, or the base model with extensions)
    generates and compiles its kernels (about 30 s); they are cached on disk
    (``MTORLAB_CACHE`` or the user cache directory), so later processes load them in well
    under a second. A scenario's drugs are laid onto the core's kernels as tables, so a
    new drug combination, or a user's own drug, compiles nothing.
    """
    from mtorlab.engines.batch import BatchEngine

    m = for_model or model()
    return _BATCH.get_or_build(id(m), lambda: (m, BatchEngine(m)))[1]


@lru_cache(maxsize=8)
def library(*files: str) -> Library:
    """The intervention library: the built-in entries, extended by ``files`` in order."""
    from mtorlab.interventions import load_library

    return load_library(*files)


def load_scenario(
    path: str | Path,
    *,
    library_files: Sequence[str | Path] | str | Path = (),
    extension_files: Sequence[str | Path] | str | Path = (),
) -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path
        The scenario file.
    library_files
        Intervention-library files (``--library``): the entries the scenario uses are
        copied into its ``drugs:`` block, so the scenario returned is self-contained.
    extension_files
        Model extension files (``--extension``): their content joins the scenario's own
        ``extensions:`` (README, "Model extensions").

    Returns
    -------
    mtorlab.Scenario

    Raises
    ------
    mtorlab.errors.DataFileError
        One line naming the file, the field, the bad value and what is allowed.

    Examples
    --------
    >>> import mtorlab as mt
    >>> sc = mt.load_scenario("examples/ketamine_single_dose_rat.yaml")
    >>> sc.species, sc.interventions[0].drug
    ('rat', 'ketamine')
    """
    from mtorlab.errors import MtorlabError
    from mtorlab.scenario import resolve_scenario

    if not isinstance(path, str | Path):
        raise MtorlabError(
            f"load_scenario: give a path to a scenario YAML file, not {type(path).__name__}"
        )
    return resolve_scenario(path, library_files, extensions=extension_files)


def simulate(
    scenario: Scenario | Mapping[str, object] | str | Path,
    *,
    parameters: Mapping[str, float] | None = None,
    outputs: Sequence[str] | str | None = None,
    library_files: Sequence[str | Path] | str | Path = (),
    extension_files: Sequence[str | Path] | str | Path = (),
) -> pd.DataFrame:
    """Simulate a scenario on the reference engine (libRoadRunner).

    The system starts in the steady state of the scenario's condition; doses follow its
    schedule.

    Parameters
    ----------
    scenario
        A :class:`mtorlab.Scenario`, a mapping in the scenario file format (with its own
        ``drugs:`` block if it brings new drugs) or the path of a scenario file.
    parameters
        Model parameter values that replace the model's for this run, e.g.
        ``{"k_bdnf_release": 1.5}`` (ids from ``mtorlab model params``); the run starts from
        the steady state of the changed model. An unknown id raises
        :class:`~mtorlab.errors.UnknownIdError` naming the nearest ids; a value that is not
        a finite number raises :class:`~mtorlab.errors.MtorlabError`.
    outputs
        Readout ids to report (default: the scenario's ``outputs``, else every readout and
        the concentrations of its drugs); one id may be given as a string.
    library_files
        Extra intervention-library files (new drugs as data), as ``--library`` does (one
        path may be given alone).
    extension_files
        Model extension files (inputs, species, reactions, mechanisms as data), as
        ``--extension`` does: added after the scenario's own ``extensions:``.

    Returns
    -------
    pandas.DataFrame
        Column ``time_h`` (hours from the scenario's start), then one column per readout
        (drug concentrations ``conc_plasma:<drug>``, ``conc_brain:<drug>`` in ng/mL).
        ``frame.attrs`` holds ``scenario``, ``species``, ``condition``, ``warnings``,
        ``doses`` (time in hours, drug, dose, route of each dose) and ``units`` (per
        readout); :func:`mtorlab.plot` draws them.

    Examples
    --------
    >>> import mtorlab as mt
    >>> run = mt.simulate("examples/ketamine_single_dose_rat.yaml", outputs="bdnf")
    >>> list(run.columns)
    ['time_h', 'bdnf']
    >>> slower = mt.simulate("examples/ketamine_single_dose_rat.yaml", outputs="bdnf",
    ...                      parameters={"k_bdnf_release": 1.5})
    """
    from mtorlab.scenario import parameter_overrides, resolve_scenario, run_scenario
    from mtorlab.scenario._run import naming_source

    sc = resolve_scenario(scenario, _library_files(library_files), extensions=extension_files)
    chosen = _outputs(outputs)
    source = str(scenario) if isinstance(scenario, str | Path) else None
    overrides = parameter_overrides(_parameters(parameters, "parameters", sc))
    with _naming_outputs(chosen), naming_source(sc, source), overrides:
        return run_scenario(model(), reference_engine, sc, chosen, library())


def _parameters(values: object, what: str, sc: Scenario | None = None) -> dict[str, float]:
    """A mapping of model parameter overrides, checked: known ids (the scenario's model
    extensions' included), finite numbers."""
    import math

    from mtorlab.errors import MtorlabError, UnknownIdError
    from mtorlab.scenario._extension import extended_model

    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise MtorlabError(f"{what}: a mapping of parameter id to value, not {values!r:.60}")
    known = extended_model(model(), sc.extensions if sc is not None else ()).parameters
    out = {}
    for k, v in values.items():
        if k not in known:
            raise UnknownIdError(f"model parameter ({what})", str(k), tuple(known))
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise MtorlabError(f"{what}.{k}: {v!r:.40} is not a finite number")
        out[str(k)] = float(v)
    return out


def _outputs(outputs: Sequence[str] | str | None) -> list[str] | None:
    """The ``outputs`` argument as a list of readout ids: one id given as a string means
    that readout (not its letters); each id once."""
    from mtorlab.errors import MtorlabError

    if outputs is None:
        return None
    chosen = [outputs] if isinstance(outputs, str) else outputs
    if not isinstance(chosen, Sequence) or not all(isinstance(o, str) for o in chosen):
        raise MtorlabError(f"outputs: give readout ids (a list of strings), not {outputs!r:.60}")
    twice = next((o for i, o in enumerate(chosen) if o in chosen[:i]), None)
    if twice is not None:
        raise MtorlabError(f"outputs: {twice!r} is listed twice; list each readout once")
    return list(chosen)


@contextmanager
def _naming_outputs(chosen: Sequence[str] | None) -> Iterator[None]:
    """An unknown readout of the ``outputs`` argument is said to be one."""
    from mtorlab.errors import MtorlabError, UnknownIdError

    try:
        yield
    except UnknownIdError as exc:
        if chosen and exc.name in chosen:
            raise MtorlabError(f"outputs: {exc}") from None
        raise


def _library_files(files: Sequence[str | Path] | str | Path) -> tuple[str, ...]:
    """The ``library_files`` argument as paths: one path may be given alone."""
    from mtorlab.scenario import library_files

    return library_files(files)


def simulate_batch(
    scenario: Scenario | Mapping[str, object] | str | Path,
    rows: Sequence[Mapping[str, float]],
    *,
    outputs: Sequence[str] | str | None = None,
    library_files: Sequence[str | Path] | str | Path = (),
    times_h: Sequence[float] | None = None,
    extension_files: Sequence[str | Path] | str | Path = (),
    warm_start: BatchRun | None = None,
) -> BatchRun:
    """Simulate a scenario for many parameter sets at once on the batch engine.

    Parameters
    ----------
    scenario
        A :class:`~mtorlab.scenario.Scenario` or the path of a scenario file.
    rows
        One mapping per virtual patient: model parameter values that replace the
        model's (e.g. ``{"k_bdnf_release": 1.5}``); ``{}`` is the scenario as written.
    outputs, library_files, extension_files
        As for :func:`simulate`.
    times_h
        Report times (default: the scenario's output grid).
    warm_start
        A run of the same rows (e.g. their untreated arm): each row's steady-state search
        starts from that run's state at t = 0, which saves most of the search. The state
        found is still this scenario's own stable steady state.

    Returns
    -------
    mtorlab.scenario.BatchRun
        ``values[row, time, readout]``; ``status`` is non-zero (and the row NaN) where a
        parameter set has no stable steady state or the integration failed.

    Examples
    --------
    >>> import mtorlab as mt
    >>> sc = {"name": "two", "species": "mouse", "duration": "6 h", "outputs": ["bdnf"]}
    >>> run = mt.simulate_batch(sc, [{}, {"k_bdnf_release": 1.5}])  # doctest: +SKIP
    >>> run.values.shape  # doctest: +SKIP
    (2, 61, 1)
    """
    from mtorlab.errors import MtorlabError
    from mtorlab.scenario import resolve_scenario, run_scenario_batch
    from mtorlab.scenario._run import naming_source

    sc = resolve_scenario(scenario, _library_files(library_files), extensions=extension_files)
    if isinstance(rows, Mapping) or not isinstance(rows, Sequence) or not rows:
        raise MtorlabError("rows: give a non-empty list of parameter mappings ({} = as written)")
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise MtorlabError(f"rows[{i}]: a mapping of parameter values, not {row!r:.40}")
        _parameters(row, f"rows[{i}]", sc)
    if times_h is not None:
        _check_times(times_h, sc.duration_h)
    chosen = _outputs(outputs)
    source = str(scenario) if isinstance(scenario, str | Path) else None
    with _naming_outputs(chosen), naming_source(sc, source):
        return run_scenario_batch(
            model(), batch_engine, sc, rows, chosen, library(), times_h=times_h,
            warm_start=warm_start,
        )  # fmt: skip


def _check_times(times_h: object, duration_h: float) -> None:
    """``times_h``: a non-empty list of finite, increasing hours within the scenario."""
    import math

    from mtorlab.errors import MtorlabError

    allowed = f"give increasing, finite hours within the scenario's 0..{duration_h:g} h"
    if isinstance(times_h, str | bytes) or not isinstance(times_h, Sequence) or not times_h:
        raise MtorlabError(f"times_h: {allowed}, not {times_h!r:.60}")
    for i, t in enumerate(times_h):
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
            raise MtorlabError(f"times_h[{i}]: {t!r:.40} is not a finite number; {allowed}")
        if not 0 <= t <= duration_h:
            raise MtorlabError(f"times_h[{i}]: {t:g} h; {allowed}")
        if i and t <= times_h[i - 1]:
            raise MtorlabError(
                f"times_h[{i}]: {t:g} h is not after {times_h[i - 1]:g} h; {allowed}"
            )
