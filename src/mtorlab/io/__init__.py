"""Exports of the model: SBML Level 3 (libsbml) and Antimony (antimony)."""

from mtorlab.io._antimony import to_antimony
from mtorlab.io._sbml import build_document, consistency_report, to_sbml

#: Export formats by name: each a function ``Model -> str``.
EXPORTERS = {"sbml": to_sbml, "antimony": to_antimony}

__all__ = ["EXPORTERS", "build_document", "consistency_report", "to_antimony", "to_sbml"]
