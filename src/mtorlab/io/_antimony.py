"""Antimony text export (for people), converted from the SBML export by ``antimony``."""

from __future__ import annotations

from mtorlab.errors import MtorlabError
from mtorlab.ode import Model


def sbml_to_antimony(sbml: str) -> str:
    """Convert SBML text to Antimony text."""
    import antimony

    antimony.clearPreviousLoads()
    if antimony.loadSBMLString(sbml) < 0:
        raise MtorlabError(f"antimony could not read the SBML: {antimony.getLastError()}")
    text = antimony.getAntimonyString(antimony.getMainModuleName())
    if not text:
        raise MtorlabError(f"antimony produced no text: {antimony.getLastError()}")
    return str(text)


def to_antimony(m: Model) -> str:
    """The model as Antimony text."""
    from mtorlab.io._sbml import to_sbml

    return sbml_to_antimony(to_sbml(m, number_units=False))
