"""Quantity and unit strings are parsed as a number and unit names, never as arithmetic."""

from __future__ import annotations

import time

import pytest

from mtorlab.errors import MtorlabError
from mtorlab.interventions import load_library
from mtorlab.units import UnitSyntaxError, check_unit_expression, parse_quantity_text

HOSTILE = [
    "10**10**8 h",
    "10**10**7 h",
    "9**9**9 mg/L",
    "(10**10)**10 h",
    "2^2^2 h",
    "1e999 h",
    "nan h",
    "inf h",
    "h",
    "__import__('os') h",
    "1 h; 2 h",
    "x" * 200,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_quantities_are_refused_at_once(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(UnitSyntaxError):
        parse_quantity_text(text)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("text", "magnitude", "unit"),
    [("0.5 mg/kg", 0.5, "milligram / kilogram"), ("28 d", 28.0, "day"),
     ("1.5e-3 mg/L", 0.0015, "milligram / liter"), (".5 h", 0.5, "hour"),
     ("2 L/h/kg", 2.0, "liter / hour / kilogram"), ("3 m**2", 3.0, "meter ** 2")],
)  # fmt: skip
def test_ordinary_quantities_still_parse(text: str, magnitude: float, unit: str) -> None:
    q = parse_quantity_text(text)
    assert q.magnitude == pytest.approx(magnitude) and str(q.units) == unit


def test_unit_expressions_allow_single_integer_powers_only() -> None:
    assert check_unit_expression("m**2/s") == "m**2/s"
    for bad in ["m**2**2", "mg**", "**2 mg", "mg/(L", "mg)/L", "1e5**5 mg"]:
        with pytest.raises(UnitSyntaxError):
            check_unit_expression(bad)


def test_a_drug_entry_with_an_arithmetic_unit_is_a_clean_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lib = tmp_path / "lib.yaml"
    lib.write_text(
        "drugs:\n  - id: zz\n    kind: drug\n    name_en: zz\n    name_zh: zz\n    routes: [po]\n"
        "    molar_mass: {value: 100, unit: '9**9**9 g/mol', range: [100, 100],"
        " provenance: {kind: assumed, reason: test}}\n",
        encoding="utf-8",
    )
    start = time.perf_counter()
    with pytest.raises(MtorlabError, match="unit"):
        load_library(str(lib))
    assert time.perf_counter() - start < 2
