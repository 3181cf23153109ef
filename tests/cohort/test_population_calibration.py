"""Population variability: the log-normal form, seeding, and the published effect sizes.

The effect-size targets (serum BDNF d = -0.7, Molendijk 2014; plasma IL-6 d = +0.45, the
midpoint of 0.4-0.5, Haapakoski 2015) are checked within 3 standard errors of Cohen's d at
this test's cohort size. Serum BDNF's set-point width is calibrated and must meet its
target; IL-6's is assumed and its d stays near +0.9 (strict xfail): see the header of
``cohort/data/subtypes.yaml`` and ``benchmarks/calibrate_population.py``.
"""

from __future__ import annotations

import dataclasses
import math
from importlib import resources
from typing import Any

import numpy as np
import pytest
import yaml

import mtorlab as mt
from mtorlab.cohort import CohortSpec, Summary, cohens_d, effect_sizes, run_cohort
from mtorlab.cohort._population import (
    Population,
    Variability,
    _parse,
    load_population,
    sample_patient,
)
from mtorlab.errors import DataFileError
from mtorlab.scenario import validate_scenario

SOURCE = "subtypes-test.yaml"
TARGETS = {"serum_bdnf": -0.7, "il6_plasma": 0.45}
# The parameter that sets each readout's peripheral level per person (not in the model yet).
SET_POINT = {"serum_bdnf": "f_serum_bdnf", "il6_plasma": "f_il6_plasma"}
SEED, N = 2, 1000  # an independent seed from the calibration's (1)


def _packaged() -> dict[str, Any]:
    text = resources.files("mtorlab.cohort").joinpath("data", "subtypes.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


NEXT = len(_packaged()["variability"])  # index an appended entry gets


def _with_entry(entry: dict[str, Any]) -> dict[str, Any]:
    data = _packaged()
    data["variability"] = [*data["variability"], entry]
    return data


@pytest.fixture(scope="module")
def lognormal_pop() -> Population:
    """The packaged population with a log-normal entry appended (k_serum_bdnf, sigma 0.4)."""
    return _parse(_with_entry({"parameter": "k_serum_bdnf", "lognormal_sigma": 0.4}), SOURCE)


def test_lognormal_entry_parses_and_has_median_one(lognormal_pop: Population) -> None:
    v = lognormal_pop.variability[-1]
    assert v == Variability("k_serum_bdnf", 0.0, math.inf, 0.4)
    logs = np.log(
        [sample_patient(5, i, None, lognormal_pop).multipliers[v.parameter] for i in range(2000)]
    )
    # log factor ~ N(0, 0.4): mean within 4 SE (0.4 / sqrt(2000)), SD within 10%
    assert abs(logs.mean()) < 4 * 0.4 / math.sqrt(2000)
    assert logs.std(ddof=1) == pytest.approx(0.4, rel=0.1)


def test_both_entry_forms_parse() -> None:
    pop = load_population()
    forms = {v.parameter: v for v in pop.variability}
    assert forms["k_bdnf"].lognormal_sigma is None
    assert 0 < forms["k_bdnf"].low <= forms["k_bdnf"].high < math.inf
    assert forms["f_serum_bdnf"].lognormal_sigma == pytest.approx(0.20)


def test_variability_is_seeded_and_reproducible(lognormal_pop: Population) -> None:
    a = [sample_patient(7, i, None, lognormal_pop) for i in range(30)]
    b = [sample_patient(7, i, None, lognormal_pop) for i in range(30)]
    c = [sample_patient(8, i, None, lognormal_pop) for i in range(30)]
    assert a == b
    assert [p.multipliers for p in a] != [p.multipliers for p in c]
    assert len({p.multipliers["k_serum_bdnf"] for p in a}) == 30
    # a patient is the same whether sampled alone or in a run of patients
    assert sample_patient(7, 12, None, lognormal_pop) == a[12]


@pytest.mark.parametrize("subtype", [None, "healthy", "inflammatory"])
def test_an_appended_entry_keeps_every_earlier_draw(
    lognormal_pop: Population, subtype: str | None
) -> None:
    for i in range(40):
        before = sample_patient(3, i, subtype)
        after = sample_patient(3, i, subtype, lognormal_pop)
        assert after.subtype == before.subtype and after.condition == before.condition
        assert {k: after.multipliers[k] for k in before.multipliers} == before.multipliers
        assert set(after.multipliers) == {*before.multipliers, "k_serum_bdnf"}


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (
            {"parameter": "k_bdnf", "normal_sd": 0.3},
            f"variability[{NEXT}].normal_sd",
            "unknown field",
        ),
        ({"parameter": "k_bdnf", "sigma": 0.3}, f"variability[{NEXT}].sigma", "lognormal_sigma"),
        ({"parameter": "k_bdnf"}, f"variability[{NEXT}]", "low and high"),
        (
            {"parameter": "k_bdnf", "low": 0.5, "high": 2, "lognormal_sigma": 0.3},
            f"variability[{NEXT}]",
            "not both",
        ),
        (
            {"parameter": "k_bdnf", "lognormal_sigma": 0},
            f"variability[{NEXT}].lognormal_sigma",
            "> 0",
        ),
        (
            {"parameter": "k_bdnf", "lognormal_sigma": "wide"},
            f"variability[{NEXT}].lognormal_sigma",
            "number",
        ),
        (
            {"parameter": "k_bdnf", "lognormal_sigma": True},
            f"variability[{NEXT}].lognormal_sigma",
            "> 0",
        ),
        ({"parameter": "k_bdnf", "low": 2, "high": 1}, f"variability[{NEXT}]", "0 < low <= high"),
        (
            {"parameter": "no_such", "lognormal_sigma": 0.3},
            f"variability[{NEXT}].parameter",
            "unknown",
        ),
    ],
)
def test_a_bad_variability_entry_names_its_field(
    entry: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(DataFileError, match=message) as err:
        _parse(_with_entry(entry), SOURCE)
    assert err.value.field == field
    assert f"field {field!r}" in str(err.value) and SOURCE in str(err.value)


def se_of_d(n1: int, n2: int, d: float) -> float:
    """Large-sample standard error of Cohen's d (Hedges & Olkin)."""
    return math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))


