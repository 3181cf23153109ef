"""The assertion vocabulary of claim checks, evaluated on simulated time courses.

Each assertion reads one readout from one or more arms (simulation tables with a
``time_h`` column) and returns an :class:`Outcome`: passed or not, the measured number
and what was expected, in words a reader can check against the review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from mtorlab.errors import MtorlabError

Tables = Mapping[str, pd.DataFrame]


def hours(text: str | float) -> float:
    """A duration such as ``"2 h"``, ``"30 min"`` or ``"14 d"`` in hours (numbers are hours)."""
    if isinstance(text, int | float):
        return float(text)
    from mtorlab.units import parse_quantity_text

    try:
        return float(parse_quantity_text(text).to("hour").magnitude)
    except Exception as exc:  # pint raises several error types
        raise ValueError(f"{text!r} is not a duration with a unit (e.g. '2 h', '14 d')") from exc


Duration = Annotated[float, Field(ge=0)]


class _Assertion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    readout: str
    arm: str

    @field_validator("at", "start", "end", "by", "within", mode="before", check_fields=False)
    @classmethod
    def _duration(cls, v: object) -> object:
        return hours(v) if isinstance(v, str) else v


@dataclass(frozen=True)
class Outcome:
    """Result of one assertion."""

    passed: bool
    measured: float
    expected: str
    detail: str


def series(tables: Tables, arm: str, readout: str) -> pd.Series:
    """One readout of one arm, indexed by ``time_h``."""
    if arm not in tables:
        raise MtorlabError(f"assertion names arm {arm!r}; arms are {', '.join(tables)}")
    df = tables[arm]
    if readout not in df.columns:
        raise MtorlabError(f"arm {arm!r} has no readout {readout!r}")
    return pd.Series(df[readout].to_numpy(), index=df["time_h"].to_numpy())


def value_at(s: pd.Series, t: float) -> float:
    """Linear interpolation of a time course at ``t`` hours."""
    return float(np.interp(t, s.index.to_numpy(), s.to_numpy()))


def _relative(a: float, b: float) -> float:
    """(a − b) / |b|; ±inf when only ``b`` is zero, 0 when both are."""
    if b != 0:
        return (a - b) / abs(b)
    return 0.0 if a == b else float(np.inf * np.sign(a - b))


class Changes(_Assertion):
    """``arm`` differs from ``vs`` at time ``at`` by a relative change in ``[min, max]``.

    ``increases`` needs a change >= ``min_relative`` (> 0); ``decreases`` a change
    <= -``min_relative``. Relative change = (arm - vs) / |vs|.
    """

    type: Literal["increases", "decreases"]
    vs: str
    at: Duration
    min_relative: float = Field(default=0.05, gt=0)
    max_relative: float | None = Field(default=None, gt=0)

    def evaluate(self, tables: Tables) -> Outcome:
        a = value_at(series(tables, self.arm, self.readout), self.at)
        b = value_at(series(tables, self.vs, self.readout), self.at)
        rel = _relative(a, b)
        signed = rel if self.type == "increases" else -rel
        ok = signed >= self.min_relative
        if self.max_relative is not None:
            ok = ok and signed <= self.max_relative
        bound = f"{self.min_relative:.0%}" + (
            f"..{self.max_relative:.0%}" if self.max_relative is not None else "+"
        )
        return Outcome(
            bool(ok),
            float(rel),
            f"{self.type} by {bound} vs {self.vs} at {self.at:g} h",
            f"{self.readout}: {self.arm} {a:.4g} vs {self.vs} {b:.4g}",
        )


def _measure(s: pd.Series, at: float, how: str) -> float:
    """The value at ``at``, the maximum up to ``at``, or the area under the curve up to ``at``."""
    if how == "value":
        return value_at(s, at)
    t, y = s.index.to_numpy(), s.to_numpy()
    keep = t <= at
    if how == "peak":
        return float(y[keep].max())
    t, y = t[keep], y[keep]
    return float(np.sum(np.diff(t) * (y[1:] + y[:-1]) / 2))


class RatioBetween(_Assertion):
    """(arm − baseline) / (vs − vs_baseline) at ``at`` lies in ``[low, high]``.

    ``baseline`` names an arm whose value is subtracted (e.g. the untreated control), so the
    ratio compares effects; ``vs_baseline`` (default: ``baseline``) is subtracted from
    ``vs`` instead, which compares the effects of one treatment in two backgrounds (an
    interaction). ``vs_readout`` (default: ``readout``) divides by another readout, e.g.
    brain over plasma concentration in one arm. ``measure`` reads each time course as its
    value at ``at``, its maximum up to ``at`` (``peak``) or its area up to ``at`` (``auc``).
    """

    type: Literal["ratio_between"]
    vs: str
    at: Duration
    low: float
    high: float
    baseline: str | None = None
    vs_baseline: str | None = None
    vs_readout: str | None = None
    measure: Literal["value", "peak", "auc"] = "value"

    def evaluate(self, tables: Tables) -> Outcome:
        other = self.vs_readout or self.readout

        def read(arm: str | None, readout: str) -> float:
            return _measure(series(tables, arm, readout), self.at, self.measure) if arm else 0.0

        a = read(self.arm, self.readout)
        b = read(self.vs, other)
        c = read(self.baseline, self.readout)
        d = read(self.vs_baseline or self.baseline, other)
        ratio = (a - c) / (b - d) if b != d else float("inf")
        what = "effect ratio" if self.baseline or self.vs_baseline else "ratio"
        how = "" if self.measure == "value" else f"{self.measure} "
        names = (
            f"{self.arm}.{self.readout}/{self.vs}.{other}"
            if self.vs_readout
            else (f"{self.arm}/{self.vs}")
        )
        return Outcome(
            bool(self.low <= ratio <= self.high),
            float(ratio),
            f"{how}{what} {names} in [{self.low:g}, {self.high:g}] at {self.at:g} h",
            f"{how}{self.readout}: {self.arm} {a:.4g}, {self.vs} {b:.4g}"
            + (f", {self.baseline} {c:.4g}" if self.baseline else "")
            + (f", {self.vs_baseline} {d:.4g}" if self.vs_baseline else ""),
        )


class ChangeBetween(_Assertion):
    """The relative change (arm − vs) / |vs| at ``at`` lies in ``[low, high]`` (signed).

    Says "unchanged within 5%" (``low: -0.05, high: 0.05``) or "not reduced by more than
    5%" (``low: -0.05``, no ``high``), which ``increases``/``decreases`` cannot.
    """

    type: Literal["change_between"]
    vs: str
    at: Duration
    low: float
    high: float | None = None

    def evaluate(self, tables: Tables) -> Outcome:
        a = value_at(series(tables, self.arm, self.readout), self.at)
        b = value_at(series(tables, self.vs, self.readout), self.at)
        rel = _relative(a, b)
        high = np.inf if self.high is None else self.high
        return Outcome(
            bool(self.low <= rel <= high),
            float(rel),
            f"change vs {self.vs} in [{self.low:+.0%}, "
            + (f"{self.high:+.0%}]" if self.high is not None else "+inf]")
            + f" at {self.at:g} h",
            f"{self.readout}: {self.arm} {a:.4g} vs {self.vs} {b:.4g}",
        )


class PeaksWithin(_Assertion):
    """The readout's extreme (``max`` or ``min``) falls in ``[start, end]`` hours."""

    type: Literal["peaks_within"]
    start: Duration
    end: Duration
    extreme: Literal["max", "min"] = "max"

    def evaluate(self, tables: Tables) -> Outcome:
        s = series(tables, self.arm, self.readout)
        t = float(s.idxmax() if self.extreme == "max" else s.idxmin())
        return Outcome(
            self.start <= t <= self.end,
            t,
            f"{self.extreme} between {self.start:g} and {self.end:g} h",
            f"{self.readout} in {self.arm}: {self.extreme} {s.loc[t]:.4g} at {t:.3g} h",
        )


