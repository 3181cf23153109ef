"""Species physiology used to turn doses into model quantities."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Physiology:
    """Body weight (kg) and brain volume (L) of a species; the provenance of both."""

    body_weight_kg: float
    brain_volume_l: float
    source: str


#: Typical adult values. Assumed: the review gives none; they only convert doses given in
#: mg (or mg/kg) and intracerebroventricular doses into the model's units.
PHYSIOLOGY: dict[str, Physiology] = {
    "mouse": Physiology(
        0.025, 0.00045, "assumed: typical adult C57BL/6 mouse, 25 g, brain 0.45 mL"
    ),
    "rat": Physiology(0.25, 0.002, "assumed: typical adult Sprague-Dawley rat, 250 g, brain 2 mL"),
    "human": Physiology(70.0, 1.3, "assumed: reference adult, 70 kg, brain 1.3 L"),
}