@dataclasses.dataclass
class Achieved:
    patients: Summary
    controls: Summary
    reported: dict[str, float]


@pytest.fixture(scope="module")
def achieved() -> Achieved:
    """A baseline cohort of N patients (all subtypes) and N controls, seed SEED."""
    sc = validate_scenario(
        {"name": "calibration", "species": "human", "duration": "1 h", "output_step": "1 h"},
        "calibration",
        mt.model().readout_ids,
    )
    patients = run_cohort(CohortSpec(sc, SEED), N).summary
    controls = run_cohort(CohortSpec(sc, SEED, "healthy"), N).summary
    return Achieved(patients, controls, effect_sizes(patients, SEED, N))


def _calibrated(readout: str) -> bool:
    p = SET_POINT[readout]
    return p in mt.model().parameters and any(
        v.parameter == p and v.lognormal_sigma for v in load_population().variability
    )


@pytest.mark.parametrize(
    "readout",
    [
        pytest.param(
            r,
            marks=pytest.mark.xfail(
                r == "il6_plasma" or not _calibrated(r),
                reason="IL-6: the patients' mean shift (1.9x controls) keeps d near +0.9 at "
                "any plausible width; the width is assumed, not calibrated (header of "
                "cohort/data/subtypes.yaml)",
                strict=True,
            ),
        )
        for r in TARGETS
    ],
)
def test_effect_size_matches_the_published_one(achieved: Achieved, readout: str) -> None:
    a, b = achieved.patients.baseline[readout], achieved.controls.baseline[readout]
    d = cohens_d(a, b)
    assert d == pytest.approx(achieved.reported[readout])  # what `mtorlab cohort` prints
    tol = 3 * se_of_d(a.n, b.n, TARGETS[readout])
    assert abs(d - TARGETS[readout]) <= tol, f"d({readout}) = {d:+.3f}, target ± {tol:.3f}"
