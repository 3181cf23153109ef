"""A trial as a validation condition: its endpoints over the visits as a table.

A validation dataset's condition ``{trial: {...design...}, arm: ARM}`` is simulated as a whole
trial (cached: the conditions of one design share one run) and returns, for the named arm,
a frame with ``time_h`` (the visits, hours from randomisation) and the observables
``response`` and ``remission`` (% of the arm), ``madrs_change`` (mean change from baseline,
points) and ``madrs_diff`` / ``response_diff`` (the arm minus the control arm; 0 for the
control itself).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mtorlab.errors import DataFileError

if TYPE_CHECKING:
    import pandas as pd

OBSERVABLES = ("response", "remission", "madrs_change", "madrs_diff", "response_diff")


@lru_cache(maxsize=16)
def _tables(design_json: str, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from mtorlab.clinical._analysis import analyse
    from mtorlab.clinical._schema import validate_trial
    from mtorlab.clinical._simulate import run_trial

    trial = validate_trial(json.loads(design_json), source)
    tables = analyse(trial, run_trial(trial, source=source).patients)
    return tables.visits, tables.contrasts


def trial_frame(condition: dict[str, Any], source: str) -> pd.DataFrame:
    """The named arm's endpoints over the visits (see the module docstring)."""
    import pandas as pd

    design, arm = condition.get("trial"), condition.get("arm")
    extra = sorted(set(condition) - {"trial", "arm", "name", "species", "outputs"})
    if not isinstance(design, dict) or not isinstance(arm, str) or extra:
        raise DataFileError(source, "a trial condition is {trial: {design}, arm: ARM_ID}")
    visits, contrasts = _tables(json.dumps(design, sort_keys=True, default=str), source)
    v = visits[visits["arm"] == arm].sort_values("visit_h")
    if v.empty:
        raise DataFileError(source, f"arm {arm!r} is not an arm of the trial", field="arm")
    out = pd.DataFrame({
        "time_h": v["visit_h"].to_numpy(float),
        "response": 100 * v["response_rate"].to_numpy(float),
        "remission": 100 * v["remission_rate"].to_numpy(float),
        "madrs_change": v["change_mean"].to_numpy(float),
    })  # fmt: skip
    out["madrs_diff"] = 0.0
    out["response_diff"] = 0.0
    if not contrasts.empty and arm in set(contrasts["arm"]):
        c = contrasts[contrasts["arm"] == arm].set_index("visit_h")
        for col, src, scale in (("madrs_diff", "change_diff", 1.0),
                                ("response_diff", "response_diff", 100.0)):  # fmt: skip
            out[col] = [scale * float(c[src].get(t, 0.0)) for t in out["time_h"]]
    return out
