"""The clinical layer's placebo and natural-course model against its published numbers.

The layer is applied to synthetic patients (no mechanistic drug effect, a constant untreated
course): the population it produces must reproduce the placebo-arm curve it was built from
(Posternak & Zimmerman 2005 onset; Kirino 2012 week-8 mean and SD) and, independently, the
placebo response rate of the trials (35-40%, Furukawa et al. 2016), which was not used.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mtorlab.clinical import clinical_params, draw, nonspecific_curve, onset, parameter_table, rated
from mtorlab.clinical._params import parse_params

WEEK = 168.0


def _arm(
    n: int, weeks: float, nonspecific: str = "placebo", seed: int = 7
) -> tuple[np.ndarray, np.ndarray]:
    """Rated baseline and rated MADRS after ``weeks`` for n synthetic patients with Kirino's
    baseline distribution (29.6 +/- 5.9)."""
    params = clinical_params()
    rng = np.random.default_rng(seed)
    base = rng.normal(29.6, 5.9, n)
    y0, y1 = np.empty(n), np.empty(n)
    t = np.array([0.0, weeks * WEEK])
    for i in range(n):
        d = draw(rng, 2, params, nonspecific)  # type: ignore[arg-type]
        y = rated(np.full(2, base[i]), np.zeros(2), base[i], d.fraction, onset(t, params), d.noise)
        y0[i], y1[i] = y
    return y0, y1


def test_onset_puts_61_6_percent_of_six_weeks_in_the_first_two() -> None:
    p = clinical_params()
    share = float(onset(2 * WEEK, p) / onset(6 * WEEK, p))
    assert share == pytest.approx(0.616, abs=0.002)
    assert float(onset(0.0, p)) == 0.0 and float(onset(-5.0, p)) == 0.0
    curve = onset(np.arange(0, 13) * WEEK, p)
    assert np.all(np.diff(curve) > 0) and curve[-1] < 1.0


def test_placebo_arm_reproduces_the_week_8_change_it_was_derived_from() -> None:
    y0, y8 = _arm(20000, 8)
    change = y8 - y0
    assert change.mean() == pytest.approx(-10.7, abs=0.35)
    assert change.std(ddof=1) == pytest.approx(9.5, abs=0.5)
    mean_curve = nonspecific_curve(np.array([8 * WEEK]), 29.6, clinical_params(), "placebo")
    assert float(mean_curve[0]) == pytest.approx(10.7, abs=0.05)


def test_placebo_response_rate_falls_in_the_published_range() -> None:
    """Not used to set any number: placebo response 35-40% (Furukawa 2016); allow the
    sampling error of 20,000 synthetic patients and a 5-point margin either side."""
    y0, y8 = _arm(20000, 8)
    rate = float(np.mean(y8 <= 0.5 * y0))
    assert 0.30 <= rate <= 0.45, rate


def test_natural_course_is_smaller_than_placebo() -> None:
    """Wait-list: 11.9% mean improvement and about 20% responders (Posternak & Miller 2001)."""
    y0, y12 = _arm(20000, 12, "natural_course")
    frac = float(np.mean((y0 - y12) / y0))
    assert frac == pytest.approx(0.119 * float(onset(12 * WEEK, clinical_params())), abs=0.02)
    assert float(np.mean(y12 <= 0.5 * y0)) == pytest.approx(0.197, abs=0.04)
    _, p12 = _arm(20000, 12, "placebo")
    assert np.mean(p12) < np.mean(y12)


def test_ratings_are_whole_points_on_the_scale() -> None:
    y = rated(np.array([[59.4, 2.0]]), np.array([[3.0, -5.0]]), 30.0, 0.0, np.zeros(2),
              np.zeros((1, 2)))  # fmt: skip
    assert y.tolist() == [[60.0, 0.0]]


def test_derived_numbers_follow_their_formulas() -> None:
    """The data file's derived values recompute from the numbers its sources give."""
    from scipy.optimize import brentq

    p = clinical_params()
    k = brentq(lambda k: (1 - math.exp(-2 * k)) / (1 - math.exp(-6 * k)) - 0.616, 0.01, 5)
    assert p.onset_rate == pytest.approx(k, abs=5e-4)
    assert p.placebo_max_fraction == pytest.approx(10.7 / 29.6 / (1 - math.exp(-8 * k)), abs=1e-3)
    assert p.rating_noise_sd == pytest.approx(5.9 * math.sqrt(1 - 0.93), abs=5e-3)
    for name, num in parameter_table().items():
        assert num.range[0] <= num.value <= num.range[1], name
        assert num.provenance.kind in ("literature", "derived", "assumed")


def test_a_bad_parameter_file_names_the_entry_and_field() -> None:
    from mtorlab.errors import DataFileError

    table = {n: v.model_dump() for n, v in parameter_table().items()}
    table["shape"]["value"] = 9.0
    with pytest.raises(DataFileError, match=r"entry 'shape'.*outside its range"):
        parse_params({"parameters": table}, "x.yaml")
    table["shape"]["value"] = 1.0
    table["onset_rate"]["provenance"] = {"kind": "derived", "source": "s", "verified": "v"}
    with pytest.raises(DataFileError, match=r"onset_rate.*formula"):
        parse_params({"parameters": table}, "x.yaml")
