"""The intervention library: drugs and non-drug interventions as data, with PK."""

from mtorlab.interventions._library import Library, builtin_path, load_library, parse_entries
from mtorlab.interventions._schema import (
    Drug,
    EffectCompartment,
    Formulation,
    Quantity,
    SpeciesPK,
    Target,
)

__all__ = [
    "Drug",
    "EffectCompartment",
    "Formulation",
    "Library",
    "Quantity",
    "SpeciesPK",
    "Target",
    "builtin_path",
    "load_library",
    "parse_entries",
]
