"""Simulate one arm of a check: a scenario mapping, plus an optional experimental manipulation.

Most arms are plain scenarios (the scenario file format as a mapping). Some claims of the
review are about inputs no drug or condition reaches (amino acids, glucose sensing, growth
factors, IGF-1): cell-culture style experiments. For those an arm may carry a
``manipulate:`` block that sets model parameters, either for the whole run (the system starts
in the steady state with the new values: a chronic state) or as a step at ``at`` from the
unmanipulated steady state, optionally reversed at ``until``::

    manipulate: {set: {amino_acids: 0.2}, at: 1 h, until: 3 h}

A list of such blocks combines them (e.g. a chronic one and a step).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mtorlab.claims._assertions import hours
from mtorlab.errors import DataFileError, UnknownIdError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.ode import Model


class Manipulation(BaseModel):
    """Parameter values set by the experimenter; chronic without ``at``, else a step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    set: dict[str, float] = Field(min_length=1)
    at: float | None = Field(default=None, ge=0)
    until: float | None = Field(default=None, gt=0)

    @field_validator("at", "until", mode="before")
    @classmethod
    def _duration(cls, v: object) -> object:
        return hours(v) if isinstance(v, str) else v


class _ManipulatedEngine:
    """Wraps a reference engine so that a manipulation joins the scenario's own changes."""

    def __init__(
        self, engine: RoadRunnerEngine, model: Model, blocks: Sequence[Manipulation]
    ) -> None:
        for m in blocks:
            for name in m.set:
                if name not in model.parameters:
                    known = tuple(model.parameters)
                    raise UnknownIdError("model parameter (manipulate.set)", name, known)
        self._engine = engine
        self._model = model
        self._blocks = tuple(blocks)

    def simulate(
        self,
        params: Mapping[str, float],
        *,
        t_end: float,
        n_points: int,
        selections: Sequence[str],
        y0: np.ndarray | None = None,
        changes: Sequence[tuple[float, Mapping[str, float]]] = (),
        doses: Sequence[tuple[float, Mapping[str, float]]] = (),
    ) -> np.ndarray:
        chronic = {k: v for m in self._blocks if m.at is None for k, v in m.set.items()}
        params = {**params, **chronic}
        steps = [(m.at, m) for m in self._blocks if m.at is not None]
        if steps:
            y0 = self._engine.steady_state(params) if y0 is None else y0
            changes = list(changes)
            for at, m in steps:
                before = {k: params.get(k, self._model.parameters[k].value) for k in m.set}
                changes.append((at, dict(m.set)))
                if m.until is not None:
                    changes.append((m.until, before))
        return self._engine.simulate(
            params,
            t_end=t_end,
            n_points=n_points,
            selections=selections,
            y0=y0,
            changes=changes,
            doses=doses,
        )


def _manipulations(raw: Any, where: str) -> list[Manipulation]:
    out = []
    for i, block in enumerate(raw if isinstance(raw, list) else [raw]):
        fld = f"manipulate[{i}]" if isinstance(raw, list) else "manipulate"
        try:
            m = Manipulation.model_validate(block)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise DataFileError(where, msg, field=f"{fld}.{loc}" if loc else fld) from None
        if m.until is not None and (m.at is None or m.until <= m.at):
            raise DataFileError(where, "`until` needs an earlier `at`", field=f"{fld}.until")
        out.append(m)
    return out


def simulate_mapping(mapping: Mapping[str, Any], source: str | None = None) -> pd.DataFrame:
    """Validate a scenario mapping (with an optional ``manipulate:`` block) and simulate it.

    Parameters
    ----------
    mapping
        The scenario file format as a mapping; ``manipulate: {set: {...}, at:, until:}``
        sets model parameters (see the module docstring).
    source
        Names the scenario in error messages (default: its ``name``).

    Returns
    -------
    pandas.DataFrame
        ``time_h`` and one column per readout, as :func:`mtorlab.simulate` returns.
    """
    import mtorlab as mt
    from mtorlab._api import library, reference_engine
    from mtorlab.scenario import run_scenario, validate_scenario

    data = dict(mapping)
    where = source or str(data.get("name", "scenario"))
    raw = data.pop("manipulate", None)
    scenario = validate_scenario(data, where, mt.model().readout_ids)
    if raw is None:
        return mt.simulate(scenario)
    blocks = _manipulations(raw, where)

    def engine_for(model: Model) -> Any:
        return _ManipulatedEngine(reference_engine(model), model, blocks)

    return run_scenario(mt.model(), engine_for, scenario, None, library())
