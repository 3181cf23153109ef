"""A user drug behaves the same in every command (issue 15: one scenario resolution path).

Each command runs as a user runs it, in a fresh interpreter (nothing imported before: the
``--library`` AttributeError of issue 15 hid behind an import an earlier test had made).
One run per command holds two made-up drugs: ``zz_own`` in the file's own ``drugs:`` block
and ``zz_lib`` in a ``--library`` file, and checks that each was given (its concentration,
or a readout it changes); a drug neither defines stops the command with one line naming
the file. Runs are short (hours, a few patients) to keep the suite fast.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import fresh_cli
from fresh_cli import ok as _ok

DATA = Path(__file__).resolve().parents[1] / "data"
DOSE = {"dose": "10 mg/kg", "route": "po"}


def _entry(drug_id: str) -> dict[str, Any]:
    """The test library's made-up TrkB-pathway activator as ``drug_id``, with human PK
    (the mouse numbers, made up as well)."""
    doc = yaml.safe_load((DATA / "library" / "made_up_drug.yaml").read_text(encoding="utf-8"))
    entry = copy.deepcopy(doc["drugs"][0])
    entry["id"] = drug_id
    entry["name_en"] = f"{drug_id} (a made-up TrkB-pathway activator)"
    entry["pk"]["human"] = copy.deepcopy(entry["pk"]["mouse"])
    return dict(entry)


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _scenario(drugs: tuple[str, ...], own: bool = True, **extra: Any) -> dict[str, Any]:
    sc: dict[str, Any] = {
        "name": "user-drugs",
        "species": "human",
        "duration": "6 h",
        "output_step": "30 min",
        "condition": {"chronic_stress": 0.8},
        "interventions": [{"drug": d, **DOSE, "at": "1 h"} for d in drugs],
        **extra,
    }
    if own:
        sc["drugs"] = [_entry("zz_own")]
    return sc


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``--library`` file (``zz_lib``) in a folder for the other files."""
    d = tmp_path_factory.mktemp("user-drugs")
    _write(d / "library.yaml", {"drugs": [_entry("zz_lib")]})
    return d


