"""SBML Level 3 Version 2 export of the model, built with python-libsbml from the data.

Time is in hours; every species, compartment and parameter is dimensionless or carries
``per_hour`` / ``hour``; literal numbers in formulas are declared dimensionless so that the
unit checks of libsbml can run completely.
"""

from __future__ import annotations

import libsbml

from mtorlab.io._annotate import add_mechanisms, add_miriam, add_provenance, set_notes
from mtorlab.ode import Model, parse_equation, symbols
from mtorlab.ode._units import UNITS

LEVEL, VERSION = 3, 2

#: Default SBO term of a parameter by its role.
_ROLE_SBO = {
    "rate": "SBO:0000009",  # kinetic constant
    "gain": "SBO:0000002",  # quantitative systems description parameter
    "constant": "SBO:0000002",
    "input": "SBO:0000002",
    "condition": "SBO:0000002",
    "baseline": "SBO:0000002",
    "phenotype": "SBO:0000002",
}


class SbmlBuildError(RuntimeError):
    """libsbml refused a value while building the document (a bug, not a user error)."""


def _ok(code: int | None, what: str) -> None:
    if code is not None and code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SbmlBuildError(f"{what}: {libsbml.OperationReturnValue_toString(code)}")


def _sbo(element: libsbml.SBase, term: str | None) -> None:
    if term:
        _ok(element.setSBOTerm(term), f"SBO term {term} on {element.getId()}")


def _math(formula: str, where: str, number_units: bool) -> libsbml.ASTNode:
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise SbmlBuildError(f"{where}: cannot parse {formula!r}: {libsbml.getLastParseL3Error()}")
    if number_units:
        _declare_numbers(ast)
    return ast


def _declare_numbers(node: libsbml.ASTNode) -> None:
    """Give every literal number the unit ``dimensionless`` (so unit checks are complete)."""
    if node.isNumber():
        node.setUnits("dimensionless")
    for i in range(node.getNumChildren()):
        _declare_numbers(node.getChild(i))


def _units(model: libsbml.Model, m: Model) -> None:
    used = {"hour", "per_hour"}
    used |= {s.unit for s in m.species.values()} | {p.unit for p in m.parameters.values()}
    used |= {a.unit for a in m.assignments.values()}
    for uid in sorted(used - {"dimensionless"}):
        ud = model.createUnitDefinition()
        _ok(ud.setId(uid), uid)
        for kind, exponent, scale, multiplier in UNITS[uid]:
            unit = ud.createUnit()
            unit.setKind(libsbml.UnitKind_forName(kind))
            unit.setExponent(exponent)
            unit.setScale(scale)
            unit.setMultiplier(multiplier)
    _ok(model.setTimeUnits("hour"), "time units")
    for attr in ("setSubstanceUnits", "setExtentUnits", "setVolumeUnits"):
        _ok(getattr(model, attr)("dimensionless"), attr)


def _compartments(sbml: libsbml.Model, m: Model) -> None:
    for c in m.compartments.values():
        comp = sbml.createCompartment()
        _ok(comp.setId(c.id), c.id)
        comp.setName(c.name)
        comp.setMetaId(f"meta_{c.id}")
        comp.setConstant(True)
        comp.setSize(c.size)
        comp.setSpatialDimensions(3)
        comp.setUnits("dimensionless")
        _sbo(comp, c.sbo)


def _species(sbml: libsbml.Model, m: Model, miriam: bool) -> None:
    for s in m.species.values():
        sp = sbml.createSpecies()
        _ok(sp.setId(s.id), s.id)
        sp.setName(s.name)
        sp.setMetaId(f"meta_{s.id}")
        sp.setCompartment(s.compartment)
        sp.setInitialConcentration(s.initial)
        sp.setSubstanceUnits(s.unit)
        sp.setHasOnlySubstanceUnits(False)
        sp.setBoundaryCondition(False)
        sp.setConstant(False)
        _sbo(sp, s.sbo)
        if miriam:
            add_miriam(sp, s.entity)
        set_notes(sp, f"{s.description} ({s.kind}, context {s.context}; entity {s.entity}).")


