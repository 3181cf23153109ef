"""``mtorlab cohort`` from the command line: rates with intervals, over time, and files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mtorlab.cli import main

SCENARIO = """\
name: cli-cohort
species: human
duration: 2 d
output_step: 6 h
condition: {chronic_stress: 0.8}
interventions:
  - drug: esketamine
    dose: 0.5 mg/kg
    route: iv
    at: 1 h
    over: 40 min
"""


def test_cohort_cli_prints_rates_and_writes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = tmp_path / "sc.yaml"
    sc.write_text(SCENARIO, encoding="utf-8")
    rates, parts = tmp_path / "rates.csv", tmp_path / "cohort"
    store = tmp_path / "store"
    code = main(["cohort", str(sc), "--n", "6", "--seed", "4", "--rates", str(rates),
                 "-o", str(parts), "--store", str(store)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    from mtorlab.store import RunStore

    (run,) = RunStore(store).list()  # issue 16: cohorts were not recorded
    assert run.command == "cohort" and run.id in out
    assert set(RunStore(store).load(run.id)["arm"]) == {"treated", "untreated"}
    assert "6 simulated" in out and "95% CI" in out and "treated response over time:" in out
    assert "mechanistic MADRS alone: no placebo" in out  # not to be read as a trial's rates
    table = pd.read_csv(rates)
    assert set(table["arm"]) == {"treated", "untreated"}
    assert set(table["outcome"]) == {"response", "remission"}
    assert (
        (table["ci_low"] <= table["rate"] + 1e-12) & (table["rate"] <= table["ci_high"] + 1e-12)
    ).all()
    assert any(parts.glob("part-*.parquet"))
