"""Simulate a dataset's conditions, compute its observable and judge its tolerance rules."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mtorlab.errors import MtorlabError, verdict
from mtorlab.validation._schema import (
    Band,
    Dataset,
    Observable,
    Ordering,
    PeakWindow,
    ReturnsBy,
    Rule,
    SameSign,
    WithinFold,
    WithinNoise,
)

Simulate = Callable[[Mapping[str, Any]], pd.DataFrame]
Curve = tuple[np.ndarray, np.ndarray]


@dataclass
class Point:
    """One measurement with the model's value at the same condition and time."""

    condition: str
    time: float
    measured: float  # NaN for a direction-only finding
    simulated: float
    noise: float | None
    noise_kind: str | None
    n: int | None
    direction: str | None = None


@dataclass
class RuleOutcome:
    """One tolerance rule: did it hold, what was compared, and how far from passing.

    ``shortfall`` is 0 when the rule holds and grows with the miss, in the rule's own
    relative unit (a fraction of the fold band, of k noise units, of the band or window
    width...), so calibration gets a continuous loss from a pass/fail rule.
    """

    rule: str
    passed: bool
    detail: str
    shortfall: float = 0.0


@dataclass
class DatasetResult:
    """A dataset's points, curves, rule outcomes and verdict."""

    dataset: Dataset
    split: str
    points: list[Point] = field(default_factory=list)
    outcomes: list[RuleOutcome] = field(default_factory=list)
    curves: dict[str, Curve] = field(default_factory=dict)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """Every rule held and nothing failed to run."""
        return self.error is None and bool(self.outcomes) and all(o.passed for o in self.outcomes)

    def residual(self, failed: float = 10.0) -> float:
        """Root-sum-square of the rules' shortfalls (``failed`` when the run errored)."""
        if self.error is not None:
            return failed
        return float(math.sqrt(sum(o.shortfall**2 for o in self.outcomes)))

    @property
    def status(self) -> str:
        """``pass``, ``fail``, ``xfail`` (a recorded limitation explains it) or ``error``."""
        return verdict(self.error, self.passed, self.dataset.expected_failure)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready record (curves left out)."""
        ds = self.dataset
        return {
            "id": ds.id,
            "level": ds.level,
            "split": self.split,
            "status": self.status,
            "title": ds.title,
            "citation": ds.citation.short(),
            "doi": ds.citation.doi,
            "pmid": ds.citation.pmid,
            "observable": ds.observable.id,
            "unit": ds.observable.unit,
            "expected_failure": ds.expected_failure,
            "error": self.error,
            "points": [
                {
                    "condition": p.condition,
                    "time_h": p.time,
                    "measured": _finite(p.measured),
                    "direction": p.direction,
                    "simulated": _finite(p.simulated),
                    "noise": p.noise,
                    "noise_kind": p.noise_kind,
                }
                for p in self.points
            ],
            "rules": [
                {"rule": o.rule, "passed": o.passed, "detail": o.detail} for o in self.outcomes
            ],
        }


def _finite(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)


def _unit_scale(readout: str, unit: str) -> float:
    """Concentration readouts are reported in ng/mL; the dataset's unit may differ (ug/mL...)."""
    if not readout.startswith("conc_"):
        return 1.0
    from mtorlab.units import parse_quantity_text

    try:
        q = parse_quantity_text(f"1 {unit}")
        return float(parse_quantity_text("1 ng/mL").to(q.units).magnitude)
    except Exception as exc:  # a unit syntax error, or pint's dimensionality error
        raise MtorlabError(
            f"observable unit {unit!r} is not a mass concentration (e.g. ng/mL): {exc}"
        ) from None


def observable_curves(ds: Dataset, simulate: Simulate) -> dict[str, Curve]:
    """Each condition's transformed observable over time after ``time_offset``."""
    obs = ds.observable
    scale = _unit_scale(obs.readout, obs.unit)
    raw: dict[str, Curve] = {}
    needed = [*ds.measured_conditions(), *([obs.reference] if obs.reference else [])]
    for cond in dict.fromkeys(needed):
        if ds.is_trial(cond):  # a virtual trial: its endpoints over the visits
            from mtorlab.clinical import trial_frame

            frame = trial_frame(ds.scenario(cond), f"{ds.id}: conditions.{cond}")
        else:
            frame = simulate(ds.scenario(cond))
        t = frame["time_h"].to_numpy(dtype=float) - ds.time_offset
        y = frame[obs.readout].to_numpy(dtype=float) * scale
        keep = t >= -1e-9
        raw[cond] = (t[keep], y[keep])
    out: dict[str, Curve] = {}
    for cond in ds.measured_conditions():
        t, y = raw[cond]
        with np.errstate(divide="ignore", invalid="ignore"):  # a drug-free reference is 0
            out[cond] = (t, _transform(obs, t, y, raw))
    return out


