"""An embedded run catalog (DuckDB) with one Parquet file of results per run.

Writes are ordered so that a run killed at any moment leaves the store readable: the
results file is written to a temporary name and renamed into place first, then the
catalog row is inserted in one transaction. A results file without a row is an orphan
that listings ignore; a row always points at a complete file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtorlab.errors import MtorlabError, UnknownIdError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id VARCHAR PRIMARY KEY,
    created TIMESTAMP NOT NULL,
    command VARCHAR NOT NULL,
    name VARCHAR,
    scenario_text VARCHAR,
    scenario_sha256 VARCHAR,
    model_sha256 VARCHAR,
    parameters_sha256 VARCHAR,
    version VARCHAR NOT NULL,
    n_rows BIGINT NOT NULL,
    columns VARCHAR NOT NULL,
    results VARCHAR NOT NULL,
    wall_s DOUBLE
)
"""
ENV_VAR = "MTORLAB_STORE"


def default_store_path() -> Path:
    """``$MTORLAB_STORE`` if set, else the user's data directory (``…/mtorlab/runs``)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("mtorlab") / "runs"


def sha256(text: str | bytes) -> str:
    """Hex SHA-256 of text (UTF-8) or bytes."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


@dataclass(frozen=True)
class RunRecord:
    """One catalog row."""

    id: str
    created: datetime
    command: str
    name: str | None
    scenario_text: str | None
    scenario_sha256: str | None
    model_sha256: str | None
    parameters_sha256: str | None
    version: str
    n_rows: int
    columns: list[str]
    results: Path
    wall_s: float | None

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        d = dict(self.__dict__)
        d["created"] = self.created.isoformat()
        d["results"] = str(self.results)
        return d


class RunStore:
    """A directory holding ``catalog.duckdb`` and ``results/<run id>.parquet``.

    Parameters
    ----------
    path
        The store directory (created on first write).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.catalog = self.path / "catalog.duckdb"
        self.results_dir = self.path / "results"

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        import duckdb

        if write:
            self.results_dir.mkdir(parents=True, exist_ok=True)
        elif not self.catalog.exists():
            raise MtorlabError(f"no run store at {self.path} (nothing recorded yet)")
        deadline = time.monotonic() + 30.0
        while True:
            try:
                con = duckdb.connect(str(self.catalog), read_only=not write)
                break
            except duckdb.IOException as exc:  # another process holds the write lock
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise MtorlabError(f"run store {self.catalog} is unavailable: {exc}") from None
                time.sleep(0.05)
        try:
            if write:
                con.execute(_SCHEMA)
            yield con
        finally:
            con.close()

    def record(
        self,
        results: pd.DataFrame,
        *,
        command: str,
        name: str | None = None,
        scenario_text: str | None = None,
        model_sha256: str | None = None,
        parameters_sha256: str | None = None,
        wall_s: float | None = None,
    ) -> str:
        """Store a run's results and metadata; return its new run id."""
        from mtorlab import __version__

        run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        self.results_dir.mkdir(parents=True, exist_ok=True)
        final = self.results_dir / f"{run_id}.parquet"
        fd, tmp = tempfile.mkstemp(prefix=f".{run_id}.", suffix=".parquet", dir=self.results_dir)
        os.close(fd)
        try:
            results.to_parquet(tmp, index=False)
            os.replace(tmp, final)
        finally:
            Path(tmp).unlink(missing_ok=True)
        row = (
            run_id,
            datetime.now(UTC).replace(tzinfo=None),
            command,
            name,
            scenario_text,
            sha256(scenario_text) if scenario_text is not None else None,
            model_sha256,
            parameters_sha256,
            __version__,
            len(results),
            ",".join(map(str, results.columns)),
            final.name,
            wall_s,
        )
        with self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute(f"INSERT INTO runs VALUES ({', '.join('?' * len(row))})", row)
            con.execute("COMMIT")
            known = {r[0] for r in con.execute("SELECT results FROM runs").fetchall()}
        self._sweep(known)
        return run_id

    def _sweep(self, known: set[str], max_age_s: float = 3600.0) -> None:
        """Remove what killed runs left: temporary files and results files no catalog row
        points at, once they are older than ``max_age_s`` (so another process's write in
        flight is never touched)."""
        now = time.time()
        for f in self.results_dir.iterdir():
            if not f.is_file() or f.name in known:
                continue
            try:
                if now - f.stat().st_mtime > max_age_s:
                    f.unlink()
            except OSError:  # gone already, or not ours to remove
                continue

    def _row_to_record(self, row: tuple[Any, ...]) -> RunRecord:
        cols = row[10].split(",") if row[10] else []
        return RunRecord(
            *row[:10],
            columns=cols,  # type: ignore[misc]
            results=self.results_dir / row[11],
            wall_s=row[12],
        )

    def list(self) -> list[RunRecord]:
        """Every recorded run, newest first."""
        if not self.catalog.exists():
            return []
        with self._connect(write=False) as con:
            rows = con.execute("SELECT * FROM runs ORDER BY created DESC, id DESC").fetchall()
        return [self._row_to_record(r) for r in rows]

    def get(self, run_id: str) -> RunRecord:
        """The record of one run (a unique prefix of its id is enough)."""
        if not self.catalog.exists():
            raise MtorlabError(f"no run store at {self.path} (nothing recorded yet)")
        runs = self.list()
        matches = [r for r in runs if r.id.startswith(run_id)]
        if len(matches) != 1:
            if len(matches) > 1:
                raise MtorlabError(f"run id prefix {run_id!r} matches {len(matches)} runs")
            raise UnknownIdError("run", run_id, [r.id for r in runs])
        return matches[0]

    def load(self, run_id: str) -> pd.DataFrame:
        """The results table of one run."""
        import pandas as pd

        return pd.read_parquet(self.get(run_id).results)
