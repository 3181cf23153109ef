"""Shared helpers for printing and writing CLI output."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def print_json(data: Any) -> None:
    """Print data as JSON (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


TABLE_SUFFIXES = (".csv", ".parquet")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output_path(path: str | Path | None, flag: str) -> None:
    """Refuse, before any work, an output path that cannot be written: its parent (or an
    ancestor) is a file, or the path is a directory. Raises a one-line MtorlabError."""
    from mtorlab.errors import MtorlabError

    if path is None:
        return
    p = Path(path)
    if p.is_dir():
        raise MtorlabError(f"{flag} {p}: is a directory; give a file name")
    for parent in [p.parent, *p.parent.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise MtorlabError(f"{flag} {p}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK):
                raise MtorlabError(f"{flag} {p}: {parent} is not writable")
            return


def check_table_path(path: str | Path | None, flag: str) -> None:
    """:func:`check_output_path` for a results table, whose suffix must be .csv or .parquet."""
    from mtorlab.errors import MtorlabError

    check_output_path(path, flag)
    if path is not None and Path(path).suffix.lower() not in TABLE_SUFFIXES:
        raise MtorlabError(
            f"{flag} {path}: the suffix must be .csv or .parquet, not "
            f"{Path(path).suffix or '(none)'!r}"
        )


def check_folder_path(path: str | Path | None, flag: str) -> None:
    """Refuse, before any work, an output folder that cannot be made: it is a file, or its
    nearest existing ancestor is a file or not writable."""
    from mtorlab.errors import MtorlabError

    if path is None:
        return
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise MtorlabError(f"{flag} {p}: is a file, not a folder")
    if not p.exists():
        check_output_path(p, flag)


def check_store_path(path: str | None) -> None:
    """Refuse a ``--store`` that exists and is not a folder (nothing is written first)."""
    from mtorlab.errors import MtorlabError

    if path is not None and Path(path).exists() and not Path(path).is_dir():
        raise MtorlabError(f"--store {path}: is a file; the run store is a folder")
    if path is not None and not Path(path).exists():
        check_output_path(path, "--store")


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write a file in one step: a temporary file beside it, then a rename.

    A failure part-way leaves any earlier file of that name untouched.
    """
    from mtorlab.errors import MtorlabError

    target = Path(path)
    check_output_path(target, "output")  # a path under a file, or a folder: one line
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise MtorlabError(f"output {target}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_table(df: Any, output: str | Path) -> Path:
    """Write a results table as CSV or Parquet, chosen by the file's suffix, atomically."""
    import io

    from mtorlab.errors import MtorlabError

    suffix = Path(output).suffix.lower()
    if suffix == ".csv":
        return write_atomic(output, df.to_csv(index=False))
    if suffix == ".parquet":
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        return write_atomic(output, buf.getvalue())
    raise MtorlabError(
        f"output {str(output)!r}: the suffix must be .csv or .parquet, not {suffix or '(none)'!r}"
    )


def print_split_summary(by_split: dict[str, dict[str, Any]], wall: float) -> None:
    """The pass counts by split (training, held out, all) and the wall time, as the
    claims suite and the validation print them."""
    for split in ("training", "held_out", "all"):
        row = by_split[split]
        counts = ", ".join(f"{row[s]} {s}" for s in ("pass", "fail", "xfail", "error"))
        rate = f"{row['pass_rate']:.0%}" if row["pass_rate"] is not None else "-"
        print(f"{split:9s} {row['pass']}/{row['total']} passed ({rate}): {counts}")
    print(f"wall time {wall:.1f} s")
