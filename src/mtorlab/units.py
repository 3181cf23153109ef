"""One pint unit registry for the whole package (scenario times, doses, PK constants)."""

from __future__ import annotations

import pint

ureg: pint.UnitRegistry = pint.UnitRegistry()
Q_ = ureg.Quantity
