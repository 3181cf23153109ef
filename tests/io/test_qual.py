"""SBML-qual export of the mechanism graph and its synchronous Boolean simulation."""

from __future__ import annotations

import libsbml
import pytest

from mtorlab.errors import UnknownIdError
from mtorlab.io.qual import BASAL_INPUTS, attractor, boolean_directions, logical_rules, to_sbml_qual
from mtorlab.kb import KnowledgeBase, load


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


@pytest.fixture(scope="module")
def sbml(kb: KnowledgeBase) -> str:
    return to_sbml_qual(kb)


def test_zero_libsbml_errors(sbml: str) -> None:
    doc = libsbml.readSBMLFromString(sbml)
    doc.checkConsistency()
    errors = [doc.getError(i) for i in range(doc.getNumErrors())]
    assert [e.getMessage() for e in errors if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR] == []
    assert doc.getNumErrors() == 0  # no warnings either


def test_species_are_the_kb_entities(kb: KnowledgeBase, sbml: str) -> None:
    doc = libsbml.readSBMLFromString(sbml)  # keep the document alive while its model is used
    qual = doc.getModel().getPlugin("qual")
    assert {s.getId() for s in qual.getListOfQualitativeSpecies()} == set(kb.entities)
    targets = {m.object for m in kb.mechanisms.values()}
    assert qual.getNumTransitions() == len(targets)
    tr = qual.getTransition("tr_mtorc1")
    signs = {i.getQualitativeSpecies(): i.getSign() for i in tr.getListOfInputs()}
    assert signs["ddit4"] == libsbml.INPUT_SIGN_NEGATIVE
    assert signs["rheb"] == libsbml.INPUT_SIGN_POSITIVE


def test_rule_roles(kb: KnowledgeBase) -> None:
    rules = logical_rules(kb)
    mtorc1 = rules["mtorc1"]
    assert mtorc1.components == ("mtor",)  # complex formation: required
    assert "rheb" in mtorc1.activators and mtorc1.inhibitors == ("ddit4",)
    assert rules["eif4ebp1"].activators == () and rules["eif4ebp1"].inhibitors == ("mtorc1",)


def test_simulation_reads_the_exported_rules(sbml: str) -> None:
    basal = attractor(sbml, BASAL_INPUTS)
    # An inhibitor-only node is on unless its inhibitor is on; mTORC1 needs mTOR.
    sirolimus = attractor(sbml, {*BASAL_INPUTS, "sirolimus"})
    assert sirolimus.is_fixed_point
    assert sirolimus.activity("mtor") == 0 and sirolimus.activity("mtorc1") == 0
    assert sirolimus.activity("eif4ebp1") == 1 and sirolimus.activity("ulk1") == 1
    assert sirolimus.activity("autophagy") == 1
    assert basal.activity("amino_acids") == 1 and basal.activity("sirolimus") == 0


def test_ketamine_activates_synaptic_protein_synthesis(kb: KnowledgeBase, sbml: str) -> None:
    ket = attractor(sbml, {*BASAL_INPUTS, "ketamine"})
    assert ket.activity("synaptic_protein_synthesis") > 0
    d = boolean_directions(kb, ["ketamine"], ["mtorc1", "synaptic_protein_synthesis", "bdnf"])
    assert d == {"mtorc1": 1, "synaptic_protein_synthesis": 1, "bdnf": 1}


def test_sirolimus_and_stress_directions(kb: KnowledgeBase) -> None:
    readouts = ["mtorc1", "autophagy", "immunosuppression", "neuroinflammation"]
    assert boolean_directions(kb, ["sirolimus"], readouts) == {
        "mtorc1": -1,
        "autophagy": 1,
        "immunosuppression": 1,
        "neuroinflammation": -1,
    }
    stress = boolean_directions(kb, ["chronic_stress"], ["mtorc1", "neuroinflammation"])
    assert stress == {"mtorc1": -1, "neuroinflammation": 1}


def test_unknown_ids_are_named(kb: KnowledgeBase, sbml: str) -> None:
    with pytest.raises(UnknownIdError, match="ketamin"):
        attractor(sbml, {"ketamin"})
    with pytest.raises(UnknownIdError, match="mtorc3"):
        boolean_directions(kb, ["ketamine"], ["mtorc3"])
