"""Virtual cohorts: seeded sampling, the depressed filter, rates, Parquet chunks, Dask."""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtorlab as mt
from mtorlab.cohort import (
    CohortSpec,
    Summary,
    load_population,
    read_cohort,
    run_cohort,
    sample_patient,
    wilson,
)
from mtorlab.errors import MtorlabError
from mtorlab.scenario import Scenario, validate_scenario


def _scenario(days: int = 2) -> Scenario:
    data = {
        "name": "tiny",
        "species": "human",
        "duration": f"{days} d",
        "output_step": "1 d",
        "interventions": [
            {
                "drug": "esketamine",
                "dose": "0.5 mg/kg",
                "route": "iv",
                "at": "1 h",
                "over": "40 min",
            }
        ],
    }
    return validate_scenario(data, "test", mt.model().readout_ids)


@pytest.fixture(scope="module")
def in_memory() -> pd.DataFrame:
    res = run_cohort(CohortSpec(_scenario(), seed=3), 8)
    assert res.table is not None
    return res.table


def test_sampling_is_seeded_and_reproducible() -> None:
    a = [sample_patient(7, i, None) for i in range(20)]
    b = [sample_patient(7, i, None) for i in range(20)]
    c = [sample_patient(8, i, None) for i in range(20)]
    assert a == b
    assert a != c
    pop = load_population()
    for p in a:
        assert set(p.multipliers) == {v.parameter for v in pop.variability}
        for v in pop.variability:
            assert v.low <= p.multipliers[v.parameter] <= v.high
    infl = [sample_patient(1, i, "inflammatory") for i in range(20)]
    assert all(0.3 <= p.condition["inflammation"] <= 0.8 for p in infl)
    with pytest.raises(MtorlabError, match="--subtype must be one of"):
        sample_patient(1, 0, "nonsense")


def test_depressed_filter_holds(in_memory: pd.DataFrame) -> None:
    kept = in_memory[in_memory["status"] == "kept"]
    dropped = in_memory[in_memory["status"] == "not_depressed"]
    assert len(kept) + len(dropped) == len(in_memory) == 8
    assert (kept["baseline_madrs"] >= 20).all()
    assert (dropped["baseline_madrs"] < 20).all()
    assert dropped["madrs_48h"].isna().all() and kept["madrs_48h"].notna().all()


def test_wilson_and_rates_on_a_hand_case() -> None:
    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and math.isnan(wilson(0, 0)[0])
    table = pd.DataFrame(
        {
            "status": ["kept"] * 4 + ["not_depressed"],
            "baseline_madrs": [40.0, 30.0, 24.0, 20.0, 12.0],
            "baseline_serum_bdnf": [0.9] * 5,
            "baseline_il6_plasma": [1.2] * 5,
            "madrs_24h": [20.0, 16.0, 9.0, 19.0, math.nan],
            "untreated_madrs_24h": [40.0, 30.0, 24.0, 20.0, math.nan],
            "anxiety_peak": [0.0, 1.0, 2.0, 3.0, math.nan],
            "immunosuppression_peak": [0.0] * 4 + [math.nan],
            "untreated_anxiety_peak": [0.0] * 4 + [math.nan],
            "untreated_immunosuppression_peak": [0.0] * 4 + [math.nan],
        }
    )
    s = Summary((24.0,))
    s.add(table)
    r = s.rates().set_index(["arm", "outcome"])
    # response: 20 <= 20, 9 <= 12; not 16 > 15, 19 > 10 -> 2/4; remission: 9 -> 1/4
    assert r.loc[("treated", "response"), "k"] == 2
    assert r.loc[("treated", "remission"), "k"] == 1
    assert r.loc[("untreated", "response"), "k"] == 0
    assert r.loc[("treated", "response"), "ci_low"] == pytest.approx(wilson(2, 4)[0])
    assert s.n_simulated == 5 and s.n_kept == 4
    assert s.adverse["anxiety_peak"].mean_var()[0] == pytest.approx(1.5)


