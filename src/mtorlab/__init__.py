"""mtorlab: an executable, evidence-linked model of the mTOR signalling pathway in depression.

The public API is re-exported here; heavy modules load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "knowledge_base": ("mtorlab._api", "knowledge_base"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'mtorlab' has no attribute {name!r}")
