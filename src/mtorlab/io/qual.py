"""SBML-qual export of the mechanism graph, and a synchronous Boolean simulator for it.

The logical model has one Boolean qualitative species per knowledge-base entity (same id)
and one transition per entity that some mechanism acts on. Its inputs are the subjects of
those mechanisms, with the mechanism's sign. The update rule of a node is a threshold-style
rule over its regulators:

* every ``complex_formation`` subject is a *component* and is required (an mTORC1 without
  mTOR is not active, so an inhibitor of mTOR switches mTORC1 off);
* at least one other activator must be active; a node with inhibitors but no activators
  is constitutively active (4E-BP1, ULK1, TSC1…: active unless something switches them off);
* no inhibitor may be active.

In SBML-qual this is a default term of level 0 and one function term of level 1 holding the
rule as MathML. Entities nothing acts on (nutrients, drugs, conditions) have no transition:
they keep the level a simulation fixes for them.

The simulator (:func:`attractor`) reads the SBML-qual document back with libsbml and
evaluates its function terms, so what is simulated is what was exported. Updates are
synchronous; it iterates until a state repeats and returns the attractor reached (a fixed
point or a cycle). :func:`boolean_directions` compares the attractor's mean activity with
perturbations against a basal state and gives the direction (-1, 0, +1) for each readout.
No PyPI library was used for the updates: ``pyboolnet`` (synchronous successor on its own
``bnet`` format, with ``pytest`` and ``matplotlib`` as run-time requirements) and ``mpbn``
(most-permissive semantics, not synchronous) both install, but neither reads SBML-qual,
and the updater here is a few lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import libsbml

from mtorlab.errors import MtorlabError, UnknownIdError
from mtorlab.kb import KnowledgeBase, MechanismType, Sign

__all__ = [
    "BASAL_INPUTS",
    "Attractor",
    "LogicalRule",
    "attractor",
    "boolean_directions",
    "logical_rules",
    "to_sbml_qual",
]

#: Inputs held on in the basal state: a resting neuron with nutrients but no extra
#: growth-factor or neurotrophic drive. With growth factors and insulin on as well, neuronal
#: mTOR is already on at baseline and an activator (ketamine) can change nothing in a
#: Boolean model.
BASAL_INPUTS: tuple[str, ...] = ("amino_acids", "glucose")
_COMPARTMENT = "cell"


@dataclass(frozen=True)
class LogicalRule:
    """The regulators of one node, by role, and the mechanisms they come from."""

    target: str
    components: tuple[str, ...]
    activators: tuple[str, ...]
    inhibitors: tuple[str, ...]
    mechanisms: tuple[str, ...]

    def formula(self) -> str:
        """The rule in libsbml's L3 infix syntax (``&&``, ``||``, ``==``)."""
        parts = [f"({c} == 1)" for c in self.components]
        if self.activators:
            parts.append("(" + " || ".join(f"({a} == 1)" for a in self.activators) + ")")
        parts += [f"({i} == 0)" for i in self.inhibitors]
        return " && ".join(parts)


def logical_rules(kb: KnowledgeBase) -> dict[str, LogicalRule]:
    """One rule per entity that at least one mechanism acts on (see the module docstring)."""
    roles: dict[str, dict[str, set[str]]] = {}
    mechs: dict[str, list[str]] = {}
    for m in kb.mechanisms.values():
        if m.subject == m.object:
            continue
        r = roles.setdefault(m.object, {"c": set(), "a": set(), "i": set()})
        if m.sign is Sign.negative:
            r["i"].add(m.subject)
        elif m.type is MechanismType.complex_formation:
            r["c"].add(m.subject)
        else:
            r["a"].add(m.subject)
        mechs.setdefault(m.object, []).append(m.id)
    return {
        t: LogicalRule(
            t,
            tuple(sorted(r["c"])),
            tuple(sorted(r["a"] - r["c"])),
            tuple(sorted(r["i"])),
            tuple(sorted(mechs[t])),
        )
        for t, r in sorted(roles.items())
    }