def test_chunked_parquet_equals_in_memory(in_memory: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "cohort.parquet"
    res = run_cohort(CohortSpec(_scenario(), seed=3), 8, chunk_size=3, output=out)
    assert res.table is None
    assert len(list(out.glob("part-*.parquet"))) == 3
    pd.testing.assert_frame_equal(read_cohort(out), in_memory)


def test_dask_local_cluster_matches_in_process() -> None:
    from distributed import LocalCluster

    spec = CohortSpec(_scenario(days=1), seed=5)
    local = run_cohort(spec, 6, chunk_size=2).table
    with warnings.catch_warnings():
        # distributed warns about a busy default port or sockets closed during shutdown
        warnings.filterwarnings("ignore", category=UserWarning, module=r"distributed\..*")
        warnings.filterwarnings("ignore", category=ResourceWarning)
        with LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster:
            remote = run_cohort(spec, 6, chunk_size=2, scheduler=cluster.scheduler_address)
    assert remote.table is not None and local is not None
    pd.testing.assert_frame_equal(remote.table, local)


def test_batch_engine_rows_match_the_reference_engine(in_memory: pd.DataFrame) -> None:
    """The default (batch) cohort path and the libRoadRunner path give the same table:
    same statuses and columns, every number within 1e-3 relative or 1e-6 absolute."""
    ref = run_cohort(CohortSpec(_scenario(), seed=3, engine="reference"), 8).table
    assert ref is not None
    assert list(ref.columns) == list(in_memory.columns)
    assert (ref["status"] == in_memory["status"]).all()
    assert (in_memory["status"] == "kept").sum() >= 4
    num = ref.select_dtypes("number").columns
    a, b = in_memory[num].to_numpy(float), ref[num].to_numpy(float)
    close = (abs(a - b) <= 1e-6) | (abs(a - b) <= 1e-3 * abs(b)) | (pd.isna(a) & pd.isna(b))
    assert close.all(), [c for j, c in enumerate(num) if not close[:, j].all()]


def test_unknown_engine_is_one_clear_error() -> None:
    with pytest.raises(MtorlabError, match="--engine must be 'batch' or 'reference'"):
        CohortSpec(_scenario(), engine="gpu")


def test_cohort_output_is_atomic_and_never_deletes_other_data(tmp_path: Path) -> None:
    """Issue 16: `-o` deleted a folder whose entries all started with `part-` (a user's
    `part-archive/thesis.docx`), and a killed run left a partial dataset read as whole."""
    from mtorlab.cohort._dataset import MARKER

    spec = CohortSpec(_scenario(), seed=3)
    precious = tmp_path / "data" / "part-archive"
    precious.mkdir(parents=True)
    (precious / "thesis.docx").write_text("years of work", encoding="utf-8")
    with pytest.raises(MtorlabError, match="not a complete cohort dataset"):
        run_cohort(spec, 4, chunk_size=2, output=tmp_path / "data")
    assert (precious / "thesis.docx").read_text(encoding="utf-8") == "years of work"

    out = tmp_path / "cohort"
    run_cohort(spec, 4, chunk_size=2, output=out)
    assert (out / MARKER).is_file() and len(read_cohort(out)) > 0
    first = read_cohort(out)

    def boom(done: int, total: int) -> None:
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):  # a run that dies part-way leaves the old one whole
        run_cohort(spec, 4, chunk_size=2, output=out, progress=boom)
    assert read_cohort(out).equals(first)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cohort")] == []

    (out / MARKER).unlink()  # a folder without the marker is not read as a cohort
    with pytest.raises(MtorlabError, match="not a complete cohort dataset"):
        read_cohort(out)


