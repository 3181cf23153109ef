"""The batch engine: many parameter sets of one model through one schedule, compiled.

Why this design (measured on the project's 2-core machine; see ``benchmarks/bench_batch.py``
and the README): a 28-day scenario with daily doses costs libRoadRunner 7-9 ms per
patient even at loose tolerances, of which the right-hand side is a small part — CVODE's
per-step overhead, finite-difference Jacobians and a restart at every dose dominate.
This model's Jacobian is very sparse (about 120 non-zeros for 45 species; its LU needs
about 100 multiply-adds), so a Rosenbrock method with an analytic Jacobian and a
generated sparse LU (the Kinetic PreProcessor's recipe for stiff chemistry) makes one
full step cost a few right-hand-side evaluations. Each patient keeps its own adaptive
steps (no lock-step across the batch: a stiff patient does not slow the others) and
patients are spread over the cores as contiguous chunks on threads (the compiled kernels
release the GIL; Numba's ``parallel=True`` doubled the first-call compilation time).

The reference engine (:class:`~mtorlab.engines.RoadRunnerEngine`) stays the one every
single-scenario run uses; this engine is for cohorts, sweeps and sensitivity runs, and a
test holds it to the reference (every readout within 1e-3 relative or 1e-6 absolute).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.engines._codegen import Compiled, compile_model
from mtorlab.engines._grid import snap_to_grid
from mtorlab.errors import MtorlabError, UnknownIdError

if TYPE_CHECKING:
    from mtorlab.ode import Model

STATUS = {0: "ok", 1: "too many steps", 2: "step size too small", 3: "no stable steady state"}


def _tableau(
    s: int,
    a: dict[tuple[int, int], float],
    c: dict[tuple[int, int], float],
    m: list[float],
    e: list[float],
    newf: list[bool],
    gamma: float,
    elo: float,
) -> tuple[Any, ...]:
    """A Rosenbrock tableau as the kernels take it (1-based (i, j) as in KPP)."""
    A = np.zeros((s, s))
    C = np.zeros((s, s))
    for (i, j), v in a.items():
        A[i - 1, j - 1] = v
    for (i, j), v in c.items():
        C[i - 1, j - 1] = v
    return (A, C, np.array(m), np.array(e), np.array(newf), gamma, elo)


#: Sandu et al. (1997) / Hairer & Wanner, with the coefficients of KPP's rosenbrock.f90.
METHODS = {
    "rodas3": _tableau(
        4,
        {(3, 1): 2.0, (4, 1): 2.0, (4, 3): 1.0},
        {(2, 1): 4.0, (3, 1): 1.0, (3, 2): -1.0, (4, 1): 1.0, (4, 2): -1.0, (4, 3): -8.0 / 3.0},
        [2.0, 0.0, 1.0, 1.0],
        [0.0, 0.0, 0.0, 1.0],
        [True, False, True, True],
        0.5,
        3.0,
    ),
    "rodas4": _tableau(
        6,
        {
            (2, 1): 1.544,
            (3, 1): 0.9466785280815826,
            (3, 2): 0.2557011698983284,
            (4, 1): 3.314825187068521,
            (4, 2): 2.896124015972201,
            (4, 3): 0.9986419139977817,
            (5, 1): 1.221224509226641,
            (5, 2): 6.019134481288629,
            (5, 3): 12.53708332932087,
            (5, 4): -0.6878860361058950,
            (6, 1): 1.221224509226641,
            (6, 2): 6.019134481288629,
            (6, 3): 12.53708332932087,
            (6, 4): -0.6878860361058950,
            (6, 5): 1.0,
        },
        {
            (2, 1): -5.6688,
            (3, 1): -2.430093356833875,
            (3, 2): -0.2063599157091915,
            (4, 1): -0.1073529058151375,
            (4, 2): -9.594562251023355,
            (4, 3): -20.47028614809616,
            (5, 1): 7.496443313967647,
            (5, 2): -10.24680431464352,
            (5, 3): -33.99990352819905,
            (5, 4): 11.70890893206160,
            (6, 1): 8.083246795921522,
            (6, 2): -7.981132988064893,
            (6, 3): -31.52159432874371,
            (6, 4): 16.31930543123136,
            (6, 5): -6.058818238834054,
        },
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        [True] * 6,
        0.25,
        4.0,
    ),
}


#: a warm start whose largest |d(state)/dt| is at most this skips the relaxation (Newton
#: polishes it to 1e-12 and the steady state must still pass the stability check); the
#: steady states the engine returns have at most 1e-9
RESTING_RESIDUAL = 1e-8


@dataclass(frozen=True)
class BatchTolerances:
    """Integrator settings. The defaults meet the 1e-3 agreement with the reference engine
    on the example scenarios (``tests/engines/test_batch_agreement.py``) with a margin:
    over its 100 patients the worst readout is at 0.74 of the bar at rtol 1e-4 since report
    times are read from the steps' interpolants (0.28 when every report time stopped the
    integration; benchmarks/scan_batch_tolerances.py). They were rtol 1e-6,
    atol 1e-10 (2.2 times the steps) while anxiety_risk's ramp of the 5-HT excess was held
    to a 1e-6 absolute floor; see ``atol_threshold`` and the readout's ``abs_floor``."""

    rtol: float = 1e-4
    atol: float = 1e-8
    # absolute tolerance of a state near the value a readout thresholds it at (5-HT at
    # its healthy tone, for anxiety_risk); its error is weighed by the distance from there
    atol_threshold: float = 1e-8
    # absolute tolerance of a PK depot (gut, peritoneum, muscle...), as a fraction of the
    # largest dose put into it. With atol alone the emptying depot's tail was held to rtol
    # until it fell below atol/rtol, and it limited 95% of the steps of daily oral
    # fluoxetine (467 of 491). No readout reads a depot, and what reaches the plasma is
    # held by the central compartment's own tolerance. Measured while every report time
    # still stopped the integration (reports every 6 h): at 1e-3 the steps fall 1.9x
    # (519 -> 272 over 28 days) and the worst readout error stays at 0.04 of the agreement
    # bar, as it does up to 1e-2 (daily rapamycin po in mice: 433 -> 336 steps, 0.03;
    # ketamine ip in rats: 513 -> 502, 0.28, the reference's own). With interpolated
    # reports, a cohort's month of daily fluoxetine takes 252 steps (tests/engines).
    atol_dose: float = 1e-3
    # absolute tolerance of the drug states the concentration readouts read (central,
    # brain, metabolite; mg/kg or mg/L): a tenth of their agreement floor (1e-6 ng/mL =
    # 1e-9 mg/L), since the report times no longer stop the integration and a decaying
    # tail is reported from the interpolant of a long step
    atol_pk: float = 1e-10
    h0: float = 0.1  # first step, and the cap right after a dose or a switch (hours)
    hmax: float = 24.0
    max_steps: int = 50_000  # per patient and run; a 28-day course needs ~250-3,000
    relax_h: float = 20_000.0
    # steps allowed to the relaxation towards a steady state (a healthy or depressed
    # parameter set needs about 150-300); past it, Newton starts from wherever it got
    relax_max_steps: int = 2_000
    method: str = "rodas4"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise MtorlabError(
                f"batch engine: method must be one of {', '.join(METHODS)}, not {self.method!r}"
            )


