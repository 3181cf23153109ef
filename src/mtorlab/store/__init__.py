"""The run store: every CLI run recorded in an embedded DuckDB catalog, results as Parquet."""

from mtorlab.store._store import RunRecord, RunStore, default_store_path, sha256

__all__ = ["RunRecord", "RunStore", "default_store_path", "sha256"]
