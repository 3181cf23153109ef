"""Trials end to end: a small trial in a fresh process (tables, figure, report, run store),
the same seed gives the same trial, Dask gives what in-process gives, lead-in enrichment and
dropout behave as declared, and a trial condition of a validation dataset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mtorlab.clinical import analyse, run_trial, trial_frame, validate_trial

FLUOXETINE = {"drug": "fluoxetine", "dose": "20 mg", "route": "po",
              "schedule": {"start": "0 d", "every": "1 d", "count": 3}}  # fmt: skip
TINY = {
    "name": "tiny-ssri-vs-placebo",
    "duration": "3 d",
    "population": {"subtypes": "all", "inclusion": {"madrs_min": 20}, "n_per_arm": 4},
    "arms": [
        {"id": "ssri", "interventions": [FLUOXETINE]},
        {"id": "placebo", "interventions": [{"placebo": "pill", "route": "po"}]},
    ],
    "visits": ["0 d", "1 d", "3 d"],
    "endpoints": {"primary_visit": "3 d", "remission_max": 10},
    "analysis": {"control": "placebo"},
    "seed": 3,
}


def _trial(**changes: object) -> object:
    return validate_trial({**TINY, **changes}, "test")


def test_small_trial_end_to_end_in_a_fresh_process(tmp_path: Path) -> None:
    import yaml

    f = tmp_path / "tiny.yaml"
    f.write_text(yaml.safe_dump(TINY, sort_keys=False), encoding="utf-8")
    out, store = tmp_path / "results", tmp_path / "store"
    env = {**os.environ, "MTORLAB_STORE": str(store)}
    cmd = [sys.executable, "-m", "mtorlab", "trial", str(f), "-o", str(out)]
    res = subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=600
    )
    assert res.returncode == 0, res.stderr
    assert "primary visit: day 3" in res.stdout and "ssri - placebo: MADRS" in res.stdout
    for name in ("patients", "visits", "contrasts", "time_to_response", "screening"):
        a, b = pd.read_parquet(out / f"{name}.parquet"), pd.read_csv(out / f"{name}.csv")
        assert len(a) == len(b) and list(a.columns) == list(b.columns), name
    visits = pd.read_parquet(out / "visits.parquet")
    assert set(visits["arm"]) == {"ssri", "placebo"} and (visits["n"] == 4).all()
    base = visits[visits["visit_h"] == 0]
    assert (base["change_mean"] == 0).all() and (base["response_rate"] == 0).all()
    assert (out / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "placebo_max_fraction" in html
    meta = json.loads((out / "trial.json").read_text(encoding="utf-8"))
    listed = subprocess.run([sys.executable, "-m", "mtorlab", "runs", "list", "--json"],
                            capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)  # fmt: skip
    runs = json.loads(listed.stdout)
    assert any(r["id"] == meta["run"] and r["command"] == "trial" for r in runs), runs


def test_patients_are_rated_as_the_layer_says() -> None:
    trial = _trial()
    p = run_trial(trial).patients  # type: ignore[arg-type]
    expect = np.rint(np.clip(p["mechanistic_untreated"] + p["mechanistic_effect"]
                             - p["nonspecific"] + p["rating_error"], 0, 60))  # fmt: skip
    assert np.array_equal(p["madrs_rated"].to_numpy(), expect.to_numpy())
    placebo = p[p["arm"] == "placebo"]
    assert (placebo["mechanistic_effect"].abs() < 1e-6).all()  # nothing simulated
    assert (p.loc[p["visit_h"] == 0, "madrs_rated"] >= 20).all()  # inclusion


def test_same_seed_same_trial_other_seed_other_patients() -> None:
    a = run_trial(_trial()).patients  # type: ignore[arg-type]
    b = run_trial(_trial()).patients  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a, b)
    c = run_trial(_trial(seed=4)).patients  # type: ignore[arg-type]
    assert not a["madrs_rated"].equals(c["madrs_rated"])


def test_dask_local_cluster_gives_the_in_process_trial() -> None:
    from distributed import LocalCluster

    trial = _trial(population={"subtypes": "all", "n_per_arm": 2})
    local = run_trial(trial).patients  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"distributed\..*")
        warnings.filterwarnings("ignore", category=ResourceWarning)
        with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                          dashboard_address=None) as cluster:  # fmt: skip
            remote = run_trial(trial, scheduler=cluster.scheduler_address).patients  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(local, remote)


def test_lead_in_randomises_only_its_nonresponders() -> None:
    trial = _trial(lead_in={"duration": "14 d", "interventions": [
        {**FLUOXETINE, "schedule": {"start": "0 d", "every": "1 d", "count": 14}}]},
        population={"subtypes": "all", "inclusion": {"madrs_min": 10}, "n_per_arm": 6})  # fmt: skip
    p = run_trial(trial).patients  # type: ignore[arg-type]
    start = p[p["course_h"] == 0].set_index(["arm", "patient"])["madrs_rated"]
    rand = p[p["visit_h"] == 0].set_index(["arm", "patient"])["madrs_rated"]
    assert (rand > 0.5 * start.loc[rand.index]).all()
    assert (p.loc[p["phase"] == "lead_in", "visit_h"] < 0).all()


def test_dropout_censors_and_locf_carries_the_last_rating() -> None:
    trial = _trial(duration="14 d", visits=["0 d", "7 d", "14 d"],
                   endpoints={"primary_visit": "14 d"}, dropout={"per_week": 0.6},
                   arms=[{"id": "ssri", "interventions": [{**FLUOXETINE, "schedule": {
                       "start": "0 d", "every": "1 d", "count": 14}}]},
                         {"id": "placebo"}])  # fmt: skip
    p = run_trial(trial).patients  # type: ignore[arg-type]
    late = p[p["visit_h"] == 14 * 24.0]
    assert (~late["observed"]).any() and late["madrs_rated"].isna().any()
    gone = late[~late["observed"]]
    for _, r in gone.iterrows():
        seen = p[(p["arm"] == r["arm"]) & (p["patient"] == r["patient"]) & p["observed"]]
        assert r["madrs"] == seen.sort_values("visit_h")["madrs_rated"].iloc[-1]
    tables = analyse(trial, p)  # type: ignore[arg-type]
    assert (tables.visits["n"] == tables.visits["n_randomised"]).all()  # LOCF keeps everyone


def test_trial_condition_as_a_validation_frame() -> None:
    f = trial_frame({"trial": TINY, "arm": "ssri"}, "test")
    assert list(f["time_h"]) == [0.0, 24.0, 72.0]
    assert set(f.columns) >= {"response", "remission", "madrs_change", "madrs_diff"}
    control = trial_frame({"trial": TINY, "arm": "placebo"}, "test")
    assert (control["madrs_diff"] == 0).all()
    v = analyse(_trial(), run_trial(_trial()).patients).contrasts  # type: ignore[arg-type]
    assert f["madrs_diff"].iloc[-1] == pytest.approx(v["change_diff"].iloc[-1])