#: The engines' agreement bar: within 1e-3 relative, or an absolute floor (1e-6 unless a
#: readout declares its own ``abs_floor``), of a tight reference.
AGREEMENT_RTOL = 1e-3
AGREEMENT_ATOL = 1e-6


def agreement_floors(model: Model, outputs: Sequence[str]) -> np.ndarray:
    """The absolute agreement floor of each output (readouts may declare their own)."""
    return np.array(
        [getattr(model.readouts.get(o), "abs_floor", None) or AGREEMENT_ATOL for o in outputs],
        dtype=float,
    )


def agree(got: np.ndarray, want: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Element-wise agreement of ``got`` with ``want`` (last axis: outputs); NaN fails."""
    diff = np.abs(got - want)
    return (diff <= floors) | (diff <= AGREEMENT_RTOL * np.abs(want))


@dataclass(frozen=True)
class BatchResult:
    """Readouts of a batch: ``values[patient, time, selection]``; failed patients are NaN."""

    times: np.ndarray
    selections: tuple[str, ...]
    values: np.ndarray
    status: np.ndarray
    steps: np.ndarray  # per patient: accepted+rejected steps, LU factorisations, rejections
    y0: np.ndarray | None = None  # per patient: the state at t = 0 (species order)

    def failed(self) -> np.ndarray:
        """Indices of patients whose integration failed."""
        return np.flatnonzero(self.status != 0)


class BatchEngine:
    """Compiled Rosenbrock (RODAS4 by default) for many parameter sets of one model.

    Parameters
    ----------
    model
        The model (extended with PK modules when a scenario has interventions).
    tolerances
        Integrator settings.
    threads
        Threads the batch is split over (default: one per CPU).

    Attributes
    ----------
    integrate_at_rest
        Integrate a course that starts in its steady state with no dose or switch, instead
        of reading it off that state (default False; tests compare the two).
    """

    integrate_at_rest: bool = False

    def __init__(
        self,
        model: Model,
        *,
        tolerances: BatchTolerances | None = None,
        threads: int | None = None,
    ) -> None:
        import os

        self.model = model
        self.threads = threads or os.cpu_count() or 1
        self.tolerances = tolerances or BatchTolerances()
        self.compiled: Compiled = compile_model(model)
        self._position = {p: k for k, p in enumerate(self.compiled.parameters)}
        self._species = {s: i for i, s in enumerate(self.compiled.species)}
        layouts = getattr(model.composition, "layouts", ())
        self._depots = frozenset(
            self._species[state]
            for lay in layouts
            for state, _ka, _rate in lay.depots
            if state in self._species
        )
        self._conc_states = frozenset(
            self._species[state]
            for lay in layouts
            for state in (lay.central, lay.brain, lay.metab)
            if state in self._species
        )
        c = self.compiled.lu
        self._plan = (
            c.pivots,
            c.pair_row,
            c.pair_piv,
            c.upd_start,
            c.upd_col,
            c.ustart,
            c.ucol,
            c.nz_row,
            c.nz_col,
            self.compiled.pk,
        )

    def _scales(
        self, tol: BatchTolerances, doses: Sequence[tuple[float, Mapping[str, float]]] = ()
    ) -> np.ndarray:
        """``(absolute tolerance, reference)`` per state, as ``advance`` reads them; a depot's
        absolute tolerance is ``atol_dose`` times the largest of ``doses`` it receives."""
        thr = self.compiled.thresholds
        out = np.zeros((2, len(thr)))
        out[0] = np.where(np.isnan(thr), tol.atol, min(tol.atol, tol.atol_threshold))
        out[1] = np.where(np.isnan(thr), 0.0, thr)
        for i in self._conc_states:
            out[0, i] = min(out[0, i], tol.atol_pk)
        for _t, amounts in doses:
            for name, amount in amounts.items():
                k = self._species.get(name)
                if k is not None and k in self._depots:
                    out[0, k] = max(out[0, k], tol.atol_dose * abs(float(amount)))
        return out

    # ---- parameters
    @property
    def parameter_ids(self) -> tuple[str, ...]:
        """Column order of a parameter matrix."""
        return self.compiled.parameters

    def parameter_matrix(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """One row per patient: the model's values with each mapping's replacements."""
        out = np.tile(self.compiled.defaults, (len(rows), 1))
        for b, row in enumerate(rows):
            for name, value in row.items():
                out[b, self._column(name)] = float(value)
        return out

    def _column(self, name: str) -> int:
        try:
            return self._position[name]
        except KeyError:
            raise UnknownIdError("parameter", name, self.compiled.parameters) from None

    # ---- the compiled right-hand side and Jacobian, for rows of states and parameters
    def rhs(self, Y: np.ndarray, P: np.ndarray) -> np.ndarray:
        """d(state)/dt of each row (``Y``: states in :attr:`Compiled.species` order)."""
        Y, P = np.ascontiguousarray(Y, dtype=float), np.ascontiguousarray(P, dtype=float)
        return np.asarray(self.compiled.module.rhs_batch(Y, P, self.compiled.pk))

    def jac(self, Y: np.ndarray, P: np.ndarray) -> np.ndarray:
        """The Jacobian of each row."""
        Y, P = np.ascontiguousarray(Y, dtype=float), np.ascontiguousarray(P, dtype=float)
        return np.asarray(self.compiled.module.jac_batch(Y, P, self.compiled.pk))

    # ---- steady states
    def steady_states(
        self, params: np.ndarray, start: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Stable steady state of each parameter row, searched from the model's initial state
        or from ``start`` (rows of states, e.g. the same patients' steady states in a model
        without the drugs: the relaxation then takes a few steps instead of 150-300).

        Returns the states and a status per row (0 ok, 3 no stable steady state).
        """
        params = np.ascontiguousarray(params, dtype=float)
        if start is None:
            y0 = np.tile(self.compiled.initial, (params.shape[0], 1))
        else:
            y0 = np.array(start, dtype=float, copy=True)
            if y0.shape != (params.shape[0], len(self.compiled.species)):
                raise MtorlabError(f"batch engine: start has shape {y0.shape}, not "
                                   f"{(params.shape[0], len(self.compiled.species))}")  # fmt: skip
        tol = self.tolerances
        mod = self.compiled.module
        # rows that start at a steady state already (a warm start from the same patients'
        # drug-free model) go straight to the Newton polish and the stability check below
        relax = np.ones(params.shape[0], dtype=bool)
        if start is not None:
            with np.errstate(all="ignore"):
                resid = np.max(np.abs(self.rhs(y0, params)), axis=1)
            relax = ~(resid <= RESTING_RESIDUAL)
        rows = np.flatnonzero(relax)
        y = y0  # a private array either way (tiled, or copied from start)
        if len(rows):
            y_r, p_r = np.ascontiguousarray(y0[rows]), np.ascontiguousarray(params[rows])
            parts = self._parallel(
                lambda sl: mod.relax_batch(
                    y_r[sl],
                    p_r[sl],
                    tol.relax_h,
                    tol.rtol,
                    self._scales(tol),
                    tol.relax_max_steps,
                    self._plan,
                    METHODS[tol.method],
                ),
                len(rows),
            )
            y[rows] = np.concatenate([q[0] for q in parts])
        with np.errstate(all="ignore"):
            for _ in range(8):  # Newton polish on the analytic Jacobian, batched
                f = self.rhs(y, params)
                todo = np.max(np.abs(f), axis=1) >= 1e-12
                if not todo.any():
                    break
                jac = self.jac(y[todo], params[todo])
                y[todo] -= _solve_each(jac, f[todo])
            f = self.rhs(y, params)
            ok = np.all(np.isfinite(y), axis=1) & (np.min(y, axis=1) >= -1e-9)
            ok &= np.max(np.abs(f), axis=1) <= 1e-9
            if ok.any():
                # the stability check, over the threads like the relaxation (LAPACK's
                # eigenvalues of each patient's Jacobian release the GIL; the same values)
                at = np.flatnonzero(ok)
                y_ok, p_ok = np.ascontiguousarray(y[at]), np.ascontiguousarray(params[at])

                def largest(sl: slice) -> np.ndarray:
                    eig = np.linalg.eigvals(self.jac(y_ok[sl], p_ok[sl]))
                    return np.asarray(np.max(eig.real, axis=1))

                stable = np.concatenate(self._parallel(largest, len(at))) < 0
                ok[at[~stable]] = False
        # the relaxation's own status does not decide: as in the reference engine, what
        # counts is whether Newton lands on a finite, stable, non-negative steady state
        status = np.where(ok, 0, 3)
        return np.clip(y, 0.0, None), status

    # ---- time courses
    def simulate(
        self,
        params: np.ndarray,
        *,
        t_end: float,
        selections: Sequence[str],
        n_points: int | None = None,
        times: Sequence[float] | None = None,
        y0: np.ndarray | None = None,
        changes: Sequence[tuple[float, Mapping[str, float]]] = (),
        doses: Sequence[tuple[float, Mapping[str, float]]] = (),
        start: np.ndarray | None = None,
    ) -> BatchResult:
        """Simulate every row of ``params`` from ``y0`` (default: its steady state, searched
        from ``start`` if given: see :meth:`steady_states`).

        ``changes`` and ``doses`` have the reference engine's meaning and apply to every
        patient. Report times are ``times`` or ``linspace(0, t_end, n_points)``.
        """
        params = np.ascontiguousarray(params, dtype=float)
        n_batch = params.shape[0]
        status = np.zeros(n_batch, dtype=np.int64)
        # The compiled model is autonomous (no formula reads time), so a patient that starts
        # in its stable steady state and meets no dose or switch stays there: its course is
        # its state at t = 0 at every report time, read without integrating (an untreated
        # arm, healthy controls). `at_rest` is the same course integrated (tests use it).
        at_rest = y0 is None and not changes and not doses and not self.integrate_at_rest
        if y0 is None:
            y0, status = self.steady_states(params, start)
        y0 = np.ascontiguousarray(y0, dtype=float)
        grid = (
            np.asarray(times, dtype=float)
            if times is not None
            else np.linspace(0.0, t_end, int(n_points or 2))
        )
        sched = self._schedule(float(t_end), grid[:1] if at_rest else grid, changes, doses)
        kinds, idx = self._selections(selections)
        tol = self.tolerances
        live = np.flatnonzero(status == 0)  # rows without a steady state are not run
        scales = self._scales(tol, doses)
        y_live = np.ascontiguousarray(y0[live])
        p_live = np.ascontiguousarray(params[live])
        parts = self._parallel(
            lambda sl: self.compiled.module.simulate_batch(
                y_live[sl],
                p_live[sl],
                *sched,
                kinds,
                idx,
                len(self.compiled.assignments),
                1 if at_rest else len(grid),
                tol.rtol,
                scales,
                tol.h0,
                tol.hmax,
                tol.max_steps,
                self._plan,
                METHODS[tol.method],
            ),
            len(live),
        )
        out = np.full((n_batch, len(grid), len(selections)), np.nan)
        stats = np.zeros((n_batch, 3), dtype=np.int64)
        if len(live):
            out[live] = np.concatenate([q[0] for q in parts])  # broadcast over time if at_rest
            status[live] = np.concatenate([q[1] for q in parts])
            stats[live] = np.concatenate([q[2] for q in parts])
        out[status != 0] = np.nan
        return BatchResult(grid, tuple(selections), out, status, stats, y0)

    def _parallel(self, fn: Any, n_rows: int) -> list[Any]:
        """``fn(slice)`` over contiguous slices of the batch, one per thread (the compiled
        kernels release the GIL), results in order."""
        if n_rows == 0:
            return []
        threads = max(1, min(self.threads, n_rows))
        bounds = np.linspace(0, n_rows, threads + 1).astype(int)
        slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
        if threads == 1:
            return [fn(slices[0])]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(fn, slices))

    def _selections(self, selections: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        pairs = [self.compiled.index(s) for s in selections]
        kinds = np.array([k for k, _ in pairs], dtype=np.int64)
        idx = np.array([i for _, i in pairs], dtype=np.int64)
        return kinds, idx

    def _schedule(
        self,
        t_end: float,
        grid: np.ndarray,
        changes: Sequence[tuple[float, Mapping[str, float]]],
        doses: Sequence[tuple[float, Mapping[str, float]]],
    ) -> tuple[Any, ...]:
        """Stops (report and event times merged) with their events, as flat arrays."""
        if np.any(np.diff(grid) <= 0) or grid[0] < 0 or grid[-1] > t_end:
            raise MtorlabError("batch engine: report times must increase within [0, t_end]")

        slot = partial(snap_to_grid, grid)
        stops: dict[float, dict[str, Any]] = {}

        def stop(t: float) -> dict[str, Any]:
            return stops.setdefault(t, {"out": -1, "chg": {}, "dose": {}})

        for k, t in enumerate(grid):
            stop(float(t))["out"] = k
        for t, upd in changes:
            if 0.0 <= t < t_end:
                stop(slot(t))["chg"].update({self._column(n): float(v) for n, v in upd.items()})
        for t, amounts in doses:
            if 0.0 <= t < t_end:
                s = stop(slot(t))
                for name, amount in amounts.items():
                    if name not in self._species:
                        raise UnknownIdError("species", name, self.compiled.species)
                    i = self._species[name]
                    s["dose"][i] = s["dose"].get(i, 0.0) + float(amount)
        order = sorted(stops)
        stop_t = np.array(order, dtype=float)
        stop_out = np.array([stops[t]["out"] for t in order], dtype=np.int64)
        chg_start, chg_idx, chg_val = _flatten([stops[t]["chg"] for t in order])
        dose_start, dose_idx, dose_amt = _flatten([stops[t]["dose"] for t in order])
        return stop_t, stop_out, chg_start, chg_idx, chg_val, dose_start, dose_idx, dose_amt


def _solve_each(jac: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Stacked ``solve(jac[b], rhs[b])``; a singular row gives NaN instead of stopping all."""
    try:
        return np.asarray(np.linalg.solve(jac, rhs[..., None])[..., 0])
    except np.linalg.LinAlgError:
        out = np.full_like(rhs, np.nan)
        for b in range(len(rhs)):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[b] = np.linalg.solve(jac[b], rhs[b])
        return out


def _flatten(items: list[dict[int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    start = np.zeros(len(items) + 1, dtype=np.int64)
    idx: list[int] = []
    val: list[float] = []
    for k, item in enumerate(items):
        for i, v in sorted(item.items()):
            idx.append(i)
            val.append(v)
        start[k + 1] = len(idx)
    return start, np.array(idx, dtype=np.int64), np.array(val, dtype=float)
