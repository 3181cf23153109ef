"""Colour a figure by a scenario's effect: each readout's change vs the untreated control.

The control is the same scenario without its interventions (the same condition). A
readout is attached to the knowledge-base entity of the model quantity it reports
(``entity`` of the species or assignment rule); when several readouts share an entity the
largest change is drawn. Changes are log2 fold changes at the chosen time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mtorlab.scenario import Scenario


def entity_changes(scenario: Scenario, at_h: float | None = None) -> dict[str, float]:
    """log2(treated / control) per knowledge-base entity at ``at_h`` (default: the end)."""
    import numpy as np

    import mtorlab as mt

    model = mt.model()
    readouts = list(model.readout_ids_for(scenario.species))
    treated = mt.simulate(scenario, outputs=readouts)
    control = mt.simulate(scenario.model_copy(update={"interventions": ()}), outputs=readouts)
    t = treated["time_h"].to_numpy()
    when = float(t[-1]) if at_h is None else float(at_h)
    out: dict[str, float] = {}
    for r in readouts:
        target = model.readouts[r].target
        rec = model.species.get(target) or model.assignments.get(target)
        entity = getattr(rec, "entity", None)
        a = float(np.interp(when, t, treated[r].to_numpy()))
        b = float(np.interp(when, t, control[r].to_numpy()))
        if entity is None or a <= 0 or b <= 0:
            continue
        change = math.log2(a / b)
        if abs(change) > abs(out.get(entity, 0.0)):
            out[entity] = change
    return out