def _transform(
    obs: Observable, t: np.ndarray, y: np.ndarray, raw: Mapping[str, Curve]
) -> np.ndarray:
    """The readout ``y`` as the paper reports it (relative to a reference, or to baseline)."""
    if obs.reference is not None:
        tr, yr = raw[obs.reference]
        ref = np.interp(t, tr, yr)
        if obs.transform == "fold_change":
            return y / ref
        if obs.transform == "percent_change":
            return 100.0 * (y / ref - 1.0)
        return y - ref
    if obs.transform == "change_from_baseline":
        return y - y[0]
    if obs.transform == "percent_change_from_baseline":
        return 100.0 * (y / y[0] - 1.0)
    return y


def _at(curve: Curve, time: float) -> float:
    t, y = curve
    if time > t[-1] + 1e-6:
        raise MtorlabError(f"a measurement at {time:g} h lies beyond the simulated {t[-1]:g} h")
    return float(np.interp(time, t, y))


def _condition(ds: Dataset, rule: PeakWindow | ReturnsBy) -> str:
    if rule.condition is not None:
        return rule.condition
    measured = [c for c in ds.measured_conditions() if c != ds.observable.reference]
    return measured[0]


def _peak(ds: Dataset, curve: Curve) -> tuple[float, float]:
    t, y = curve
    dev = np.abs(y - ds.observable.neutral)
    i = int(np.nanargmax(dev))
    return float(t[i]), float(dev[i])


def judge(
    ds: Dataset, rule: Rule, points: Sequence[Point], curves: Mapping[str, Curve]
) -> RuleOutcome:
    """Evaluate one tolerance rule, with its shortfall (0 when it holds)."""
    neutral = ds.observable.neutral
    if isinstance(rule, WithinFold):
        logk = math.log(rule.k)
        misses = [
            (abs(math.log(p.simulated / p.measured)) - logk) / logk
            if p.measured > 0 and p.simulated > 0 else 1.0
            for p in points
        ]  # fmt: skip
        ratios = ", ".join(
            f"{p.simulated / p.measured:.2g}" if p.measured > 0 else "n/a" for p in points
        )
        detail = f"simulated/measured: {ratios} (allowed 1/{rule.k:g}..{rule.k:g})"
        return _outcome("within_fold", misses, detail)
    if isinstance(rule, WithinNoise):
        zs = [abs(p.simulated - p.measured) / (p.noise or math.inf) for p in points]
        kinds = ",".join(sorted({p.noise_kind or "" for p in points}))
        detail = f"|sim-meas|/{kinds}: {', '.join(f'{z:.2g}' for z in zs)} (allowed <= {rule.k:g})"
        return _outcome("within_noise", [(z - rule.k) / rule.k for z in zs], detail)
    if isinstance(rule, Band):
        width = rule.high - rule.low
        misses = [max(rule.low - p.simulated, p.simulated - rule.high) / width for p in points]
        sims = ", ".join(f"{p.simulated:.3g}" for p in points)
        return _outcome("band", misses, f"simulated {sims} (band {rule.low:g}..{rule.high:g})")
    if isinstance(rule, SameSign):
        details, misses = [], []
        for p in points:
            dsim = p.simulated - neutral
            if p.direction is not None:
                sign = {"increase": 1.0, "decrease": -1.0}.get(p.direction, 0.0)
                need = rule.min_change
                details.append(f"{dsim:+.3g} vs {p.direction}")
            else:
                sign = math.copysign(1.0, p.measured - neutral) if p.measured != neutral else 0.0
                need = max(rule.min_fraction * abs(p.measured - neutral), rule.min_change)
                details.append(f"{dsim:+.3g} vs {p.measured - neutral:+.3g}")
            scale = max(need, 0.01 * abs(neutral) if neutral else 0.01, 1e-9)
            if sign == 0:
                misses.append(1.0)  # no direction to match: use an ordering or band rule
            else:
                got = sign * dsim
                misses.append((need - got) / scale if got < need or got <= 0 else -1.0)
        return _outcome("same_sign", misses,
                        f"change simulated vs measured: {'; '.join(details)} "
                        f"(same sign, >= {rule.min_fraction:g} of measured, "
                        f">= {rule.min_change:g})")  # fmt: skip
    if isinstance(rule, PeakWindow):
        cond = _condition(ds, rule)
        t_peak, _ = _peak(ds, curves[cond])
        width = max(rule.to - rule.from_, 1e-9)
        miss = max(rule.from_ - t_peak, t_peak - rule.to) / width
        return _outcome("peak_window", [miss],
                        f"{cond}: largest change at {t_peak:.3g} h "
                        f"(window {rule.from_:g}-{rule.to:g} h)")  # fmt: skip
    if isinstance(rule, ReturnsBy):
        cond = _condition(ds, rule)
        _, size = _peak(ds, curves[cond])
        left = abs(_at(curves[cond], rule.time) - neutral)
        frac = left / size if size > 0 else 1.0
        miss = (frac - rule.fraction) / rule.fraction if size > 0 else 1.0
        return _outcome("returns_by", [miss],
                        f"{cond}: at {rule.time:g} h {frac:.0%} of the peak change remains "
                        f"(allowed < {rule.fraction:.0%})")  # fmt: skip
    assert isinstance(rule, Ordering)
    by = {(p.condition, p.time): p.simulated for p in points}
    times = sorted({p.time for p in points if all((c, p.time) in by for c in rule.order)})
    if not times:
        return RuleOutcome(
            "ordering", False, "no time at which every ordered condition is measured", 1.0
        )
    misses, parts = [], []
    for t in times:
        vals = [by[(c, t)] for c in rule.order]
        for a, b in itertools.pairwise(vals):
            misses.append((b - a) / max(abs(a) + abs(b), 1e-9) if b >= a else -1.0)
        parts.append(
            f"{t:g} h: " + " > ".join(f"{c} {v:.3g}" for c, v in zip(rule.order, vals, strict=True))
        )
    return _outcome("ordering", misses, "; ".join(parts))