class ReturnsToBaseline(_Assertion):
    """After its peak, the readout is back within ``tolerance`` of the peak excursion by ``by``.

    Baseline is the value at time 0; the excursion is peak − baseline.
    """

    type: Literal["returns_to_baseline_within"]
    by: Duration
    tolerance: float = Field(default=0.2, gt=0, lt=1)

    def evaluate(self, tables: Tables) -> Outcome:
        s = series(tables, self.arm, self.readout)
        base = float(s.iloc[0])
        dev = (s - base).abs()
        peak = float(dev.max())
        left = abs(value_at(s, self.by) - base) / peak if peak > 0 else 0.0
        return Outcome(
            left <= self.tolerance,
            left,
            f"within {self.tolerance:.0%} of baseline by {self.by:g} h",
            f"{self.readout} in {self.arm}: excursion {peak:.4g}, left {left:.1%} at {self.by:g} h",
        )


class AboveFor(_Assertion):
    """How long the readout stays above ``threshold`` × baseline (hours); in ``[low, high]``.

    ``vs`` compares against another arm's duration instead: the ratio must be >= ``low``.
    """

    type: Literal["longer_than", "duration_between"]
    threshold: float = Field(gt=0)
    low: float
    high: float | None = None
    vs: str | None = None
    #: Measure ``arm`` against this arm at the same times instead of its own starting value
    #: (e.g. esketamine + SSRI against the SSRI alone: the window the combination adds).
    relative_to: str | None = None

    def _time_above(self, tables: Tables, arm: str, reference: str | None = None) -> float:
        s = series(tables, arm, self.readout)
        t = s.index.to_numpy()
        if reference is None:
            ref = np.full(len(s), float(s.iloc[0]))
        else:
            r = series(tables, reference, self.readout)
            ref = np.interp(t, r.index.to_numpy(), r.to_numpy())
        above = s.to_numpy() > self.threshold * ref
        return float(np.sum(np.diff(t) * above[1:]))

    def evaluate(self, tables: Tables) -> Outcome:
        d = self._time_above(tables, self.arm, self.relative_to)
        if self.type == "longer_than":
            if self.vs is None:
                raise MtorlabError("longer_than needs `vs` (the arm to compare with)")
            other = self._time_above(tables, self.vs)
            ratio = d / other if other > 0 else float("inf")
            ref = f"{self.relative_to}" if self.relative_to else "baseline"
            return Outcome(
                ratio >= self.low,
                ratio,
                f"time above {self.threshold:g}x {ref} at least {self.low:g}x {self.vs}'s",
                f"{self.readout}: {self.arm} {d:.3g} h vs {self.vs} {other:.3g} h",
            )
        high = np.inf if self.high is None else self.high
        return Outcome(
            self.low <= d <= high,
            d,
            f"time above {self.threshold:g}x baseline in [{self.low:g}, {high:g}] h",
            f"{self.readout} in {self.arm}: {d:.3g} h above",
        )


