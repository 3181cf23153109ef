"""The reference engine: libRoadRunner (SUNDIALS CVODE) on the model's SBML export.

One RoadRunner instance per SBML text is loaded (JIT-compiled) once; steady states are
cached per parameter set. Parameter changes during a run (a pulse, a dose) are applied
between ``simulate`` segments rather than as SBML events, which keeps ``reset`` semantics
simple and lets libRoadRunner keep its fast path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any

import numpy as np

from mtorlab.engines._grid import snap_to_grid
from mtorlab.errors import MtorlabError


class SteadyStateError(MtorlabError):
    """No stable steady state was found for a parameter set."""


@dataclass(frozen=True)
class Tolerances:
    """CVODE settings; the defaults are the reference (tight) setting."""

    rtol: float = 1e-8
    atol: float = 1e-10
    max_steps: int = 200_000


class RoadRunnerEngine:
    """libRoadRunner on one SBML model, with cached steady states.

    Parameters
    ----------
    sbml
        SBML text (from :func:`mtorlab.io.to_sbml`).
    tolerances
        CVODE tolerances.
    """

    def __init__(self, sbml: str, *, tolerances: Tolerances | None = None) -> None:
        import roadrunner

        # Integrator failures reach the user as one MtorlabError line; libRoadRunner's own
        # multi-line CVODE logging would repeat them on stderr (hundreds of times in a sweep).
        roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)
        self.sbml = sbml
        self.tolerances = tolerances or Tolerances()
        from mtorlab.engines._rr_cache import load_roadrunner

        self.rr: Any = load_roadrunner(sbml)  # compiled once per SBML text, kept on disk
        # conservedMoietyAnalysis is off by default; setting it (even to False) recompiles
        # the model, which costs as much as loading it.
        self.rr.steadyStateSolver.auto_moiety_analysis = False
        integ = self.rr.integrator
        integ.relative_tolerance = self.tolerances.rtol
        integ.absolute_tolerance = self.tolerances.atol
        integ.maximum_num_steps = self.tolerances.max_steps
        integ.variable_step_size = False
        m = self.rr.model
        self.species_ids: tuple[str, ...] = tuple(m.getFloatingSpeciesIds())
        self._species_index = {s: i for i, s in enumerate(self.species_ids)}
        ruled = set(self.rr.getAssignmentRuleIds())
        all_ids = list(m.getGlobalParameterIds())
        self._settable = np.array(
            [i for i, p in enumerate(all_ids) if p not in ruled], dtype=np.int32
        )
        self._param_ids: tuple[str, ...] = tuple(all_ids[i] for i in self._settable)
        self._param_index = {p: all_ids.index(p) for p in self._param_ids}
        self._defaults = np.array(m.getGlobalParameterValues(), dtype=float)[self._settable]
        self._position = {p: k for k, p in enumerate(self._param_ids)}
        self._initial = np.array(m.getFloatingSpeciesInitConcentrations(), dtype=float)
        self._steady: dict[tuple[tuple[str, float], ...], np.ndarray] = {}
        self._selections: tuple[str, ...] = ()

    # ---- parameters and state
    def _key(self, params: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
        return tuple(sorted((k, float(v)) for k, v in params.items()))

    def set_parameters(self, params: Mapping[str, float]) -> None:
        """Reset every parameter to its model value, then apply ``params``."""
        values = self._defaults.copy()
        for name, value in params.items():
            try:
                values[self._position[name]] = value
            except KeyError:
                from mtorlab.errors import UnknownIdError

                raise UnknownIdError("parameter", name, self._param_ids) from None
        self.rr.model.setGlobalParameterValues(self._settable, values)

    def _apply(self, params: Mapping[str, float]) -> None:
        m = self.rr.model
        for name, value in params.items():
            m.setGlobalParameterValues([self._param_index[name]], [float(value)])

    def _set_state(self, y0: np.ndarray, t0: float = 0.0) -> None:
        m = self.rr.model
        m.setFloatingSpeciesConcentrations(y0)
        m.setTime(t0)

    # ---- steady state
    def steady_state(self, params: Mapping[str, float] | None = None) -> np.ndarray:
        """The stable steady state for ``params`` (cached; a copy is returned).

        Tries libRoadRunner's steady-state solver from the model's initial (healthy) state;
        if it fails, or lands on an unstable or non-physical root, simulates 20,000 h and
        polishes the end point.
        """
        params = dict(params or {})
        key = self._key(params)
        self.set_parameters(params)  # also on a cache hit: later calls see these parameters
        if key not in self._steady:
            self._steady[key] = self._solve_steady()
        return self._steady[key].copy()

    def _solve_steady(self) -> np.ndarray:
        # Relaxing by simulation first lands on the stable branch and costs ~2 ms here;
        # libRoadRunner's steadyState() spends ~0.4 s per call on this model (its Jacobian),
        # so it is the fallback, with presimulation, for states the relaxation misses.
        y = self._relax(20_000.0)
        y = self._newton(y)
        if self._acceptable(y):
            return np.clip(y, 0.0, None)
        self._set_state(self._initial)
        solver = self.rr.steadyStateSolver
        solver.allow_presimulation = True
        solver.presimulation_time = 1000.0
        try:
            self.rr.steadyState()
        except RuntimeError as exc:
            raise SteadyStateError(f"no steady state found: {exc}") from None
        y = np.array(self.rr.model.getFloatingSpeciesConcentrations(), dtype=float)
        if not self._acceptable(y):
            raise SteadyStateError("no stable, physical steady state found for these parameters")
        return np.clip(y, 0.0, None)

    def _relax(self, t_end: float) -> np.ndarray:
        self._set_state(self._initial)
        self.rr.timeCourseSelections = ["time"]
        self._selections = ("time",)
        self.rr.simulate(0.0, t_end, 3)
        return np.array(self.rr.model.getFloatingSpeciesConcentrations(), dtype=float)

    def rates(self, y: np.ndarray) -> np.ndarray:
        """d(species)/dt at state ``y`` under the current parameters."""
        m = self.rr.model
        m.setFloatingSpeciesConcentrations(np.asarray(y, dtype=float))
        return np.array(m.getFloatingSpeciesConcentrationRates(), dtype=float)

    def jacobian(self, y: np.ndarray) -> np.ndarray:
        """Finite-difference Jacobian of :meth:`rates` at ``y`` (current parameters).

        Central differences, except one-sided (forward) for a state too close to zero to
        step below it: a negative concentration is meaningless and makes rate laws such as
        ``pow(x, 2.5)`` undefined.
        """
        n = len(y)
        jac = np.empty((n, n))
        for j in range(n):
            h = 1e-7 * max(1.0, abs(y[j]))
            up, down = y.copy(), y.copy()
            up[j] += h
            if y[j] - h >= 0.0:
                down[j] -= h
                jac[:, j] = (self.rates(up) - self.rates(down)) / (2 * h)
            else:
                jac[:, j] = (self.rates(up) - self.rates(down)) / h
        return jac

    def _newton(self, y: np.ndarray, steps: int = 8) -> np.ndarray:
        for _ in range(steps):
            f = self.rates(y)
            if np.max(np.abs(f)) < 1e-12:
                break
            try:
                y = y - np.linalg.solve(self.jacobian(y), f)
            except np.linalg.LinAlgError:
                break
        return y

    def _acceptable(self, y: np.ndarray) -> bool:
        if not np.all(np.isfinite(y)) or np.any(y < -1e-9):
            return False
        if np.max(np.abs(self.rates(y))) > 1e-9:
            return False
        jac = self.jacobian(y)
        if not np.all(np.isfinite(jac)):
            return False
        return bool(np.max(np.real(np.linalg.eigvals(jac))) < 0)

    # ---- time courses
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
        """Simulate from ``y0`` (default: the steady state of ``params``) to ``t_end`` hours.

        Parameters
        ----------
        params
            Parameter values in force from t = 0 (others keep their model values).
        t_end, n_points
            Uniform output grid ``linspace(0, t_end, n_points)``.
        selections
            Ids to report, after the time column.
        y0
            Initial state (floating species, in ``species_ids`` order).
        changes
            ``(time, {parameter: value})`` applied at that time (pulses, infusion rates).
        doses
            ``(time, {species: amount})``: amounts added to species at that time (boluses).

        Returns
        -------
        numpy.ndarray
            Shape ``(n_points, 1 + len(selections))``; column 0 is time in hours.
        """
        start = self.steady_state(params) if y0 is None else np.asarray(y0, dtype=float)
        self.set_parameters(params)
        sel = ("time", *selections)
        if sel != self._selections:
            self.rr.timeCourseSelections = list(sel)
            self._selections = sel
        self._set_state(start)
        if not changes and not doses:
            return np.asarray(self.rr.simulate(0.0, float(t_end), int(n_points)))
        return self._simulate_segments(float(t_end), int(n_points), changes, doses)

    def _add_to_species(self, amounts: Mapping[str, float]) -> None:
        m = self.rr.model
        y = np.array(m.getFloatingSpeciesConcentrations(), dtype=float)
        for name, amount in amounts.items():
            y[self._species_index[name]] += amount
        m.setFloatingSpeciesConcentrations(y)

    def _simulate_segments(
        self,
        t_end: float,
        n_points: int,
        changes: Sequence[tuple[float, Mapping[str, float]]],
        doses: Sequence[tuple[float, Mapping[str, float]]],
    ) -> np.ndarray:
        grid = np.linspace(0.0, t_end, n_points)
        snap = partial(snap_to_grid, grid)
        event_times = {snap(t) for t, _ in (*changes, *doses) if 0.0 <= t < t_end}
        bounds = [0.0, *sorted(c for c in event_times if 0.0 < c < t_end), t_end]
        by_time: dict[float, dict[str, float]] = {}
        for t, upd in changes:
            by_time.setdefault(snap(t), {}).update(upd)
        added: dict[float, dict[str, float]] = {}
        for t, amounts in doses:
            slot = added.setdefault(snap(t), {})
            for name, amount in amounts.items():
                slot[name] = slot.get(name, 0.0) + amount
        from mtorlab._cancel import check_cancelled

        rows: list[np.ndarray] = []
        for a, b in pairwise(bounds):
            check_cancelled()  # a timed-out web request stops here, between doses
            if a in by_time:
                self._apply(by_time[a])
            if a in added:
                self._add_to_species(added[a])
            inside = grid[(grid > a) & (grid < b)]
            times = np.concatenate(([a], inside, [b]))
            out = np.asarray(self.rr.simulate(times=times))
            keep = np.isin(out[:, 0], grid)
            if rows:
                keep[0] = False  # the previous segment reported this boundary already
            rows.append(out[keep])
        return np.vstack(rows)
