"""One pint unit registry for the whole package (scenario times, doses, PK constants).

Building a registry costs most of a second; with pint's definition cache
(``cache_folder=":auto:"``) it costs a few tens of milliseconds after the first time. The
registry is built on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import math
import re
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
    """Parsed pint units of ``text`` (cached: libraries repeat the same few units).

    ``text`` is checked first (:func:`check_unit_expression`), so no arithmetic reaches pint.
    """
    return registry().parse_units(check_unit_expression(text))


def __getattr__(name: str) -> Any:
    if name == "ureg":  # ``from mtorlab.units import ureg`` builds the registry lazily
        return registry()
    raise AttributeError(f"module 'mtorlab.units' has no attribute {name!r}")


# -- Safe parsing ---------------------------------------------------------------------------
# pint parses unit strings with Python's tokenizer and evaluates ``**`` as arithmetic, so a
# string such as "10**10**8 h" makes it compute a number with 10**8 digits while holding the
# GIL (a frozen server). Every user-facing quantity and unit goes through these checks first:
# a quantity is one plain decimal number and a unit expression; a unit expression is unit
# names, small integer factors, ``*`` ``/`` ``·``, parentheses and single small integer
# exponents. Nothing else reaches pint.

_MAX_UNIT_CHARS = 64
_NUMBER = re.compile(r"\s*([+-]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:[eE][+-]?\d{1,3})?)\s*")
_UNIT_TOKEN = re.compile(
    r"\s+|(?P<exp>(?:\*\*|\^)\s*[+-]?\d{1,2})|(?P<name>[A-Za-zµμΩ°%_][A-Za-z0-9µμΩ°_]{0,31})"
    r"|(?P<int>\d{1,6})|(?P<op>[*/·])|(?P<paren>[()])"
)


class UnitSyntaxError(ValueError):
    """A unit or quantity string that is not a plain number and unit expression."""


def check_unit_expression(text: str) -> str:
    """``text`` if it is a plain unit expression (``mg/kg``, ``L/h/kg``, ``1/h``, ``m**2``).

    Raises
    ------
    UnitSyntaxError
        For anything else: arithmetic, chained exponents, long strings, odd characters.
    """
    if not isinstance(text, str) or not text.strip():
        raise UnitSyntaxError(f"{text!r} is not a unit")
    if len(text) > _MAX_UNIT_CHARS:
        raise UnitSyntaxError(f"unit {text[:20]!r}... is longer than {_MAX_UNIT_CHARS} characters")
    pos, depth, last = 0, 0, ""
    while pos < len(text):
        m = _UNIT_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise UnitSyntaxError(
                f"unit {text!r}: unexpected {text[pos]!r}; write unit names with * / and "
                "integer powers (e.g. 'mg/kg', 'L/h/kg', 'm**2')"
            )
        kind = m.lastgroup or ""
        if kind == "exp" and last not in ("name", ")"):
            raise UnitSyntaxError(f"unit {text!r}: a power must follow a unit name")
        if kind == "op" and last in ("op", ""):
            raise UnitSyntaxError(f"unit {text!r}: an operator must follow a unit")
        if kind == "name" and last == "int" and m.start() > 0 and not text[m.start() - 1].isspace():
            raise UnitSyntaxError(f"unit {text!r}: write a space between a number and a unit")
        if kind == "paren":
            depth += 1 if m.group() == "(" else -1
            if depth < 0 or depth > 3:
                raise UnitSyntaxError(f"unit {text!r}: unbalanced or deep parentheses")
            kind = m.group()
        if kind:
            last = kind
        pos = m.end()
    if depth:
        raise UnitSyntaxError(f"unit {text!r}: unbalanced parentheses")
    if last == "op":
        raise UnitSyntaxError(f"unit {text!r}: ends with an operator")
    return text


def parse_quantity_text(text: str) -> Any:
    """A pint quantity from ``"<number> <unit>"`` (e.g. ``"0.5 mg/kg"``), parsed safely.

    The number must be a plain finite decimal; the unit must pass
    :func:`check_unit_expression`. Raises :class:`UnitSyntaxError` otherwise.
    """
    if not isinstance(text, str):
        raise UnitSyntaxError(f"{text!r} is not a quantity")
    m = _NUMBER.match(text)
    if m is None:
        raise UnitSyntaxError(
            f"{text.strip()[:40]!r} does not start with a number; write e.g. '6 h' or '0.5 mg/kg'"
        )
    value = float(m.group(1))
    if not math.isfinite(value):
        raise UnitSyntaxError(f"{text.strip()[:40]!r}: the number is not finite")
    unit = text[m.end() :].strip()
    if not unit:
        return registry().Quantity(value)
    try:
        units = parse_units(unit)
    except UnitSyntaxError:
        raise UnitSyntaxError(
            f"{text.strip()[:40]!r} is not a number followed by a unit (e.g. '6 h', '0.5 mg/kg'; "
            "no arithmetic)"
        ) from None
    return registry().Quantity(value, units)
