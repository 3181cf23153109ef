"""mtorlab: an executable, evidence-linked model of the mTOR signalling pathway in depression.

The public API is re-exported here; heavy modules load on first use.

Examples
--------
>>> import mtorlab as mt
>>> run = mt.simulate("examples/ketamine_single_dose_rat.yaml", outputs="bdnf")
>>> fig = mt.plot(run)

``dir(mt)`` lists the API: :func:`simulate`, :func:`simulate_batch`, :func:`load_scenario`,
:func:`plot`, :class:`Scenario` and its parts (:class:`Intervention`, :class:`Schedule`,
:class:`ConditionBlock`, :class:`Quantity`), :func:`model` and :func:`knowledge_base`.
Errors are :class:`mtorlab.errors.MtorlabError` and its subclasses.
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
    from mtorlab.plots import plot as plot
    from mtorlab.scenario import ConditionBlock as ConditionBlock
    from mtorlab.scenario import Intervention as Intervention
    from mtorlab.scenario import Quantity as Quantity
    from mtorlab.scenario import Scenario as Scenario
    from mtorlab.scenario import Schedule as Schedule

from mtorlab import errors as errors  # mt.errors.MtorlabError: cheap, and needed in except

__version__ = "0.1.0"

_LAZY = {
    "knowledge_base": ("mtorlab._api", "knowledge_base"),
    "model": ("mtorlab._api", "model"),
    "load_scenario": ("mtorlab._api", "load_scenario"),
    "simulate": ("mtorlab._api", "simulate"),
    "simulate_batch": ("mtorlab._api", "simulate_batch"),
    "plot": ("mtorlab.plots", "plot"),
    "Scenario": ("mtorlab.scenario", "Scenario"),
    "Intervention": ("mtorlab.scenario", "Intervention"),
    "Schedule": ("mtorlab.scenario", "Schedule"),
    "ConditionBlock": ("mtorlab.scenario", "ConditionBlock"),
    "Quantity": ("mtorlab.scenario", "Quantity"),
}

__all__ = ["__version__", "errors", *_LAZY]


def __dir__() -> list[str]:
    """The public API, so that ``dir(mt)`` and tab completion show it."""
    return sorted({*__all__, *(n for n in globals() if n.startswith("__"))})


def __getattr__(name: str) -> Any:
    """The lazy names of the API, imported on first use (``mt.simulate`` loads the model's
    code only when called for)."""
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'mtorlab' has no attribute {name!r}")
