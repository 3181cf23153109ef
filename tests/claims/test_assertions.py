"""The assertion vocabulary on hand-made time courses (each can pass and can fail)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter

from mtorlab.claims._assertions import Assertion, hours

ADAPTER: TypeAdapter[Assertion] = TypeAdapter(Assertion)
T = np.linspace(0, 48, 481)


def course(peak: float, t_peak: float, tau: float, base: float = 1.0) -> pd.DataFrame:
    """A transient: linear rise to base + peak at t_peak, then exponential decay (tau)."""
    x = np.where(T / t_peak <= 1, T / t_peak, np.exp(-(T - t_peak) / tau))
    return pd.DataFrame({"time_h": T, "m": base + peak * x})


TABLES = {
    "control": pd.DataFrame({"time_h": T, "m": np.ones_like(T)}),
    "fast": course(0.5, 1.0, 2.0),
    "slow": course(0.6, 6.0, 20.0),
}


def check(spec: dict) -> tuple[bool, float]:
    out = ADAPTER.validate_python(spec).evaluate(TABLES)
    return out.passed, out.measured


def test_hours_parses_units() -> None:
    assert hours("30 min") == 0.5 and hours("2 d") == 48 and hours(3) == 3
    with pytest.raises(ValueError, match="duration"):
        hours("soon")


def test_increases_and_decreases() -> None:
    assert check(
        {
            "type": "increases",
            "readout": "m",
            "arm": "fast",
            "vs": "control",
            "at": "1 h",
            "min_relative": 0.4,
        }
    )[0]
    assert not check(
        {
            "type": "increases",
            "readout": "m",
            "arm": "fast",
            "vs": "control",
            "at": "1 h",
            "min_relative": 0.6,
        }
    )[0]
    assert not check(
        {"type": "decreases", "readout": "m", "arm": "fast", "vs": "control", "at": "1 h"}
    )[0]
    ok, rel = check(
        {"type": "decreases", "readout": "m", "arm": "control", "vs": "fast", "at": 1.0}
    )
    assert ok and rel == pytest.approx(-1 / 3)


def test_ratio_between_effects() -> None:
    spec = {
        "type": "ratio_between",
        "readout": "m",
        "arm": "slow",
        "vs": "fast",
        "at": "1 h",
        "baseline": "control",
    }
    ok, ratio = check({**spec, "low": 0.15, "high": 0.25})
    assert ok and ratio == pytest.approx(0.1 / 0.5)
    assert not check({**spec, "low": 1.2, "high": 1.3})[0]


def test_peaks_within_and_returns_to_baseline() -> None:
    assert check(
        {"type": "peaks_within", "readout": "m", "arm": "fast", "start": "30 min", "end": "2 h"}
    )[0]
    assert not check(
        {"type": "peaks_within", "readout": "m", "arm": "slow", "start": 0, "end": "2 h"}
    )[0]
    assert check(
        {"type": "returns_to_baseline_within", "readout": "m", "arm": "fast", "by": "12 h"}
    )[0]
    assert not check(
        {"type": "returns_to_baseline_within", "readout": "m", "arm": "slow", "by": "12 h"}
    )[0]


def test_longer_than_and_duration() -> None:
    spec = {"type": "longer_than", "readout": "m", "arm": "slow", "vs": "fast", "threshold": 1.1}
    ok, ratio = check({**spec, "low": 3})
    assert ok and ratio > 3
    assert not check({**spec, "arm": "fast", "vs": "slow", "low": 1})[0]
    assert check(
        {
            "type": "duration_between",
            "readout": "m",
            "arm": "fast",
            "threshold": 1.1,
            "low": 3,
            "high": 6,
        }
    )[0]


def test_window_and_biphasic_on_a_dose_series() -> None:
    doses = [0.1, 0.3, 0.5, 1.0, 1.5]
    effects = [0.02, 0.2, 0.3, 0.35, 0.25]
    tables = dict(TABLES)
    for d, e in zip(doses, effects, strict=True):
        tables[f"d{d}"] = pd.DataFrame({"time_h": T, "m": np.full_like(T, 1 + e)})
    arms = [f"d{d}" for d in doses]
    base = {"readout": "m", "arms": arms, "doses": doses, "baseline": "control", "at": "2 h"}
    window = ADAPTER.validate_python(
        {**base, "type": "window", "low": 0.3, "high": 1.0, "below": 0.05, "above": 0.1}
    )
    assert window.evaluate(tables).passed
    strict = ADAPTER.validate_python(
        {**base, "type": "window", "low": 0.1, "high": 1.0, "below": 0.05, "above": 0.1}
    )
    assert not strict.evaluate(tables).passed
    bi = ADAPTER.validate_python({**base, "type": "biphasic", "drop": 0.2})
    assert bi.evaluate(tables).passed
    mono = ADAPTER.validate_python(
        {**base, "type": "biphasic", "doses": doses[:4], "arms": arms[:4]}
    )
    assert not mono.evaluate(tables).passed


def test_unknown_assertion_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="increases"):
        ADAPTER.validate_python({"type": "grows", "readout": "m", "arm": "fast"})
