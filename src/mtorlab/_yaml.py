"""Read YAML data files with libyaml when available, turning errors into one readable line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mtorlab.errors import DataFileError

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text; ``source`` names it in the error message."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataFileError(source, f"malformed YAML{where}: {problem}") from None


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, turning syntax and I/O errors into :class:`DataFileError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(str(p), f"cannot read: {exc.strerror}") from None
    return load_yaml_text(text, str(p))
