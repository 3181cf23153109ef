"""Calibration: fit the parameters marked ``calibrated`` to the training checks and the
training validation datasets.

The loss is the vector of assertion shortfalls (:mod:`._shortfall`) over the checks of the
training split, and of tolerance-rule shortfalls over the training datasets of
``mtorlab validate`` (held-out checks and datasets never enter it). SciPy's
``least_squares`` (trust-region reflective, bounds = each parameter's plausible range, in log
space) runs from several seeded starting points.
Before each evaluation the healthy normalisation (the ``*_ref`` baselines) is recomputed
for the candidate, so "1 = healthy" stays true. Every run is recorded: start points,
final losses, the best parameter set, per-check residuals, wall time and the seed.
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.claims._runner import CachedSimulator, run_check
from mtorlab.claims._schema import Check
from mtorlab.claims._shortfall import shortfall
from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    from mtorlab.validation import Dataset

Simulate = Callable[[Any], Any]


@dataclass
class Start:
    """One multi-start run."""

    x0: dict[str, float]
    x: dict[str, float]
    loss: float
    nfev: int


@dataclass
class Record:
    """Everything needed to judge and repeat a calibration run."""

    parameters: list[str]
    seed: int
    n_starts: int
    max_nfev: int
    training: list[str]
    training_datasets: list[str] = field(default_factory=list)
    starts: list[Start] = field(default_factory=list)
    best: dict[str, float] = field(default_factory=dict)
    best_loss: float = float("inf")
    initial_loss: float = float("inf")
    residuals: dict[str, float] = field(default_factory=dict)
    spread: dict[str, float] = field(default_factory=dict)
    evaluations: int = 0
    wall_s: float = 0.0

    def to_json(self) -> str:
        """The record as JSON text."""
        d = {k: v for k, v in self.__dict__.items() if k != "starts"}
        d["starts"] = [s.__dict__ for s in self.starts]
        return json.dumps(d, indent=2, sort_keys=True) + "\n"


#: Residual of a check whose simulation fails for a candidate (far worse than any shortfall).
FAILED = 10.0


def _residuals(checks: Sequence[Check], simulate: Simulate) -> dict[str, float]:
    out = {}
    for c in checks:
        try:
            res = run_check(c, CachedSimulator(simulate))
        except (RuntimeError, ValueError):  # integrator or linear algebra gave up (LinAlgError)
            out[c.id] = FAILED
            continue
        if res.error is not None:
            out[c.id] = FAILED
            continue
        out[c.id] = float(
            np.sqrt(
                sum(shortfall(a, o) ** 2 for a, o in zip(c.assertions, res.outcomes, strict=True))
            )
        )
    return out


def _dataset_residuals(datasets: Sequence[Dataset], simulate: Simulate) -> dict[str, float]:
    from mtorlab.validation import run_dataset

    sim = CachedSimulator(simulate)
    out = {}
    for ds in datasets:
        try:
            out[ds.id] = run_dataset(ds, "training", sim).residual(FAILED)
        except (RuntimeError, ValueError):  # integrator or linear algebra gave up
            out[ds.id] = FAILED
    return out


_FUNCS = {"ln": math.log, "exp": math.exp, "log10": math.log10}


def evaluate(formula: str, values: dict[str, float]) -> float:
    """Value of an arithmetic formula (+ - * / ** ln exp log10, names) — no eval()."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in values:
            return values[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            ops: dict[type, Callable[[float, float], float]] = {
                ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y,
                ast.Mult: lambda x, y: x * y, ast.Div: lambda x, y: x / y,
                ast.Pow: lambda x, y: x**y,
            }  # fmt: skip
            if type(node.op) in ops:
                return ops[type(node.op)](a, b)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCS
            and len(node.args) == 1
        ):
            return _FUNCS[node.func.id](walk(node.args[0]))
        raise MtorlabError(f"formula {formula!r}: {ast.dump(node)[:60]} is not allowed")

    return walk(ast.parse(formula, mode="eval"))


