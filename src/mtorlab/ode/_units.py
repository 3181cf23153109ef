"""Units a model quantity may carry, with their SBML definitions.

Each unit id maps to SBML base-unit factors ``(kind, exponent, scale, multiplier)``;
the export writes a ``unitDefinition`` for every unit the model uses (``dimensionless``
is built into SBML). Time is in hours throughout.
"""

from __future__ import annotations

Factor = tuple[str, int, int, float]

UNITS: dict[str, tuple[Factor, ...]] = {
    "dimensionless": (),
    "hour": (("second", 1, 0, 3600.0),),
    "per_hour": (("second", -1, 0, 3600.0),),
    "mg": (("gram", 1, -3, 1.0),),
    "mg_per_kg": (("gram", 1, -3, 1.0), ("kilogram", -1, 0, 1.0)),
    "mg_per_L": (("gram", 1, -3, 1.0), ("litre", -1, 0, 1.0)),
    "mg_per_kg_per_hour": (
        ("gram", 1, -3, 1.0),
        ("kilogram", -1, 0, 1.0),
        ("second", -1, 0, 3600.0),
    ),
    "L_per_kg": (("litre", 1, 0, 1.0), ("kilogram", -1, 0, 1.0)),
}


def check_unit(unit: str) -> str:
    """Validate a unit id (pydantic validator helper)."""
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not one of {', '.join(UNITS)}")
    return unit