def _outcome(rule: str, misses: Sequence[float], detail: str) -> RuleOutcome:
    """Passed when every miss is <= 0; the shortfall is the worst positive miss."""
    worst = max(misses) if misses else 1.0
    passed = bool(misses) and worst <= 0.0
    if rule in ("same_sign", "ordering"):  # strict: an exact tie is not a change
        passed = bool(misses) and worst < 0.0
    return RuleOutcome(rule, passed, detail, 0.0 if passed else max(worst, 1e-6))


def run_dataset(ds: Dataset, split: str, simulate: Simulate) -> DatasetResult:
    """Simulate ``ds``'s conditions and judge every rule; scenario errors become ``error``."""
    result = DatasetResult(ds, split)
    try:
        curves = observable_curves(ds, simulate)
        result.curves = curves
        result.points = [
            Point(m.condition, m.time, math.nan if m.measurement is None else m.measurement,
                  _at(curves[m.condition], m.time), m.noise, m.noise_kind, m.n, m.direction)
            for m in ds.measurements
        ]  # fmt: skip
        result.outcomes = [judge(ds, r, result.points, curves) for r in ds.tolerance]
    except MtorlabError as exc:
        result.error = str(exc)
    return result


def run_all(
    datasets: Sequence[Dataset], split: Mapping[str, str], simulate: Simulate | None = None
) -> list[DatasetResult]:
    """Run datasets, simulating each distinct condition once (default: the reference engine)."""
    from mtorlab.claims._runner import CachedSimulator

    if simulate is None:
        from mtorlab.claims._simulate import simulate_mapping

        simulate = simulate_mapping
    sim = CachedSimulator(simulate)
    return [run_dataset(ds, split[ds.id], sim) for ds in datasets]


def summary(results: Sequence[DatasetResult]) -> dict[str, Any]:
    """Pass counts by split and by level (an xfail counts as not passed)."""

    def row(chosen: Sequence[DatasetResult]) -> dict[str, Any]:
        n = len(chosen)
        passed = sum(r.status == "pass" for r in chosen)
        counts = {s: sum(r.status == s for r in chosen) for s in ("pass", "fail", "xfail", "error")}
        return {**counts, "total": n, "pass_rate": passed / n if n else None}

    by_split = {s: row([r for r in results if r.split == s]) for s in ("training", "held_out")}
    by_split["all"] = row(results)
    levels = dict.fromkeys(r.dataset.level for r in results)
    by_level = {
        lv: {
            s: row([r for r in results if r.dataset.level == lv and r.split == s])
            for s in ("training", "held_out")
        }
        for lv in levels
    }
    return {"by_split": by_split, "by_level": by_level}
