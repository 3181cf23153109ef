"""One pint unit registry for the whole package (scenario times, doses, PK constants).

Building a registry costs most of a second; with pint's definition cache
(``cache_folder=":auto:"``) it costs a few tens of milliseconds after the first time. The
registry is built on first use, so importing this module stays cheap.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def registry() -> Any:
    """The shared pint registry (pint's on-disk definition cache when writable)."""
    import pint

    try:
        return pint.UnitRegistry(cache_folder=":auto:")
    except Exception:  # an unwritable cache folder must not break unit parsing
        return pint.UnitRegistry()


@lru_cache(maxsize=512)
def parse_units(text: str) -> Any:
    """Parsed pint units of ``text`` (cached: libraries repeat the same few units)."""
    return registry().parse_units(text)


def __getattr__(name: str) -> Any:
    if name == "ureg":  # ``from mtorlab.units import ureg`` builds the registry lazily
        return registry()
    raise AttributeError(f"module 'mtorlab.units' has no attribute {name!r}")
