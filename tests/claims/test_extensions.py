"""The claims-only additions: change_between, ratio_between's interaction/readout/measure
options, and simulate_mapping with a `manipulate:` block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter

from mtorlab.claims._assertions import Assertion
from mtorlab.claims._simulate import simulate_mapping
from mtorlab.errors import DataFileError, UnknownIdError

ADAPTER: TypeAdapter = TypeAdapter(Assertion)
T = np.linspace(0, 10, 11)


def _tables() -> dict[str, pd.DataFrame]:
    flat = np.ones_like(T)
    pulse = 1 + np.exp(-((T - 3) ** 2))
    return {
        "control": pd.DataFrame({"time_h": T, "x": flat, "y": 2 * flat}),
        "a": pd.DataFrame({"time_h": T, "x": 1.03 * flat, "y": 2.4 * flat}),
        "b": pd.DataFrame({"time_h": T, "x": 1.5 * flat, "y": pulse}),
        "zero": pd.DataFrame({"time_h": T, "x": 0 * flat, "y": flat}),
    }


def _check(spec: dict) -> tuple[bool, float]:
    out = ADAPTER.validate_python(spec).evaluate(_tables())
    return out.passed, out.measured


def test_change_between_unchanged_and_one_sided() -> None:
    base = {"type": "change_between", "readout": "x", "vs": "control", "at": "2 h"}
    assert _check({**base, "arm": "a", "low": -0.05, "high": 0.05}) == (True, pytest.approx(0.03))
    assert _check({**base, "arm": "b", "low": -0.05, "high": 0.05})[0] is False
    assert _check({**base, "arm": "b", "low": -0.05})[0] is True
    assert _check({**base, "arm": "zero", "vs": "zero", "low": -0.05, "high": 0.05}) == (True, 0.0)


def test_ratio_between_interaction_readout_and_measures() -> None:
    # interaction: (b - a) / (a - control) on x = 0.47 / 0.03
    inter = {
        "type": "ratio_between",
        "readout": "x",
        "arm": "b",
        "baseline": "a",
        "vs": "a",
        "vs_baseline": "control",
        "at": "1 h",
        "low": 15,
        "high": 16,
    }
    assert _check(inter) == (True, pytest.approx(0.47 / 0.03))
    # one arm, two readouts: x / y in arm a
    two = {
        "type": "ratio_between",
        "readout": "x",
        "vs_readout": "y",
        "arm": "a",
        "vs": "a",
        "at": "1 h",
        "low": 0.4,
        "high": 0.45,
    }
    assert _check(two) == (True, pytest.approx(1.03 / 2.4))
    peak = {
        "type": "ratio_between",
        "readout": "y",
        "arm": "b",
        "vs": "control",
        "at": "10 h",
        "measure": "peak",
        "low": 0.99,
        "high": 1.01,
    }
    assert _check(peak) == (True, pytest.approx(1.0))
    auc = {
        "type": "ratio_between",
        "readout": "x",
        "arm": "b",
        "vs": "control",
        "at": "10 h",
        "measure": "auc",
        "low": 1.49,
        "high": 1.51,
    }
    assert _check(auc) == (True, pytest.approx(1.5))


def test_changes_with_zero_reference_is_finite_and_silent() -> None:
    spec = {"type": "increases", "readout": "x", "arm": "zero", "vs": "zero", "at": "1 h"}
    assert _check(spec) == (False, 0.0)


def test_manipulation_step_and_reversal() -> None:
    base = {"name": "t", "species": "mouse", "duration": "6 h"}
    control = simulate_mapping(base)
    step = simulate_mapping(
        {**base, "manipulate": {"set": {"amino_acids": 0.2}, "at": "1 h", "until": "3 h"}}
    )
    at = step.set_index("time_h")["mtorc1_neuron"]
    ref = control.set_index("time_h")["mtorc1_neuron"]
    assert at.loc[0.5] == pytest.approx(ref.loc[0.5])  # before the step: unmanipulated
    assert at.loc[2.0] < 0.8 * ref.loc[2.0]  # amino-acid withdrawal lowers mTORC1
    assert at.loc[6.0] > 0.9 * ref.loc[6.0]  # restored after `until`


def test_chronic_manipulation_starts_in_its_steady_state() -> None:
    base = {"name": "t", "species": "mouse", "duration": "1 h"}
    chronic = simulate_mapping({**base, "manipulate": {"set": {"growth_factors": 1.5}}})
    s = chronic["mtorc2_neuron"]
    assert s.iloc[-1] == pytest.approx(s.iloc[0], rel=1e-6)
    assert s.iloc[0] > simulate_mapping(base)["mtorc2_neuron"].iloc[0]


def test_bad_manipulations_name_the_field() -> None:
    base = {"name": "t", "species": "mouse", "duration": "1 h"}
    with pytest.raises(UnknownIdError, match="amino_acid"):
        simulate_mapping({**base, "manipulate": {"set": {"amino_acid": 0.2}}})
    with pytest.raises(DataFileError, match="until"):
        simulate_mapping({**base, "manipulate": {"set": {"amino_acids": 0.2}, "until": "1 h"}})
    with pytest.raises(DataFileError, match=r"manipulate\[1\]"):
        simulate_mapping({**base, "manipulate": [{"set": {"igf1": 2}}, {"sett": {}}]})
