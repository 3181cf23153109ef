"""The validation machinery on synthetic curves whose right answers are known.

A fake simulator returns a known curve per condition, so each tolerance rule can be shown
to pass for a curve that meets it and to fail for one that does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from mtorlab.validation import Dataset, run_dataset

T = np.linspace(0, 48, 481)


def fake(curves: Mapping[str, np.ndarray], readout: str = "p_s6k") -> Any:
    def simulate(sc: Mapping[str, Any]) -> pd.DataFrame:
        cond = sc["name"].split("-", 2)[-1].replace("-", "_")
        return pd.DataFrame({"time_h": T, readout: curves[cond]})

    return simulate


def dataset(**over: Any) -> Dataset:
    raw: dict[str, Any] = {
        "id": "T-1",
        "level": "signalling",
        "title": "a synthetic time course",
        "citation": {"authors": "Nobody A, Else B", "year": 2020, "title": "Synthetic data",
                     "journal": "J Tests 1:1", "verified": "made up for a unit test"},
        "source": "synthetic",
        "species": "rat",
        "protocol": "none at all",
        "conditions": {"vehicle": {"duration": "2 d"}, "drug": {"duration": "2 d"}},
        "observable": {"id": "obs", "readout": "p_s6k", "transform": "fold_change",
                       "reference": "vehicle", "unit": "fold of vehicle"},
        "measurements": [{"condition": "drug", "time": "1 h", "measurement": 2.0,
                          "noise": 0.2, "noise_kind": "sem", "n": 6}],
        "tolerance": {"rule": "within_fold", "k": 1.5},
    }  # fmt: skip
    raw.update(over)
    return Dataset.model_validate(raw)


# a transient: 1 + 1.2 * t/1 h * exp(1 - t/1 h), peak 2.2-fold at 1 h, about gone by 8 h
PULSE = 1.0 + 1.2 * T * np.exp(1.0 - T)
FLAT = np.ones_like(T)


def statuses(ds: Dataset, drug: np.ndarray) -> list[bool]:
    res = run_dataset(ds, "training", fake({"vehicle": FLAT, "drug": drug}))
    assert res.error is None, res.error
    return [o.passed for o in res.outcomes]


def test_within_fold_passes_near_and_fails_far() -> None:
    assert statuses(dataset(), PULSE) == [True]
    assert statuses(dataset(), 1 + 0.1 * (PULSE - 1)) == [False]


def test_within_noise_uses_the_stated_noise() -> None:
    ds = dataset(tolerance={"rule": "within_noise", "k": 2})
    assert statuses(ds, PULSE) == [True]  # 2.2 vs 2.0 +- 0.2: one SEM away
    assert statuses(ds, 1 + 2 * (PULSE - 1)) == [False]  # 3.4: seven SEM away


def test_same_sign_needs_direction_and_size() -> None:
    ds = dataset(tolerance={"rule": "same_sign", "min_fraction": 0.25})
    assert statuses(ds, PULSE) == [True]
    assert statuses(ds, 1 - 0.5 * (PULSE - 1)) == [False]  # falls where the data rise
    assert statuses(ds, 1 + 0.1 * (PULSE - 1)) == [False]  # rises, but by a tenth


def test_peak_window_and_returns_by_judge_the_shape() -> None:
    ds = dataset(tolerance=[{"rule": "peak_window", "from": "0.5 h", "to": "1.5 h"},
                            {"rule": "returns_by", "time": "8 h", "fraction": 0.25}])  # fmt: skip
    assert statuses(ds, PULSE) == [True, True]
    slow = 1.0 + 1.2 * (T / 4) * np.exp(1.0 - T / 4)  # peaks at 4 h, lingers
    assert statuses(ds, slow) == [False, False]


def test_ordering_across_doses() -> None:
    ds = dataset(
        conditions={"vehicle": {"duration": "2 d"}, "low": {"duration": "2 d"},
                    "high": {"duration": "2 d"}},
        measurements=[{"condition": "low", "time": "1 h", "measurement": 1.5},
                      {"condition": "high", "time": "1 h", "measurement": 0.7}],
        tolerance={"rule": "ordering", "order": ["low", "high"]},
    )  # fmt: skip
    ok = fake({"vehicle": FLAT, "low": PULSE, "high": 2 - PULSE})
    assert [o.passed for o in run_dataset(ds, "training", ok).outcomes] == [True]
    wrong = fake({"vehicle": FLAT, "low": 2 - PULSE, "high": PULSE})
    assert [o.passed for o in run_dataset(ds, "training", wrong).outcomes] == [False]


def test_concentrations_are_converted_to_the_datasets_unit() -> None:
    ds = dataset(
        observable={"id": "c", "readout": "conc_plasma:x", "transform": "value", "unit": "ug/mL"},
        measurements=[{"condition": "drug", "time": "1 h", "measurement": 0.5}],
        tolerance={"rule": "within_fold", "k": 1.2},
    )
    ng_per_ml = np.full_like(T, 500.0)  # readouts are in ng/mL: 500 ng/mL = 0.5 ug/mL
    res = run_dataset(ds, "training", fake({"vehicle": FLAT, "drug": ng_per_ml}, "conc_plasma:x"))
    assert res.points[0].simulated == pytest.approx(0.5) and res.passed


def test_a_measurement_beyond_the_simulation_is_an_error_not_a_pass() -> None:
    ds = dataset(measurements=[{"condition": "drug", "time": "5 d", "measurement": 2.0}])
    res = run_dataset(ds, "training", fake({"vehicle": FLAT, "drug": PULSE}))
    assert res.status == "error" and "beyond" in (res.error or "")


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"observable": {"id": "o", "readout": "p_s6k", "transform": "fold_change", "unit": "x"}},
         "needs `reference:`"),
        ({"measurements": [{"condition": "nowhere", "time": "1 h", "measurement": 1}]},
         "is not one of"),
        ({"tolerance": {"rule": "within_noise", "k": 2},
          "measurements": [{"condition": "drug", "time": "1 h", "measurement": 2}]}, "needs `noise`"),
        ({"tolerance": {"rule": "band", "low": 3, "high": 1}}, "must be below"),
        ({"tolerance": {"rule": "guess"}}, "rule"),
        ({"citation": {"authors": "A B", "year": 2020, "title": "Synthetic", "journal": "J 1:1",
                       "verified": "made up for a unit test", "doi": "not-a-doi"}}, "pattern"),
    ],
)  # fmt: skip
def test_malformed_datasets_are_refused(over: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        dataset(**over)


def test_shortfall_is_zero_when_a_rule_holds_and_grows_with_the_miss() -> None:
    def shortfall(drug: np.ndarray) -> float:
        return run_dataset(dataset(), "training", fake({"vehicle": FLAT, "drug": drug})).residual()

    assert shortfall(PULSE) == 0.0  # 2.2-fold vs 2.0 within 1.5x
    near, far = shortfall(1 + 0.2 * (PULSE - 1)), shortfall(1 + 0.05 * (PULSE - 1))
    assert 0 < near < far
    broken = run_dataset(dataset(measurements=[{"condition": "drug", "time": "9 d",
                                                "measurement": 2.0}]),
                         "training", fake({"vehicle": FLAT, "drug": PULSE}))  # fmt: skip
    assert broken.residual() == 10.0  # an error costs more than any miss