COHORT_WRITER = """
import sys
from pathlib import Path
import mtorlab as mt
from mtorlab.cohort import CohortSpec, run_cohort
from mtorlab.scenario import validate_scenario
sc = validate_scenario({"name": "kill", "species": "human", "duration": "2 d",
                        "output_step": "1 d", "condition": {"chronic_stress": 0.8}},
                       "kill", mt.model().readout_ids)
out = Path(sys.argv[1])
print("ready", flush=True)
seed = 1
while True:
    run_cohort(CohortSpec(sc, seed=seed), 4, chunk_size=1, output=out)
    print("committed", flush=True)
    seed += 1
"""


def test_a_killed_cohort_never_leaves_a_partial_dataset(tmp_path: Path) -> None:
    """Issue 16: kill -9 at 20 moments while cohorts are rewritten in place; each time the
    folder is absent (before the first commit) or a complete dataset, never a partial one;
    once a dataset exists it is never lost (where folders can be exchanged atomically); and
    the next run sweeps whatever the killed writers left beside it."""
    import os
    import signal
    import subprocess
    import sys

    from mtorlab.cohort._dataset import MARKER, exchange_supported

    script = tmp_path / "writer.py"
    script.write_text(COHORT_WRITER, encoding="utf-8")
    out = tmp_path / "cohort"
    atomic = exchange_supported(tmp_path)
    seen_complete = 0
    for trial in range(20):
        with subprocess.Popen([sys.executable, str(script), str(out)],
                              stdout=subprocess.PIPE, text=True, encoding="utf-8") as proc:  # fmt: skip
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            if trial >= 2:  # the first two die before any commit; the others after one,
                assert proc.stdout.readline().strip() == "committed"
            time.sleep(0.017 * trial)  # at a different moment of the next rewrite each time
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        if seen_complete and atomic:
            assert out.exists()  # nothing earlier is lost
        if out.exists():
            table = read_cohort(out)  # raises on a partial dataset
            assert (out / MARKER).is_file() and len(table) == 4
            seen_complete += 1
    assert seen_complete >= 18  # every trial after the first two got past a commit
    sc = validate_scenario({"name": "kill", "species": "human", "duration": "2 d",
                            "output_step": "1 d", "condition": {"chronic_stress": 0.8}},
                           "kill", mt.model().readout_ids)  # fmt: skip
    run_cohort(CohortSpec(sc, seed=99), 4, chunk_size=1, output=out)  # the next run sweeps
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort", "writer.py"]
    assert len(read_cohort(out)) == 4


def test_sweep_puts_back_a_dataset_a_kill_set_aside(tmp_path: Path) -> None:
    """Where folders cannot be exchanged atomically the old dataset is renamed aside first; a
    kill before the new one is in place leaves it there, and the next run puts it back."""
    import subprocess
    import sys

    from mtorlab.cohort._dataset import sweep

    out = tmp_path / "cohort"
    run_cohort(CohortSpec(_scenario(), seed=3), 4, chunk_size=2, output=out)
    first = read_cohort(out)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, encoding="utf-8", check=True)  # fmt: skip
    pid = int(dead.stdout)
    out.rename(tmp_path / f".cohort.old-{pid}")
    (tmp_path / f".cohort.tmp-{pid}-abc").mkdir()  # an unfinished rewrite: no marker
    sweep(out)
    assert read_cohort(out).equals(first)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort"]


def test_interpolating_every_patient_at_once_is_np_interp() -> None:
    from mtorlab.cohort._run import _interp_rows

    rng = np.random.default_rng(0)
    t = np.unique(np.r_[0.0, rng.uniform(0.0, 100.0, 30), 100.0])
    y = rng.normal(size=(5, len(t)))
    at = (-5.0, 0.0, float(t[3]), 50.5, 99.9, 100.0, 120.0)  # clamped both ends, exact hits
    want = np.array([np.interp(at, t, row) for row in y])
    np.testing.assert_array_equal(_interp_rows(t, y, at), want)
    np.testing.assert_array_equal(_interp_rows(t[:1], y[:, :1], at), np.repeat(y[:, :1], 7, 1))
