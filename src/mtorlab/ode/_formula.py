"""Small helpers on SBML infix formulas and reaction equations (no libsbml needed)."""

from __future__ import annotations

import re

#: Names that are functions or constants of SBML's infix syntax, not model symbols.
FUNCTIONS = frozenset(
    {
        "pow",
        "exp",
        "ln",
        "log",
        "log10",
        "sqrt",
        "abs",
        "piecewise",
        "lt",
        "gt",
        "leq",
        "geq",
        "eq",
        "neq",
        "and",
        "or",
        "not",
        "true",
        "false",
        "floor",
        "ceil",
        "time",
    }
)

_NAME = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)(?![\w(])|([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_TERM = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s+)?([a-z][a-z0-9_]*)\s*$")


def symbols(formula: str) -> list[str]:
    """Model symbols a formula uses, in order of first appearance (functions excluded).

    Parameters
    ----------
    formula
        An SBML Level 3 infix formula, e.g. ``"k_act * pi3k * (1 - akt_t308)"``.
    """
    seen: dict[str, None] = {}
    for match in _NAME.finditer(formula):
        name = match.group(1)
        if name and name not in FUNCTIONS and not re.fullmatch(r"[eE]\d*", name):
            seen.setdefault(name, None)
    return list(seen)


def parse_side(side: str) -> list[tuple[str, float]]:
    """``"2 a + b"`` → ``[("a", 2.0), ("b", 1.0)]``; an empty side is an empty list."""
    side = side.strip()
    if not side:
        return []
    out = []
    for term in side.split("+"):
        m = _TERM.match(term)
        if m is None:
            raise ValueError(
                f"cannot read the term {term.strip()!r} (expected 'species' or 'n species')"
            )
        out.append((m.group(2), float(m.group(1) or 1.0)))
    return out


def parse_equation(equation: str) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Split ``"a + b -> c"`` into reactants and products with stoichiometries."""
    if equation.count("->") != 1:
        raise ValueError(f"equation {equation!r} needs exactly one '->'")
    left, right = equation.split("->")
    return parse_side(left), parse_side(right)
