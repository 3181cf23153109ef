"""The ODE model as data: species, parameters with provenance, reactions citing mechanisms.

Named ``ode`` so that the public function ``mtorlab.model()`` (PRODUCT.md) is never
shadowed by a subpackage of the same name.
"""

from mtorlab.ode._formula import parse_equation, symbols
from mtorlab.ode._load import default_data_dir
from mtorlab.ode._model import Model, load_model
from mtorlab.ode._schema import (
    Assignment,
    Compartment,
    Condition,
    Parameter,
    Reaction,
    Readout,
    Species,
)

__all__ = [
    "Assignment",
    "Compartment",
    "Condition",
    "Model",
    "Parameter",
    "Reaction",
    "Readout",
    "Species",
    "default_data_dir",
    "load_model",
    "parse_equation",
    "symbols",
]