class DoseSeries(BaseModel):
    """Arms of a dose series: ``arms[i]`` was run at ``doses[i]``; effects vs ``baseline``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    readout: str
    arms: tuple[str, ...] = Field(min_length=3)
    doses: tuple[float, ...] = Field(min_length=3)
    baseline: str
    at: Duration
    measure: Literal["value", "peak"] = "value"

    @field_validator("at", mode="before")
    @classmethod
    def _duration(cls, v: object) -> object:
        return hours(v) if isinstance(v, str) else v

    def effects(self, tables: Tables) -> np.ndarray:
        """Relative effect of each arm vs the baseline arm (at ``at``, or peak up to ``at``)."""
        if len(self.arms) != len(self.doses):
            raise MtorlabError("a dose series needs as many doses as arms")

        def read(arm: str) -> float:
            s = series(tables, arm, self.readout)
            if self.measure == "peak":
                return float(s[s.index <= self.at].max())
            return value_at(s, self.at)

        b = read(self.baseline)
        return np.array([(read(a) - b) / abs(b) for a in self.arms])


class Window(DoseSeries):
    """Effects below ``below`` for doses under ``low``; at least ``above`` in ``[low, high]``."""

    type: Literal["window"]
    low: float
    high: float
    below: float
    above: float

    def evaluate(self, tables: Tables) -> Outcome:
        eff = self.effects(tables)
        d = np.array(self.doses)
        under = eff[d < self.low]
        inside = eff[(d >= self.low) & (d <= self.high)]
        ok = bool(np.all(under < self.below) and inside.size and np.all(inside >= self.above))
        pairs = ", ".join(f"{x:g}: {e:+.1%}" for x, e in zip(d, eff, strict=True))
        return Outcome(
            ok,
            float(inside.min()) if inside.size else float("nan"),
            f"effect < {self.below:.0%} below {self.low:g}, >= {self.above:.0%} in "
            f"[{self.low:g}, {self.high:g}]",
            f"{self.readout} by dose: {pairs}",
        )


class Biphasic(DoseSeries):
    """Effects rise to a maximum inside the series, then fall by at least ``drop``."""

    type: Literal["biphasic"]
    drop: float = Field(default=0.1, gt=0)

    def evaluate(self, tables: Tables) -> Outcome:
        eff = self.effects(tables)
        i = int(np.argmax(eff))
        fall = float(eff[i] - eff[-1])
        ok = 0 < i < len(eff) - 1 and fall >= self.drop * abs(eff[i]) and eff[i] > eff[0]
        pairs = ", ".join(f"{x:g}: {e:+.1%}" for x, e in zip(self.doses, eff, strict=True))
        return Outcome(
            bool(ok),
            fall,
            f"rises then falls by >= {self.drop:.0%} of the maximum effect",
            f"{self.readout} by dose: {pairs}",
        )


Assertion = Annotated[
    Changes
    | RatioBetween
    | ChangeBetween
    | PeaksWithin
    | ReturnsToBaseline
    | AboveFor
    | Window
    | Biphasic,
    Field(discriminator="type"),
]
