"""A stand-in for ``mtorlab.simulate`` (fast, deterministic, no engine)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def fake_frame(scenario: Any) -> pd.DataFrame:
    """A stand-in result: every readout rising from 1.0 with chronic stress."""
    import mtorlab

    ids = list(scenario.outputs or mtorlab.model().readout_ids_for(scenario.species))
    n = int(scenario.duration_h) + 1
    data: dict[str, Any] = {"time_h": [float(i) for i in range(n)]}
    for r in ids:
        data[r] = [1.0 + scenario.condition.chronic_stress * i / n for i in range(n)]
    return pd.DataFrame(data)
