"""libRoadRunner models compiled once per SBML text, kept on disk between processes.

Loading SBML makes libRoadRunner generate and JIT-compile the model (about 0.4-0.6 s for
the core model with a drug's PK); `mtorlab claims` loaded 25 such models per run, 15 of
its 22 s. A RoadRunner saved with ``saveState`` right after loading holds the compiled
model, and ``loadState`` brings it back in about 25 ms. This module keeps those states in
the kernel cache directory (``MTORLAB_CACHE`` or the user cache directory), next to the
batch engine's kernels and under the same rules, since a state holds machine code:

- a file is named by the SBML text, the libRoadRunner version and the platform
  (``rr_<key>_<sha256 of the file>.state``) and is written under a private temporary name,
  then renamed into place, so a reader never sees half a file;
- it is loaded only if it belongs to this user, is writable by nobody else and its bytes
  have the digest its name says (a flipped byte loads without complaint otherwise), and
  the loaded model must give back the very SBML it was asked for;
- anything else (no cache, a damaged or foreign file, a read-only directory) falls back
  to compiling the SBML, which is what happened before.

The ``KEEP_STATES`` most recently used states are kept (about 0.7 MB each).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
from pathlib import Path
from typing import Any

CACHE_VERSION = "1"
KEEP_STATES = 64


def _key(sbml: str) -> str:
    import roadrunner

    parts = [CACHE_VERSION, str(roadrunner.__version__), platform.machine(), sbml]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


def _folder() -> Path:
    from mtorlab.engines._codegen import cache_dir

    path = cache_dir() / "roadrunner"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _trusted(path: Path) -> bool:
    """Whether a state may be loaded: ours, private and intact (digest as its name says)."""
    from mtorlab.engines._codegen import owned_and_private

    try:
        st = path.stat()
        data = path.read_bytes()
    except OSError:
        return False
    digest = path.stem.rpartition("_")[2]
    return owned_and_private(st) and hashlib.sha256(data).hexdigest()[: len(digest)] == digest


def _from_cache(folder: Path, key: str, sbml: str) -> Any | None:
    import roadrunner

    for path in sorted(folder.glob(f"rr_{key}_*.state")):
        if not _trusted(path):
            continue
        rr = roadrunner.RoadRunner()
        try:
            rr.loadState(str(path))
        except RuntimeError:
            continue
        if rr.getSBML() != sbml:  # never the case for an intact file of this key
            continue
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: pruned last
        return rr
    return None


def _store(folder: Path, key: str, rr: Any) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".rr_{key}.", suffix=".tmp", dir=folder)
    os.close(fd)  # created 0600; saveState may write a new file there, so it is set again
    try:
        rr.saveState(tmp)
        os.chmod(tmp, 0o600)
        digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()[:32]
        os.replace(tmp, folder / f"rr_{key}_{digest}.state")
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    prune(folder, keep=KEEP_STATES)


def prune(folder: Path, keep: int = KEEP_STATES) -> list[Path]:
    """Remove all but the ``keep`` most recently used states; returns those removed."""
    found = []
    for p in folder.glob("rr_*.state"):
        with contextlib.suppress(OSError):
            found.append((p.stat().st_mtime, p))
    found.sort(reverse=True)
    removed = [p for _, p in found[keep:]]
    for p in removed:
        with contextlib.suppress(OSError):
            p.unlink()
    return removed


def load_roadrunner(sbml: str) -> Any:
    """A fresh ``roadrunner.RoadRunner`` of ``sbml``: from the disk cache when it holds this
    SBML's compiled model, else compiled from the SBML (and then stored for next time)."""
    import roadrunner

    try:
        folder = _folder()
        key = _key(sbml)
        rr = _from_cache(folder, key, sbml)
    except OSError:
        folder = None
        rr = None
    if rr is not None:
        return rr
    rr = roadrunner.RoadRunner(sbml)
    if folder is not None:
        with contextlib.suppress(OSError, RuntimeError):
            _store(folder, key, rr)
    return rr
