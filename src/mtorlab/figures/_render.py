"""Run Graphviz ``dot`` on a DOT source; the output format follows the file suffix."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mtorlab.errors import MtorlabError

#: Suffixes understood, and the Graphviz format each gives.
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
PNG_DPI = 150


def format_for(path: str | Path) -> str:
    """The output format for a file name, from its suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise MtorlabError(
            f"cannot tell the figure format from {str(path)!r}: use one of {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def render(dot_source: str, fmt: str) -> bytes:
    """The drawing of ``dot_source`` in ``fmt`` (``svg``, ``png``, ``pdf`` or ``dot``)."""
    if fmt == "dot":
        return dot_source.encode("utf-8")
    exe = shutil.which("dot")
    if exe is None:
        raise MtorlabError(
            "Graphviz 'dot' is not installed: run 'make system-deps' "
            "(Debian: apt-get install graphviz fonts-noto-cjk)"
        )
    args = [exe, f"-T{fmt}"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
    proc = subprocess.run(args, input=dot_source.encode("utf-8"), capture_output=True, timeout=120)
    if proc.returncode != 0 or not proc.stdout:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MtorlabError(f"Graphviz failed: {msg[-1] if msg else 'no output'}")
    return proc.stdout
