"""Trial statistics: mean with t interval, Welch difference, Wilson and Newcombe intervals,
number needed to treat, Kaplan-Meier median time to response.

Textbook formulas, each checkable by hand (tests/clinical/test_stats.py):
  * mean +/- t(0.975, n-1) * sd / sqrt(n);
  * Welch: d = mean_a - mean_b, se = sqrt(va/na + vb/nb), Welch-Satterthwaite df;
  * Wilson score interval (``mtorlab.cohort.wilson``);
  * Newcombe's hybrid score interval for a difference of proportions (method 10 of Newcombe
    1998, Stat Med 17:873-890): d - sqrt((p1-l1)^2 + (u2-p2)^2), d + sqrt((u1-p1)^2 + (p2-l2)^2);
  * NNT = 1 / risk difference; its interval is the reciprocal of the difference's when that
    excludes 0 (Altman 1998, BMJ 317:1309), else it runs through infinity (NNTB .. inf .. NNTH).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtorlab.cohort._run import wilson


@dataclass(frozen=True)
class Interval:
    """An estimate and its 95% interval."""

    estimate: float
    low: float
    high: float


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[int, float, float, Interval]:
    """(n, mean, sd, interval of the mean) of the finite values of ``x``."""
    from scipy import stats

    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return 0, math.nan, math.nan, Interval(math.nan, math.nan, math.nan)
    m = float(v.mean())
    if n == 1:
        return 1, m, math.nan, Interval(m, math.nan, math.nan)
    sd = float(v.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return n, m, sd, Interval(m, m - half, m + half)


def welch(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> Interval:
    """Difference of means a - b with Welch's interval (unequal variances)."""
    from scipy import stats

    na, ma, sa, _ = mean_ci(a)
    nb, mb, sb, _ = mean_ci(b)
    if na < 2 or nb < 2:
        return Interval(ma - mb, math.nan, math.nan)
    va, vb = sa * sa / na, sb * sb / nb
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(ma - mb, ma - mb, ma - mb)
    df = (va + vb) ** 2 / (va * va / (na - 1) + vb * vb / (nb - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return Interval(ma - mb, ma - mb - half, ma - mb + half)


def proportion(k: int, n: int) -> Interval:
    """k/n with its Wilson 95% interval."""
    lo, hi = wilson(k, n)
    return Interval(k / n if n else math.nan, lo, hi)


def newcombe(k1: int, n1: int, k2: int, n2: int) -> Interval:
    """p1 - p2 with Newcombe's hybrid score 95% interval (method 10)."""
    if n1 == 0 or n2 == 0:
        return Interval(math.nan, math.nan, math.nan)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Interval(d, low, high)


def nnt(rd: Interval) -> tuple[float, float, float, str]:
    """(NNT, low, high, text) from a risk difference (benefit positive).

    NNT is 1/rd (negative: number needed to harm). When the difference's interval excludes 0
    the NNT interval is (1/high, 1/low); otherwise the bounds are NaN and the text says
    ``NNTB a to inf to NNTH b``.
    """
    d, lo, hi = rd.estimate, rd.low, rd.high
    if not math.isfinite(d) or d == 0:
        return math.inf, math.nan, math.nan, "inf (no difference)"
    value = 1.0 / d
    if math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or hi < 0):
        a, b = sorted((1.0 / lo, 1.0 / hi))
        kind = "NNTB" if d > 0 else "NNTH"
        near, far = sorted((abs(a), abs(b)))
        return value, a, b, f"{kind} {abs(value):.1f} (95% CI {near:.1f} to {far:.1f})"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return value, math.nan, math.nan, f"{abs(value):.1f}"
    kind = "NNTB" if d > 0 else "NNTH"
    through = f"NNTB {1 / hi:.1f} to inf to NNTH {1 / -lo:.1f}"
    return value, math.nan, math.nan, f"{kind} {abs(value):.1f} ({through})"


def km_median(event_time: np.ndarray, observed: np.ndarray) -> float:
    """Kaplan-Meier median of ``event_time`` (NaN where a patient had no event: censored at
    ``observed``, the last time seen). Returns NaN when the curve stays above 0.5."""
    t = np.asarray(event_time, dtype=float)
    last = np.asarray(observed, dtype=float)
    times = np.where(np.isfinite(t), t, last)
    events = np.isfinite(t)
    surv = 1.0
    for u in np.unique(times[events]):
        at_risk = int((times >= u).sum())
        d = int(((times == u) & events).sum())
        if at_risk:
            surv *= 1.0 - d / at_risk
        if surv <= 0.5:
            return float(u)
    return math.nan
