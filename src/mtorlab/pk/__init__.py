"""Pharmacokinetics and dosing: model modules built from the intervention library."""

from mtorlab.pk._assemble import CONC_SCALE, Plan
from mtorlab.pk._assemble import plan as plan_scenario
from mtorlab.pk._dosing import Administration, Event, events_for
from mtorlab.pk._modules import Module, drug_module
from mtorlab.pk._physiology import PHYSIOLOGY, Physiology

__all__ = [
    "CONC_SCALE",
    "PHYSIOLOGY",
    "Administration",
    "Event",
    "Module",
    "Physiology",
    "Plan",
    "drug_module",
    "events_for",
    "plan_scenario",
]
