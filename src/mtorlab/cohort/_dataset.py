"""A cohort's Parquet folder, written so that nothing half-written is ever read as whole.

Parts go to a staging folder beside the target (``.NAME.tmp-PID-XXXX``); the completion
marker is written last, and the staging folder then takes the target's place. Where the
file system can (Linux ``renameat2(RENAME_EXCHANGE)``: ext4, xfs, btrfs, tmpfs) the two
folders are exchanged in one atomic step, so once a dataset exists its name always holds a
complete one; elsewhere the old folder is first renamed aside (``.NAME.old-PID``), and a
kill between the two renames leaves it there, which the next run puts back. Whatever a
killed writer left (staging folders, the old dataset after an exchange) is swept by the
next run on the same target.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    import pandas as pd

#: Written last into a cohort's Parquet folder: only a folder holding it is complete.
MARKER = "_COMPLETE.json"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def is_dataset(folder: Path) -> bool:
    """A complete cohort dataset: the marker, and nothing but part-*.parquet files besides."""
    if not (folder / MARKER).is_file():
        return False
    return all(
        p.name == MARKER or (p.is_file() and p.name.startswith("part-") and p.suffix == ".parquet")
        for p in folder.iterdir()
    )


def check_target(output: Path, force: bool) -> None:
    """Refuse to replace anything but a complete cohort dataset (unless ``force``)."""
    if output.exists() and not output.is_dir():
        raise MtorlabError(f"output {str(output)!r}: exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not is_dataset(output) and not force:
        raise MtorlabError(
            f"output {str(output)!r}: a folder that is not a complete cohort dataset; "
            "choose a new folder (or --force to replace it)"
        )


def staging_folder(output: Path) -> Path:
    """A new private folder beside ``output`` that names this process."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-{os.getpid()}-", dir=output.parent))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _leftovers(output: Path) -> list[tuple[str, int, Path]]:
    """(kind, pid, path) of the staging and aside folders a writer of ``output`` left."""
    pattern = re.compile(rf"^\.{re.escape(output.name)}\.(tmp|old)-(\d+)(?:-.*)?$")
    found = []
    if output.parent.is_dir():
        for p in output.parent.iterdir():
            m = pattern.match(p.name)
            if m and p.is_dir():
                found.append((m.group(1), int(m.group(2)), p))
    return found


def sweep(output: Path) -> None:
    """Clear what killed writers of ``output`` left, restoring a dataset a kill set aside.

    Only folders whose writer process is gone are touched. If ``output`` is missing (a kill
    between the fallback's two renames), the newest complete leftover takes its place: a
    staging folder that was already marked complete, else the old dataset set aside.
    """
    dead = [(kind, p) for kind, pid, p in _leftovers(output) if not _alive(pid)]
    if not output.exists():
        for kind in ("tmp", "old"):
            complete = [p for k, p in dead if k == kind and is_dataset(p)]
            if complete:
                newest = max(complete, key=lambda p: p.stat().st_mtime)
                newest.rename(output)
                break
    for _, p in dead:
        if p.exists():
            shutil.rmtree(p, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def exchange_supported(folder: Path) -> bool:
    """Whether folders in ``folder`` can be swapped atomically (tests use it)."""
    with tempfile.TemporaryDirectory(dir=folder) as d:
        a, b = Path(d, "a"), Path(d, "b")
        a.mkdir()
        b.mkdir()
        return _exchange(a, b)


def commit(staging: Path, output: Path, patients: int, parts: int) -> None:
    """Mark ``staging`` complete and put it in ``output``'s place (the old one goes only then)."""
    marker = {"patients": patients, "parts": parts}
    (staging / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    if not output.exists():
        staging.rename(output)
    elif _exchange(staging, output):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the old dataset
    else:
        aside = output.with_name(f".{output.name}.old-{os.getpid()}")
        output.rename(aside)
        staging.rename(output)
        shutil.rmtree(aside, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging folder of a run that failed (nothing half-written is left)."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(staging)


def read_cohort(path: str | Path) -> pd.DataFrame:
    """A cohort's Parquet folder as one table, sorted by patient."""
    import pandas as pd

    folder = Path(path)
    if not (folder / MARKER).is_file():
        raise MtorlabError(
            f"{str(path)!r}: not a complete cohort dataset (no {MARKER}; a run that stopped "
            "early leaves none)"
        )
    files = sorted(folder.glob("part-*.parquet"))
    expected = json.loads((folder / MARKER).read_text(encoding="utf-8")).get("parts")
    if not files or (expected is not None and len(files) != expected):
        raise MtorlabError(f"{str(path)!r}: {len(files)} parts, the marker says {expected}")
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return df.sort_values("patient", ignore_index=True)