def _ok(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise MtorlabError(
            f"SBML-qual: could not set {what}: {libsbml.OperationReturnValue_toString(code)}"
        )


def _document(kb: KnowledgeBase) -> libsbml.SBMLDocument:
    ns = libsbml.SBMLNamespaces(3, 1, "qual", 1)
    doc = libsbml.SBMLDocument(ns)
    _ok(doc.setPackageRequired("qual", True), "qual required")
    model = doc.createModel()
    model.setId("mtorlab_logical")
    model.setName("mtorlab: logical model of the mTOR-in-depression mechanism graph")
    comp = model.createCompartment()
    comp.setId(_COMPARTMENT)
    comp.setConstant(True)
    comp.setSpatialDimensions(3)
    comp.setSize(1.0)
    comp.setUnits("dimensionless")
    qual = model.getPlugin("qual")
    for e in kb.entities.values():
        s = qual.createQualitativeSpecies()
        _ok(s.setId(e.id), f"species {e.id}")
        s.setName(e.name_en)
        s.setCompartment(_COMPARTMENT)
        s.setConstant(False)
        s.setInitialLevel(0)
        s.setMaxLevel(1)
    signs = {(m.subject, m.object): m.sign for m in kb.mechanisms.values()}
    for rule in logical_rules(kb).values():
        _add_transition(qual, rule, signs)
    return doc


def _add_transition(
    qual: libsbml.QualModelPlugin, rule: LogicalRule, signs: Mapping[tuple[str, str], Sign]
) -> None:
    tr = qual.createTransition()
    tr.setId(f"tr_{rule.target}")
    tr.setName("; ".join(rule.mechanisms))
    for src in (*rule.components, *rule.activators, *rule.inhibitors):
        inp = tr.createInput()
        inp.setId(f"in_{rule.target}__{src}")
        inp.setQualitativeSpecies(src)
        inp.setTransitionEffect(libsbml.INPUT_TRANSITION_EFFECT_NONE)
        negative = signs[(src, rule.target)] is Sign.negative
        inp.setSign(libsbml.INPUT_SIGN_NEGATIVE if negative else libsbml.INPUT_SIGN_POSITIVE)
        inp.setThresholdLevel(1)
    out = tr.createOutput()
    out.setId(f"out_{rule.target}")
    out.setQualitativeSpecies(rule.target)
    out.setTransitionEffect(libsbml.OUTPUT_TRANSITION_EFFECT_ASSIGNMENT_LEVEL)
    tr.createDefaultTerm().setResultLevel(0)
    term = tr.createFunctionTerm()
    term.setResultLevel(1)
    math = libsbml.parseL3Formula(rule.formula())
    if math is None:
        raise MtorlabError(f"SBML-qual: cannot parse the rule of {rule.target!r}")
    _ok(term.setMath(math), f"math of {rule.target}")


def to_sbml_qual(kb: KnowledgeBase) -> str:
    """The logical model as an SBML Level 3 Version 1 document with the qual package.

    Raises
    ------
    MtorlabError
        If libsbml's consistency check finds an error (it should find none).
    """
    doc = _document(kb)
    doc.checkConsistency()
    errors = [
        f"[{e.getErrorId()}] {e.getMessage().strip()}"
        for e in (doc.getError(i) for i in range(doc.getNumErrors()))
        if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if errors:
        raise MtorlabError(f"SBML-qual export is invalid: {errors[0]} ({len(errors)} errors)")
    return str(libsbml.writeSBMLToString(doc))


# --- simulation ------------------------------------------------------------------------

_RELATIONS = {
    libsbml.AST_RELATIONAL_EQ: lambda a, b: a == b,
    libsbml.AST_RELATIONAL_NEQ: lambda a, b: a != b,
    libsbml.AST_RELATIONAL_GEQ: lambda a, b: a >= b,
    libsbml.AST_RELATIONAL_GT: lambda a, b: a > b,
    libsbml.AST_RELATIONAL_LEQ: lambda a, b: a <= b,
    libsbml.AST_RELATIONAL_LT: lambda a, b: a < b,
}


def _eval(node: libsbml.ASTNode, state: Mapping[str, int]) -> int:
    kids = [node.getChild(i) for i in range(node.getNumChildren())]
    t = node.getType()
    if t == libsbml.AST_NAME:
        return state[node.getName()]
    if t in (libsbml.AST_INTEGER, libsbml.AST_REAL):
        return int(node.getValue())
    if t == libsbml.AST_LOGICAL_AND:
        return int(all(_eval(k, state) for k in kids))
    if t == libsbml.AST_LOGICAL_OR:
        return int(any(_eval(k, state) for k in kids))
    if t == libsbml.AST_LOGICAL_NOT:
        return int(not _eval(kids[0], state))
    if t in _RELATIONS:
        return int(_RELATIONS[t](_eval(kids[0], state), _eval(kids[1], state)))
    raise MtorlabError(f"SBML-qual: unsupported MathML element {node.getName() or t!r}")


def _update_functions(sbml: str) -> tuple[list[str], dict[str, list[tuple[int, object]]]]:
    doc = libsbml.readSBMLFromString(sbml)
    if doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR):
        raise MtorlabError(f"SBML-qual: cannot read the document: {doc.getError(0).getMessage()}")
    qual = doc.getModel().getPlugin("qual")
    species = [s.getId() for s in qual.getListOfQualitativeSpecies()]
    funcs: dict[str, list[tuple[int, object]]] = {}
    for tr in qual.getListOfTransitions():
        terms: list[tuple[int, object]] = [
            (ft.getResultLevel(), ft.getMath().deepCopy()) for ft in tr.getListOfFunctionTerms()
        ]
        terms.append((tr.getDefaultTerm().getResultLevel(), None))
        for out in tr.getListOfOutputs():
            funcs[out.getQualitativeSpecies()] = terms
    return species, funcs


@dataclass(frozen=True)
class Attractor:
    """The states of the attractor reached (one for a fixed point) and how long it took."""

    states: tuple[dict[str, int], ...]
    transient: int

    @property
    def is_fixed_point(self) -> bool:
        """Whether the attractor is a single state."""
        return len(self.states) == 1

    def activity(self, node: str) -> float:
        """Fraction of the attractor's states in which ``node`` is active."""
        return sum(s[node] for s in self.states) / len(self.states)


def attractor(sbml: str, on: Iterable[str] = (), *, max_steps: int = 10_000) -> Attractor:
    """Synchronous updates from all-off with the nodes in ``on`` switched on and held on."""
    species, funcs = _update_functions(sbml)
    held = set(on)
    unknown = held - set(species)
    if unknown:
        raise UnknownIdError("qualitative species", sorted(unknown)[0], species)
    state = {s: int(s in held) for s in species}
    seen: dict[tuple[int, ...], int] = {}
    trail: list[dict[str, int]] = []
    for step in range(max_steps):
        key = tuple(state[s] for s in species)
        if key in seen:
            return Attractor(tuple(trail[seen[key] :]), seen[key])
        seen[key] = step
        trail.append(state)
        nxt = dict(state)
        for node, terms in funcs.items():
            if node not in held:
                nxt[node] = next(lvl for lvl, m in terms if m is None or _eval(m, state))
        state = nxt
    raise MtorlabError(f"SBML-qual: no attractor reached within {max_steps} steps")


def boolean_directions(
    kb: KnowledgeBase,
    perturbations: Iterable[str],
    readouts: Iterable[str],
    *,
    basal: Iterable[str] = BASAL_INPUTS,
) -> dict[str, int]:
    """Direction of change (-1, 0, +1) of each readout under ``perturbations`` vs basal.

    Both runs start from all-off with the ``basal`` inputs held on; the perturbed run also
    holds each perturbation on (a drug, a condition, or any entity forced active). The
    direction compares the readout's mean activity over the attractor reached.
    """
    sbml = to_sbml_qual(kb)
    readouts = list(readouts)
    for r in readouts:
        if r not in kb.entities:
            raise UnknownIdError("entity", r, tuple(kb.entities))
    ctrl = attractor(sbml, set(basal))
    pert = attractor(sbml, set(basal) | set(perturbations))
    out = {}
    for r in readouts:
        diff = pert.activity(r) - ctrl.activity(r)
        out[r] = 0 if abs(diff) < 1e-9 else (1 if diff > 0 else -1)
    return out
