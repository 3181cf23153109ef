"""Trial statistics against hand-computed and published values on synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mtorlab.clinical._stats import Interval, km_median, mean_ci, newcombe, nnt, proportion, welch


def test_mean_interval_is_the_t_interval() -> None:
    n, mean, sd, ci = mean_ci(np.array([1.0, 2.0, 3.0, 4.0, 5.0, math.nan]))
    assert (n, mean) == (5, 3.0)
    assert sd == pytest.approx(math.sqrt(2.5))
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4)
    assert (ci.low, ci.high) == pytest.approx((3 - half, 3 + half))


def test_welch_matches_its_formula() -> None:
    a, b = np.array([5.0, 7.0, 9.0, 11.0]), np.array([1.0, 2.0, 3.0])
    d = welch(a, b)
    va, vb = np.var(a, ddof=1) / 4, np.var(b, ddof=1) / 3
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 2)
    from scipy import stats

    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert d.estimate == pytest.approx(6.0)
    assert (d.low, d.high) == pytest.approx((6 - half, 6 + half))


def test_wilson_interval_by_hand() -> None:
    p = proportion(81, 263)
    z = 1.959963984540054
    phat, n = 81 / 263, 263
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (p.estimate, p.low, p.high) == pytest.approx((phat, centre - half, centre + half))
    assert proportion(0, 10).low == 0.0 and proportion(10, 10).high == pytest.approx(1.0)


def test_newcombe_reproduces_the_published_example() -> None:
    """Newcombe 1998 (Stat Med 17:873-890), 56/70 vs 48/80, method 10: 0.0524 to 0.3339."""
    d = newcombe(56, 70, 48, 80)
    assert d.estimate == pytest.approx(0.2)
    assert (d.low, d.high) == pytest.approx((0.0524, 0.3339), abs=5e-4)


def test_nnt_is_the_reciprocal_with_its_interval() -> None:
    value, lo, hi, text = nnt(Interval(0.2, 0.05, 0.25))
    assert (value, lo, hi) == pytest.approx((5.0, 4.0, 20.0))
    assert text == "NNTB 5.0 (95% CI 4.0 to 20.0)"
    value, lo, hi, text = nnt(Interval(-0.1, -0.2, -0.05))
    assert value == pytest.approx(-10.0) and text.startswith("NNTH 10.0 (95% CI 5.0 to 20.0")
    value, lo, hi, text = nnt(Interval(0.1, -0.05, 0.25))  # the interval spans no difference
    assert value == pytest.approx(10.0) and math.isnan(lo) and "to inf to NNTH 20.0" in text


def test_kaplan_meier_median_with_censoring() -> None:
    # 4 patients respond at 1, 2, 2, 4; 2 never (censored at 4): S = 5/6, 3/6 at t = 2
    t = np.array([1.0, 2.0, 2.0, 4.0, math.nan, math.nan])
    seen = np.full(6, 4.0)
    assert km_median(t, seen) == 2.0
    assert math.isnan(km_median(np.array([math.nan, 1.0, math.nan]), np.array([3.0] * 3)))