class Objective:
    """Residuals of the training checks (and datasets) for a parameter vector (log10 values).

    ``derived`` parameters follow the fitted ones through a formula (e.g. the score's
    midpoint keeps the healthy score at 15 whatever its width).
    """

    def __init__(
        self,
        names: Sequence[str],
        checks: Sequence[Check],
        simulate: Simulate,
        derived: dict[str, str] | None = None,
        datasets: Sequence[Dataset] = (),
    ) -> None:
        from mtorlab._api import model

        self.derived = dict(derived or {})
        self.names = list(names)
        self.checks = list(checks)
        self.datasets = list(datasets)
        self.simulate = simulate
        m = model()
        for n in self.names:
            p = m.parameters.get(n)
            if p is None or p.provenance.kind != "calibrated":
                raise MtorlabError(
                    f"calibration parameter {n!r} is not a parameter marked calibrated"
                )
            if p.range[0] <= 0:
                raise MtorlabError(
                    f"calibration parameter {n!r} needs a positive range (log scale)"
                )
        self.lower = np.log10([m.parameters[n].range[0] for n in self.names])
        self.upper = np.log10([m.parameters[n].range[1] for n in self.names])
        self.x_model = np.log10([m.parameters[n].value for n in self.names])
        self.model_values = {p.id: p.value for p in m.parameters.values()}
        self.evaluations = 0

    def values(self, x: np.ndarray) -> dict[str, float]:
        """Parameter values of a log10 vector, with the derived parameters."""
        out = {n: float(10**v) for n, v in zip(self.names, x, strict=True)}
        known = {**self.model_values, **out}
        for name, formula in self.derived.items():
            out[name] = evaluate(formula, known)
        return out

    def by_check(self, x: np.ndarray) -> dict[str, float]:
        """Per-check and per-dataset residual norms at ``x``."""
        from mtorlab._api import model, reference_engine
        from mtorlab.engines.baseline import healthy_baseline
        from mtorlab.scenario import parameter_overrides

        self.evaluations += 1
        theta = self.values(x)
        engine = reference_engine()
        engine._steady.clear()  # candidates never repeat: keep memory flat
        try:
            refs, _ = healthy_baseline(model(), engine, extra=theta)
        except (RuntimeError, MtorlabError, np.linalg.LinAlgError):  # no healthy state: reject
            return {**{c.id: FAILED for c in self.checks}, **{d.id: FAILED for d in self.datasets}}
        with parameter_overrides({**theta, **refs}):
            return {
                **_residuals(self.checks, self.simulate),
                **_dataset_residuals(self.datasets, self.simulate),
            }

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.array(list(self.by_check(x).values()))

    def loss(self, x: np.ndarray) -> float:
        """The training loss at ``x``: the sum of squared per-check residuals."""
        return float(np.sum(self(x) ** 2))


def _fit_start(
    names: Sequence[str],
    checks: Sequence[Check],
    simulate: Simulate,
    derived: dict[str, str] | None,
    datasets: Sequence[Dataset],
    x0: np.ndarray,
    max_nfev: int,
    obj: Objective | None = None,
) -> tuple[np.ndarray, float, int, int]:
    """One start of the fit: the fitted point, its loss, ``least_squares``' evaluations
    and the objective's (with the finite-difference Jacobian's). Module-level and built
    from picklable pieces, so a start can run in its own process."""
    from scipy.optimize import least_squares

    if obj is None:
        obj = Objective(names, checks, simulate, derived, datasets)
    before = obj.evaluations
    fit = least_squares(
        obj, x0, bounds=(obj.lower, obj.upper), method="trf", diff_step=0.02,
        max_nfev=max_nfev, x_scale=1.0,
    )  # fmt: skip
    return fit.x, float(np.sum(fit.fun**2)), int(fit.nfev), obj.evaluations - before


def calibrate(
    names: Sequence[str],
    checks: Sequence[Check],
    simulate: Simulate,
    *,
    n_starts: int = 3,
    seed: int = 1,
    max_nfev: int = 30,
    derived: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    datasets: Sequence[Dataset] = (),
    workers: int = 1,
) -> Record:
    """Multi-start least-squares fit of ``names`` to ``checks`` and ``datasets`` (training
    only); the model start is start 0.

    ``workers`` > 1 runs the starts in that many processes (each start is deterministic and
    independent of the others, so the record is the same as a serial run's; ``simulate``
    must then be a module-level function)."""
    t0 = time.perf_counter()
    obj = Objective(names, checks, simulate, derived, datasets)
    rng = np.random.default_rng(seed)
    rec = Record(list(names), seed, n_starts, max_nfev, [c.id for c in checks],
                 [d.id for d in datasets])  # fmt: skip
    rec.initial_loss = obj.loss(obj.x_model)
    starts = [obj.x_model] + [rng.uniform(obj.lower, obj.upper) for _ in range(n_starts - 1)]
    args = (list(names), list(checks), simulate, dict(derived or {}), list(datasets))
    parallel = workers > 1 and len(starts) > 1
    with contextlib.ExitStack() as stack:
        if parallel:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            ctx = multiprocessing.get_context("spawn")  # no inherited engine or thread state
            pool = stack.enter_context(
                ProcessPoolExecutor(min(workers, len(starts)), mp_context=ctx)
            )
            futures = [pool.submit(_fit_start, *args, x0, max_nfev) for x0 in starts]
            results = (fut.result() for fut in futures)  # in start order
        else:
            results = (_fit_start(*args, x0, max_nfev, obj=obj) for x0 in starts)
        fits = []
        for i, fit in enumerate(results):
            fits.append(fit)
            if progress:
                progress(
                    f"start {i + 1}/{len(starts)}: loss {fit[1]:.4g} after {fit[2]} evaluations"
                )
    if parallel:  # the workers' objectives counted their own evaluations
        obj.evaluations += sum(f[3] for f in fits)
    for x0, (x, loss, nfev, _evals) in zip(starts, fits, strict=True):
        rec.starts.append(Start(obj.values(x0), obj.values(x), loss, nfev))
    rec.evaluations = obj.evaluations
    best = min(rec.starts, key=lambda s: s.loss)
    rec.best, rec.best_loss = best.x, best.loss
    rec.residuals = obj.by_check(np.log10([best.x[n] for n in names]))
    good = [s for s in rec.starts if s.loss <= 1.1 * best.loss + 1e-9]
    for n in names:
        vals = np.log10([s.x[n] for s in good])
        rec.spread[n] = float(vals.max() - vals.min()) if len(vals) > 1 else float("nan")
    rec.wall_s = time.perf_counter() - t0
    return rec
