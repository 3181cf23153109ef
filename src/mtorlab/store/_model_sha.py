"""The model hash a run records: SHA-256 of the model's SBML, remembered per model content.

Writing the SBML needs libsbml, whose import and the document cost about a third of a
second of every recorded command (0.1 s building the document, the rest loading the
library). The hash is a function of the model's content (its records, all in its
``repr``), the code that writes the SBML (``io/_sbml.py``, ``io/_annotate.py`` and the
``ode`` modules it reads) and the installed libsbml, so it is kept in the user cache
directory (``MTORLAB_CACHE``, beside the batch engine's kernels) under a digest of those:
a changed model, exporter or libsbml is a new key, and its SBML is written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mtorlab.ode import Model

#: The modules whose code decides the SBML text (with ``miriam=False``).
_WRITERS = ("io/_sbml.py", "io/_annotate.py", "ode/_units.py", "ode/_formula.py")
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _libsbml_stamp() -> str:
    """The installed libsbml, without importing it: its package files' names, sizes and
    modification times."""
    spec = importlib.util.find_spec("libsbml")
    if spec is None or spec.origin is None:
        return "no libsbml"
    folder = Path(spec.origin).parent
    parts = []
    for f in sorted(folder.iterdir()):
        with contextlib.suppress(OSError):
            if f.is_file():
                st = f.stat()
                parts.append(f"{f.name} {st.st_size} {st.st_mtime_ns}")
    return "\n".join(parts)


def _key(model: Model) -> str:
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(b"model-sha256 v1\n")
    for rel in _WRITERS:
        h.update(rel.encode() + b"\n" + (root / rel).read_bytes() + b"\n")
    h.update(_libsbml_stamp().encode() + b"\n")
    h.update(repr(model).encode("utf-8"))
    return h.hexdigest()[:32]


def model_sha256(model: Model) -> str:
    """``sha256(to_sbml(model, miriam=False))``, from the cache when this content's was
    computed before (a cache file that is not ours, is writable by others or holds no
    digest is ignored)."""
    from mtorlab.engines._codegen import _write_private, cache_dir, owned_and_private
    from mtorlab.store._store import sha256

    path: Path | None = None
    with contextlib.suppress(OSError):
        path = cache_dir().parent / "model_sha256" / _key(model)
    with contextlib.suppress(OSError, UnicodeError):
        if path is not None and owned_and_private(path.stat()):
            text = path.read_text(encoding="ascii").strip()
            if _SHA.match(text):
                return text
    from mtorlab.io import to_sbml

    digest = sha256(to_sbml(model, miriam=False))
    if path is not None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write_private(path, digest.encode("ascii"))
    return digest
