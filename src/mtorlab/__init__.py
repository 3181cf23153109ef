"""mtorlab: an executable, evidence-linked model of the mTOR signalling pathway in depression.

The public API is re-exported here; heavy modules load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the lazy names below, for type checkers (``mtorlab.ode`` is also a
    # subpackage; without this, mypy would call ``mt.model()`` a module call)
    from mtorlab._api import knowledge_base as knowledge_base
    from mtorlab._api import load_scenario as load_scenario
    from mtorlab._api import model as model
    from mtorlab._api import simulate as simulate
    from mtorlab._api import simulate_batch as simulate_batch
    from mtorlab.scenario import Scenario as Scenario

__version__ = "0.1.0"

_LAZY = {
    "knowledge_base": ("mtorlab._api", "knowledge_base"),
    "model": ("mtorlab._api", "model"),
    "load_scenario": ("mtorlab._api", "load_scenario"),
    "simulate": ("mtorlab._api", "simulate"),
    "simulate_batch": ("mtorlab._api", "simulate_batch"),
    "Scenario": ("mtorlab.scenario", "Scenario"),
}

__all__ = ["__version__", *_LAZY]


def __dir__() -> list[str]:
    """The public API, so that ``dir(mt)`` and tab completion show it."""
    return sorted({*__all__, *(n for n in globals() if n.startswith("__"))})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'mtorlab' has no attribute {name!r}")
