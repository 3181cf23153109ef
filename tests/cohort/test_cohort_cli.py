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


def test_cohort_and_trial_print_their_plans_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cohort or a trial arm given PEG-liposomal rapamycin (rodent factors) in humans runs
    and says so on stderr, as `mtorlab simulate` does; a plain run prints no warning."""
    import yaml

    peg = {"drug": "rapamycin", "dose": "6 mg", "route": "po", "formulation": "peg_liposome",
           "at": "1 h"}  # fmt: skip
    sc = tmp_path / "peg.yaml"
    sc.write_text(SCENARIO.replace("name: cli-cohort", "name: peg-cohort").split("interventions:")[0]
                  + "interventions:\n  - " + yaml.safe_dump(peg, default_flow_style=True),
                  encoding="utf-8")  # fmt: skip
    store = str(tmp_path / "store")
    assert main(["cohort", str(sc), "--n", "3", "--store", store]) == 0
    err = capsys.readouterr().err
    assert err.startswith("mtorlab: warning: ") and "peg_liposome in a human" in err
    trial = {"name": "peg-trial", "duration": "2 d",
             "population": {"subtypes": "all", "inclusion": {"madrs_min": 20}, "n_per_arm": 2},
             "arms": [{"id": "peg", "interventions": [peg]},
                      {"id": "placebo", "interventions": [{"placebo": "pill", "route": "po"}]}],
             "visits": ["0 d", "2 d"], "endpoints": {"primary_visit": "2 d"},
             "analysis": {"control": "placebo"}}  # fmt: skip
    tf = tmp_path / "trial.yaml"
    tf.write_text(yaml.safe_dump(trial, sort_keys=False), encoding="utf-8")
    assert main(["trial", str(tf), "--store", store]) == 0
    err = capsys.readouterr().err
    assert "mtorlab: warning: arm peg: interventions #1: rapamycin as peg_liposome" in err
    assert "arm placebo" not in err
    plain = tmp_path / "plain.yaml"  # esketamine 0.5 mg/kg over 40 min: not an induction
    plain.write_text(SCENARIO, encoding="utf-8")
    assert main(["cohort", str(plain), "--n", "3", "--store", store]) == 0
    assert "warning" not in capsys.readouterr().err
