"""The Python API takes what a notebook user passes, and fails with a typed mtorlab error
naming the argument (issue 16 item 17: bare TypeError, letters as readouts, numpy's
"need at least one array to concatenate")."""

from __future__ import annotations

import math

import pytest

import mtorlab as mt
from mtorlab.errors import MtorlabError

SCENARIO = {"name": "api", "species": "mouse", "duration": "6 h", "outputs": ["bdnf"]}


def test_simulate_takes_a_mapping_and_one_readout_as_a_string() -> None:
    frame = mt.simulate(SCENARIO, outputs="mtorc1_neuron")
    assert list(frame.columns) == ["time_h", "mtorc1_neuron"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mt.simulate(42), "a scenario is a Scenario, a mapping or a YAML path"),  # type: ignore[arg-type]
        (lambda: mt.simulate({**SCENARIO, "species": "dog"}), "species"),
        (lambda: mt.simulate({**SCENARIO, "name": "a\x1b[2Jb"}), "control character"),
        (lambda: mt.simulate_batch(SCENARIO, []), "non-empty list"),
        (lambda: mt.simulate_batch(SCENARIO, {"k_bdnf": 1.0}), "non-empty list"),  # type: ignore[arg-type]
        (lambda: mt.simulate_batch(SCENARIO, [1.0]), r"rows\[0\]"),  # type: ignore[list-item]
        (lambda: mt.simulate_batch(SCENARIO, [{"no_such": 1.0}]), "no_such"),
        (lambda: mt.simulate_batch(SCENARIO, [{"k_bdnf": math.nan}]), "finite"),
        (lambda: mt.simulate_batch(SCENARIO, [{}], times_h=[math.nan]), "times_h"),
    ],
)  # fmt: skip
def test_bad_arguments_raise_typed_errors(call: object, message: str) -> None:
    with pytest.raises(MtorlabError, match=message):
        call()  # type: ignore[operator]


def test_the_api_is_discoverable_and_a_scenario_buildable_in_code() -> None:
    names = dir(mt)
    assert {"simulate", "simulate_batch", "load_scenario", "model", "Scenario"} <= set(names)
    sc = mt.Scenario(name="in code", species="mouse", duration="6 h", outputs=["bdnf"])
    assert list(mt.simulate(sc).columns) == ["time_h", "bdnf"]
