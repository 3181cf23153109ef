"""The run store: record, list, load, and survive a killed writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from mtorlab.errors import MtorlabError, UnknownIdError
from mtorlab.store import RunStore


def _table(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {"time_h": [float(i) for i in range(n)], "bdnf": [1.0 + i for i in range(n)]}
    )


def test_record_list_load_roundtrip(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    first = store.record(_table(), command="simulate", name="a", scenario_text="name: a\n")
    second = store.record(_table(5), command="simulate", name="b", scenario_text="name: b\n")
    assert [r.id for r in store.list()] == [second, first]
    rec = store.get(first)
    assert rec.name == "a" and rec.n_rows == 3 and rec.columns == ["time_h", "bdnf"]
    assert rec.scenario_sha256 is not None and len(rec.scenario_sha256) == 64
    pd.testing.assert_frame_equal(store.load(second), _table(5))


def test_unknown_run_names_the_nearest(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    store.record(_table(), command="simulate")
    with pytest.raises(UnknownIdError, match="unknown run 'nope'"):
        store.get("nope")


def test_reading_an_empty_store_is_a_clear_error(tmp_path: Path) -> None:
    assert RunStore(tmp_path / "none").list() == []
    with pytest.raises(MtorlabError, match="no run store"):
        RunStore(tmp_path / "none").load("x")


WRITER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from mtorlab.store import RunStore
    store = RunStore(sys.argv[1])
    big = pd.DataFrame({"time_h": range(200_000), "x": [0.5] * 200_000})
    print("ready", flush=True)
    while True:
        store.record(big, command="simulate", scenario_text="name: loop")
    """
)


def test_a_killed_writer_leaves_the_store_readable(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    store_dir = tmp_path / "store"
    for delay in (0.3, 0.7, 1.1):
        with subprocess.Popen(
            [sys.executable, str(script), str(store_dir)],
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        ) as proc:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    store = RunStore(store_dir)
    runs = store.list()
    assert runs, "the writer recorded nothing before it was killed"
    for run in runs:
        assert len(store.load(run.id)) == run.n_rows == 200_000
    leftovers = [p.name for p in (store_dir / "results").iterdir() if p.name.startswith(".")]
    # Temporary files of a killed write may remain; they are never listed as runs.
    assert all(p.endswith(".parquet") for p in leftovers)


def test_runs_cli_list_show_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mtorlab.cli import main

    store = RunStore(tmp_path / "s")
    run_id = store.record(_table(), command="simulate", name="demo", scenario_text="name: demo\n")
    assert main(["runs", "list", "--store", str(store.path)]) == 0
    assert run_id in capsys.readouterr().out
    assert main(["runs", "show", run_id[:17], "--store", str(store.path)]) == 0
    assert "name: demo" in capsys.readouterr().out
    out = tmp_path / "r.csv"
    assert main(["runs", "export", run_id, "-o", str(out), "--store", str(store.path)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), _table())
    bad = tmp_path / "r.xlsx"
    assert main(["runs", "export", run_id, "-o", str(bad), "--store", str(store.path)]) == 2
    assert "must be .csv or .parquet" in capsys.readouterr().err
    assert not bad.exists()


def test_leftovers_of_killed_runs_are_swept_once_old(tmp_path: Path) -> None:
    """Issue 16 item 14: orphan results and temporary files piled up; a fresh one (maybe
    another process's write in flight) is left alone."""
    from mtorlab.store import RunStore

    store = RunStore(tmp_path / "s")
    store.record(pd.DataFrame({"time_h": [0.0]}), command="test")
    old_tmp = store.results_dir / ".dead.abc.parquet"
    orphan = store.results_dir / "20200101-000000-dead00.parquet"
    fresh = store.results_dir / ".inflight.xyz.parquet"
    for f in (old_tmp, orphan, fresh):
        f.write_bytes(b"x")
    hour_ago = time.time() - 7200
    os.utime(old_tmp, (hour_ago, hour_ago))
    os.utime(orphan, (hour_ago, hour_ago))
    run = store.record(pd.DataFrame({"time_h": [1.0]}), command="test")
    assert not old_tmp.exists() and not orphan.exists() and fresh.exists()
    assert store.get(run).results.exists() and len(store.list()) == 2
