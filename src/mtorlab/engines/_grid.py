"""Report grids shared by the engines."""

from __future__ import annotations

import numpy as np


def snap_to_grid(grid: np.ndarray, t: float) -> float:
    """An event time within rounding of a report time becomes that time, as both engines
    need: a 40-min infusion started at 1 h ends at 1 + 2/3 h, which a 1-min grid holds as
    100/60 h, a few 1e-16 apart. Unsnapped, CVODE is asked to step between the two and
    refuses (CV_TOO_CLOSE), and the report time is matched by neither segment. Close means
    ``numpy.isclose`` with rtol 1e-12 and atol 1e-9 h; ``grid`` increases."""
    t = float(t)
    i = int(np.searchsorted(grid, t))
    for j in (i - 1, i):
        if 0 <= j < grid.size and abs(grid[j] - t) <= 1e-9 + 1e-12 * abs(t):
            return float(grid[j])
    return t
