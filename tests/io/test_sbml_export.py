"""SBML and Antimony exports: validity, units, annotations, round trips."""

from __future__ import annotations

import libsbml
import pytest

from mtorlab._api import model as get_model
from mtorlab.io import build_document, consistency_report, to_antimony, to_sbml
from mtorlab.io._annotate import NAMESPACE, kb_entities
from mtorlab.ode import Model


@pytest.fixture(scope="module")
def model() -> Model:
    return get_model()


@pytest.fixture(scope="module")
def doc(model: Model) -> libsbml.SBMLDocument:
    return build_document(model)


def test_level_3_version_2_with_hour_time_unit(doc: libsbml.SBMLDocument) -> None:
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    m = doc.getModel()
    assert m.getTimeUnits() == "hour"
    hour = m.getUnitDefinition("hour").getUnit(0)
    assert hour.getKind() == libsbml.UNIT_KIND_SECOND and hour.getMultiplier() == 3600


def test_zero_consistency_errors_and_warnings(model: Model) -> None:
    """checkConsistency with unit checks on: no errors, and (currently) no warnings either."""
    errors, warnings = consistency_report(build_document(model))
    assert errors == []
    assert warnings == []


def test_every_element_has_an_sbo_term(doc: libsbml.SBMLDocument) -> None:
    m = doc.getModel()
    for lst in (m.getListOfSpecies(), m.getListOfReactions(), m.getListOfParameters()):
        for el in lst:
            assert el.isSetSBOTerm(), el.getId()


def test_reactions_carry_their_mechanism_ids(model: Model, doc: libsbml.SBMLDocument) -> None:
    for rx in doc.getModel().getListOfReactions():
        ann = rx.getAnnotation()
        found = []
        for i in range(ann.getNumChildren()):
            node = ann.getChild(i)
            if node.getURI() == NAMESPACE and node.getName() == "mechanisms":
                found = [node.getChild(j).getAttrValue("id") for j in range(node.getNumChildren())]
        assert tuple(found) == model.reactions[rx.getId()].mechanisms
        assert "m_" in rx.getNotesString()


def test_parameters_carry_provenance(doc: libsbml.SBMLDocument) -> None:
    par = doc.getModel().getParameter("k_t308_dephos")
    text = libsbml.XMLNode.convertXMLNodeToString(par.getAnnotation())
    assert 'kind="literature"' in text and "Dalle Pezze" in text


def test_miriam_annotations_come_from_the_knowledge_base(doc: libsbml.SBMLDocument) -> None:
    assert kb_entities()
    m = doc.getModel()

    def resources(sid: str) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for term in m.getSpecies(sid).getCVTerms():
            out[term.getBiologicalQualifierType()] = [
                term.getResourceURI(i) for i in range(term.getNumResources())
            ]
        return out

    assert resources("bdnf")[libsbml.BQB_IS] == ["https://identifiers.org/uniprot:P23560"]
    assert (
        "https://identifiers.org/uniprot:P42345" in resources("mtorc1_glia")[libsbml.BQB_HAS_PART]
    )
    assert resources("serotonin")[libsbml.BQB_IS] == ["https://identifiers.org/CHEBI:28790"]
    annotated = sum(1 for s in m.getListOfSpecies() if s.getNumCVTerms())
    assert annotated >= 30


def test_sbml_loads_and_runs_in_roadrunner(model: Model) -> None:
    import roadrunner

    rr = roadrunner.RoadRunner(to_sbml(model))
    out = rr.simulate(0, 24, 25)
    assert out.shape[0] == 25
    assert rr.model.getNumFloatingSpecies() == len(model.species)


def test_antimony_export_round_trips(model: Model) -> None:
    import antimony

    text = to_antimony(model)
    assert "r_mtorc1_neuron:  -> mtorc1_neuron;" in text
    assert "dimensionless -" not in text  # literal-number units are left out for readability
    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(text) >= 0
    sbml = antimony.getSBMLString(antimony.getMainModuleName())
    back = libsbml.readSBMLFromString(sbml).getModel()
    assert back.getNumReactions() == len(model.reactions)
    assert back.getNumSpecies() == len(model.species)
