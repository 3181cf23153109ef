"""Exports of the model: SBML Level 3 (libsbml), Antimony (antimony); a scenario as SBML with
events, SED-ML (libsedml) and a COMBINE archive (libcombine)."""

from mtorlab.io._antimony import to_antimony
from mtorlab.io._omex import to_omex, to_sedml
from mtorlab.io._sbml import build_document, consistency_report, to_sbml
from mtorlab.io._scenario import ScenarioModel, scenario_model

#: Export formats by name: each a function ``Model -> str``.
EXPORTERS = {"sbml": to_sbml, "antimony": to_antimony}

__all__ = [
    "EXPORTERS",
    "ScenarioModel",
    "build_document",
    "consistency_report",
    "scenario_model",
    "to_antimony",
    "to_omex",
    "to_sbml",
    "to_sedml",
]