def _parameters(sbml: libsbml.Model, m: Model, number_units: bool, miriam: bool) -> None:
    for p in m.parameters.values():
        par = sbml.createParameter()
        _ok(par.setId(p.id), p.id)
        par.setMetaId(f"meta_{p.id}")
        par.setValue(p.value)
        par.setUnits(p.unit)
        par.setConstant(True)
        _sbo(par, p.sbo or _ROLE_SBO[p.role])
        add_provenance(par, p)
    for a in m.assignments.values():
        par = sbml.createParameter()
        _ok(par.setId(a.id), a.id)
        par.setName(a.name)
        par.setMetaId(f"meta_{a.id}")
        par.setUnits(a.unit)
        par.setConstant(False)
        _sbo(par, a.sbo)
        if miriam:
            add_miriam(par, a.entity)
        rule = sbml.createAssignmentRule()
        rule.setVariable(a.id)
        _ok(rule.setMath(_math(a.formula, a.id, number_units)), f"math of {a.id}")
        if a.mechanisms:
            add_mechanisms(par, a.mechanisms, a.description)
        else:
            set_notes(par, a.description)


def _reactions(sbml: libsbml.Model, m: Model, number_units: bool) -> None:
    for r in m.reactions.values():
        rx = sbml.createReaction()
        _ok(rx.setId(r.id), r.id)
        rx.setName(r.name)
        rx.setMetaId(f"meta_{r.id}")
        rx.setReversible(r.reversible)
        _sbo(rx, r.sbo)
        reactants, products = parse_equation(r.equation)
        for name, stoich in reactants:
            ref = rx.createReactant()
            ref.setSpecies(name)
            ref.setStoichiometry(stoich)
            ref.setConstant(True)
        for name, stoich in products:
            ref = rx.createProduct()
            ref.setSpecies(name)
            ref.setStoichiometry(stoich)
            ref.setConstant(True)
        participants = {n for n, _ in reactants + products}
        for name in symbols(r.rate):
            if name in m.species and name not in participants:
                mod = rx.createModifier()
                mod.setSpecies(name)
                participants.add(name)
        law = rx.createKineticLaw()
        _ok(law.setMath(_math(r.rate, r.id, number_units)), f"rate law of {r.id}")
        add_mechanisms(rx, r.mechanisms, r.note)


def build_document(
    m: Model, *, number_units: bool = True, miriam: bool = True
) -> libsbml.SBMLDocument:
    """The model as an SBML L3V2 document (not yet validated).

    ``number_units`` declares literal numbers dimensionless (complete unit checks); the
    Antimony export turns it off to keep formulas readable. ``miriam`` adds UniProt/ChEBI/GO
    cross-references from the knowledge base (loading it costs ~0.8 s; the engine, which
    needs only the mathematics, leaves them out).
    """
    doc = libsbml.SBMLDocument(LEVEL, VERSION)
    sbml = doc.createModel()
    sbml.setId("mtorlab_mtor_depression")
    sbml.setName("mtorlab: mTOR signalling in depression (multi-scale, context-separated)")
    sbml.setMetaId("meta_model")
    set_notes(
        sbml,
        "Generated by mtorlab from its model data. Activities are active fractions (0..1), "
        "levels are normalised to the healthy steady state (1); time in hours.",
    )
    _units(sbml, m)
    _compartments(sbml, m)
    _species(sbml, m, miriam)
    _parameters(sbml, m, number_units, miriam)
    _reactions(sbml, m, number_units)
    return doc


def to_sbml(m: Model, *, number_units: bool = True, miriam: bool = True) -> str:
    """The SBML L3V2 text of the model (see :func:`build_document` for the options)."""
    doc = build_document(m, number_units=number_units, miriam=miriam)
    return str(libsbml.writeSBMLToString(doc))


def consistency_report(doc: libsbml.SBMLDocument) -> tuple[list[str], list[str]]:
    """Errors and warnings of libsbml's ``checkConsistency`` with unit checks on."""
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    doc.checkConsistency()
    errors: list[str] = []
    warnings: list[str] = []
    for i in range(doc.getNumErrors()):
        e = doc.getError(i)
        text = f"[{e.getErrorId()}] line {e.getLine()}: {e.getMessage().strip()}"
        (errors if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR else warnings).append(text)
    return errors, warnings