def mtorlab(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``mtorlab ARGS`` in a new interpreter (at most 300 s each here)."""
    return fresh_cli.mtorlab(*args, cwd=cwd, timeout=300)


BOTH = ("zz_own", "zz_lib")


def test_simulate(files: Path) -> None:
    sc = _write(files / "sim.yaml", _scenario(BOTH))
    out = files / "sim.csv"
    text = _ok(mtorlab("simulate", sc, "--library", files / "library.yaml", "-o", out, cwd=files))
    df = pd.read_csv(out)
    for d in BOTH:  # both drugs given: their concentrations rise after the dose at 1 h
        conc = df[f"conc_plasma:{d}"]
        assert conc[df["time_h"] <= 1].max() == 0 and conc.max() > 100
    from mtorlab.store import RunStore

    run_id = text.split("run ")[-1].split()[0]
    stored = RunStore(files / "store").get(run_id).scenario_text or ""
    assert "id: zz_own" in stored and "# - id: zz_lib" in stored  # the record holds both
    # the drugs' own block alone, no --library: the block is enough
    only = _write(files / "own.yaml", _scenario(("zz_own",)))
    text = _ok(mtorlab("simulate", only, "--outputs", "conc_brain:zz_own", cwd=files))
    assert "conc_brain:zz_own" in text


def test_report(files: Path) -> None:
    sc = _write(files / "rep.yaml", _scenario(BOTH))
    out = files / "report"
    _ok(mtorlab("report", sc, "--library", files / "library.yaml", "-o", out, cwd=files))
    page = (out / "index.html").read_text(encoding="utf-8")
    for d in BOTH:  # the evidence and provenance sections name each drug
        assert f"{d} (a made-up TrkB-pathway activator)" in page
        assert f"conc_plasma:{d}" in page


def test_figure_scenario(files: Path) -> None:
    sc = _write(files / "fig.yaml", _scenario(BOTH))
    out = files / "fig.svg"
    text = _ok(mtorlab("figure", "scenario", sc, "--library", files / "library.yaml", "-o", out,
                       cwd=files))  # fmt: skip
    assert out.read_text(encoding="utf-8").startswith("<?xml")
    assert "akt +" in text  # the drugs act on the TrkB-Akt axis (their target: daidzein_drive)


def test_cohort(files: Path) -> None:
    sc = _write(files / "coh.yaml", _scenario(BOTH))
    out = files / "cohort"
    _ok(mtorlab("cohort", sc, "--library", files / "library.yaml", "--n", "2",
                "--engine", "reference", "-o", out, cwd=files))  # fmt: skip
    patients = pd.read_parquet(out)
    assert len(patients) == 2
    # the drugs act: each patient's MADRS falls below the same patient's untreated course
    assert (patients["madrs_6h"] < patients["untreated_madrs_6h"] - 0.05).all()


def test_sensitivity(files: Path) -> None:
    sc = _write(files / "sens.yaml", _scenario(BOTH))
    out = files / "sens.csv"
    # a drug's concentration is a readout only where the drug is given (one run: each
    # sample costs a steady state)
    text = _ok(mtorlab("sensitivity", sc, "--library", files / "library.yaml", "--method",
                       "sobol", "--n", "2", "--readout", "conc_plasma:zz_own", "--at", "3h",
                       "--engine", "reference", "-o", out, cwd=files))  # fmt: skip
    assert len(pd.read_csv(out)) > 3 and "ST" in text


def test_trial(files: Path) -> None:
    trial = {
        "name": "user-drugs-trial",
        "duration": "1 d",
        "population": {"subtypes": "all", "n_per_arm": 2},
        "arms": [
            {"id": "own", "interventions": [{"drug": "zz_own", **DOSE, "at": "0 h"}]},
            {"id": "lib", "interventions": [{"drug": "zz_lib", **DOSE, "at": "0 h"}]},
            {"id": "placebo", "interventions": [{"placebo": "pill", "route": "po"}]},
        ],
        "visits": ["0 h", "1 d"],
        "endpoints": {"primary_visit": "1 d"},
        "analysis": {"control": "placebo"},
        "engine": "reference",
        "drugs": [_entry("zz_own")],
    }
    f = _write(files / "trial.yaml", trial)
    out = files / "trial-out"
    _ok(mtorlab("trial", f, "--library", files / "library.yaml", "-o", out, cwd=files))
    p = pd.read_parquet(out / "patients.parquet")
    day1 = p[p["visit_h"] == 24].groupby("arm")["mechanistic_effect"].mean()
    assert day1["own"] < -0.1 and day1["lib"] < -0.1  # each drug lowers the model's MADRS
    assert day1["placebo"] == 0


def test_rank(files: Path) -> None:
    strategies = {
        "drugs": [_entry("zz_own")],
        "strategies": [
            {"id": s, "description": f"{s} 10 mg/kg po",
             "interventions": [{"drug": s, **DOSE, "at": "1 h"}]}
            for s in BOTH
        ],
    }  # fmt: skip
    f = _write(files / "strategies.yaml", strategies)
    profile = _write(files / "profile.yaml", {"species": "human", "madrs": 30})
    text = _ok(mtorlab("rank", "--profile", profile, "--strategies", f, "--library",
                       files / "library.yaml", "--n", "4", "--horizon", "1d", "--json",
                       "--engine", "reference", cwd=files))  # fmt: skip
    ranked = {s["strategy"]: s for s in json.loads(text)["strategies"]}
    assert set(ranked) == set(BOTH)
    for s in ranked.values():  # each acts, through the mechanism its entry names
        assert s["madrs_change"] < 0
        mechs = {m["id"] for it in s["explanation"] for m in it["mechanisms"]}
        assert "m_daidzein_akt" in mechs


def test_claims(files: Path) -> None:
    arms = {"control": {"species": "mouse", "duration": "6 h",
                        "condition": {"chronic_stress": 0.8}}}  # fmt: skip
    checks = {
        "drugs": [_entry("zz_own")],
        "checks": [
            {"id": f"OTH-0{k + 1}", "claims": [f"OTH-0{k + 1}"],
             "statement": f"{d} raises Akt phosphorylation.",
             "reading": "p_akt_s473 at 5 h, treated vs control, at least +0.2%.",
             "split": "training",
             "arms": {**arms, "treated": {"base": "control",
                                          "add": [{"drug": d, **DOSE, "at": "1 h"}]}},
             "assertions": [{"type": "increases", "readout": "p_akt_s473", "arm": "treated",
                             "vs": "control", "at": "5 h", "min_relative": 0.002}]}
            for k, d in enumerate(BOTH)
        ],
    }  # fmt: skip
    f = _write(files / "checks.yaml", checks)
    proc = mtorlab("claims", "--checks", f, "--library", files / "library.yaml", "--json",
                   cwd=files)  # fmt: skip
    records = json.loads(proc.stdout)["checks"]
    assert [r["status"] for r in records] == ["pass", "pass"], proc.stdout[-2000:]
    assert proc.returncode == 0


def _unknown_trial(d: Path) -> list[Any]:
    arm = {"id": "x", "interventions": [{"drug": "zz_nowhere", **DOSE, "at": "0 h"}]}
    trial = {"name": "u", "duration": "1 d", "population": {"n_per_arm": 2}, "arms": [arm],
             "visits": ["1 d"], "endpoints": {"primary_visit": "1 d"}}  # fmt: skip
    return ["trial", _write(d / "u.yaml", trial)]


def _unknown_rank(d: Path) -> list[Any]:
    s = {
        "strategies": [{"id": "x", "interventions": [{"drug": "zz_nowhere", **DOSE, "at": "1 h"}]}]
    }
    profile = _write(d / "p.yaml", {"species": "human"})
    return ["rank", "--profile", profile, "--strategies", _write(d / "u.yaml", s)]


def _unknown_claims(d: Path) -> list[Any]:
    arm = {"species": "mouse", "duration": "6 h",
           "interventions": [{"drug": "zz_nowhere", **DOSE, "at": "1 h"}]}  # fmt: skip
    check = {"id": "OTH-01", "claims": ["OTH-01"], "statement": "A made-up claim.",
             "reading": "p_akt_s473 at 4 h rises.", "split": "training", "arms": {"t": arm},
             "assertions": [{"type": "increases", "readout": "p_akt_s473", "arm": "t",
                             "vs": "t", "at": "4 h"}]}  # fmt: skip
    return ["claims", "--checks", _write(d / "u.yaml", {"checks": [check]})]


def _unknown_scenario(d: Path) -> Path:
    return _write(d / "u.yaml", _scenario(("zz_nowhere",)))


UNKNOWN = {
    "simulate": lambda d: ["simulate", _unknown_scenario(d)],
    "report": lambda d: ["report", _unknown_scenario(d), "-o", d / "u-report"],
    "cohort": lambda d: ["cohort", _unknown_scenario(d), "--n", "2"],
    "sensitivity": lambda d: ["sensitivity", _unknown_scenario(d)],
    "figure": lambda d: ["figure", "scenario", _unknown_scenario(d), "-o", d / "u.svg"],
    "trial": _unknown_trial,
    "rank": _unknown_rank,
    "claims": _unknown_claims,
}


@pytest.mark.parametrize("command", sorted(UNKNOWN))
def test_an_unknown_drug_is_one_line_naming_the_file(
    files: Path, command: str, tmp_path: Path
) -> None:
    args = UNKNOWN[command](tmp_path)
    proc = mtorlab(*args, "--library", files / "library.yaml", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("mtorlab: error: "), line
    assert "u.yaml" in line and "unknown drug or intervention 'zz_nowhere'" in line, line
    assert proc.stdout.strip() == "" and not (tmp_path / "u-report").exists()
