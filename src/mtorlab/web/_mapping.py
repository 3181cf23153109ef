"""How the map groups entities into contexts, and which readout stands for an entity.

The knowledge base records contexts on mechanisms, not entities; the map needs one
context per node to colour it, so this small table assigns them (PRODUCT.md's four
contexts, plus drugs and behaviour). Entities not listed are neuronal/synaptic.
"""

from __future__ import annotations

from collections.abc import Iterable

from mtorlab.kb import KnowledgeBase

CONTEXTS = ("neuron", "glia", "fate", "periphery", "behaviour", "intervention", "condition")

_CONTEXT_OF: dict[str, str] = {
    **dict.fromkeys(
        ("il6", "tnf", "ikbkb", "nfkb", "neuroinflammation", "microglial_phagocytosis"), "glia"
    ),
    **dict.fromkeys(
        (
            "autophagy",
            "ulk1",
            "apoptosis",
            "neuronal_survival",
            "cell_survival",
            "oxidative_stress",
            "atm",
            "atr",
            "h2o2",
            "ddit4",
        ),
        "fate",
    ),
    **dict.fromkeys(
        (
            "body_weight",
            "glucose",
            "glucose_homeostasis",
            "glucose_lipid_metabolism",
            "lipid_synthesis",
            "insulin",
            "immunosuppression",
            "serum_bdnf",
            "igf1",
        ),
        "periphery",
    ),
}

#: Entity id → readout id, where the names differ (an entity whose id is a readout id
#: maps to it without an entry here).
ENTITY_READOUT: dict[str, str] = {
    "mtorc1": "mtorc1_neuron",
    "mtorc2": "mtorc2_neuron",
    "akt": "p_akt_s473",
    "s6k": "p_s6k",
    "eif4ebp1": "p_4ebp1",
    "mapk": "p_erk",
    "tsc2": "tsc2_active",
    "tsc_complex": "tsc2_active",
    "rheb": "rheb_gtp",
    "ampar": "ampar_surface",
    "synaptic_protein_synthesis": "synaptic_protein",
    "autophagy": "autophagy_flux",
    "il6": "il6_brain",
    "tnf": "tnfa_brain",
    "depression_like_behaviour": "depression_score",
    "depression_severity": "madrs",
    "anxiety": "anxiety_risk",
    "glucose": "blood_glucose",
}


def context_of(kb: KnowledgeBase, entity_id: str) -> str:
    """The map context of an entity (one of ``CONTEXTS``)."""
    kind = kb.entities[entity_id].kind.value
    if kind in ("drug", "intervention"):
        return "intervention"
    if kind == "condition":
        return "condition"
    if kind == "phenotype" and entity_id not in _CONTEXT_OF:
        return "behaviour"
    return _CONTEXT_OF.get(entity_id, "neuron")


def readout_of(entity_id: str, readouts: Iterable[str]) -> str | None:
    """The readout that stands for an entity in a simulation, if there is one."""
    known = set(readouts)
    if entity_id in known:
        return entity_id
    mapped = ENTITY_READOUT.get(entity_id)
    return mapped if mapped in known else None
