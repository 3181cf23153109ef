"""Claims file loading and the check runner, with a stand-in simulate function."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mtorlab.claims._runner import CachedSimulator, load_checks, run_check, select
from mtorlab.errors import DataFileError, UnknownIdError

CALLS: list[str] = []


def toy_simulate(scenario: Mapping[str, Any]) -> pd.DataFrame:
    """m = 1 + 0.2 * total dose in mg/kg (a step at t = 0), over 24 h."""
    CALLS.append(scenario["name"])
    t = np.linspace(0, 24, 25)
    dose = sum(float(i["dose"].split()[0]) for i in scenario.get("interventions", []))
    return pd.DataFrame({"time_h": t, "m": 1 + 0.2 * min(dose, 1.0) * (t > 0)})


@pytest.fixture
def checks(data_dir: Path) -> dict:
    return load_checks(data_dir / "claims" / "toy_checks.yaml")


def test_pass_window_and_xfail(checks: dict) -> None:
    sim = CachedSimulator(toy_simulate)
    results = {c.id: run_check(c, sim) for c in checks.values()}
    assert results["KET-01"].status == "pass"
    assert results["KET-05"].status == "pass", results["KET-05"].outcomes
    assert results["RAPA-04"].status == "xfail"
    assert not results["RAPA-04"].passed


def test_shared_arms_are_simulated_once(checks: dict) -> None:
    CALLS.clear()
    sim = CachedSimulator(toy_simulate)
    for c in checks.values():
        run_check(c, sim)
    # control arms differ by species; KET-05 has control, esk and a three-dose series
    assert len(CALLS) == len(set(CALLS)) == 2 + 5 + 2


def test_select_by_claim_or_check_id(checks: dict) -> None:
    assert [c.id for c in select(checks, ["KET-05"])] == ["KET-05"]
    with pytest.raises(UnknownIdError, match="nearest: KET-05"):
        select(checks, ["KET-50"])


def test_a_check_naming_an_unknown_arm_is_rejected(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "claims" / "toy_checks.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("arm: treated, vs: control", "arm: treated, vs: placebo"), encoding="utf-8"
    )
    with pytest.raises(DataFileError) as err:
        load_checks(bad)
    assert err.value.entry == "KET-01" and "placebo" in str(err.value)
