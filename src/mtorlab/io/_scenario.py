"""SBML of a scenario: the model ``mtorlab simulate`` runs, with its start and its doses.

The document is the base export (:func:`mtorlab.io.build_document`) of the scenario's
model (the base model plus the PK modules of its drugs), with

- the condition's input values set (``chronic_stress: 0.8`` → ``in_stress = 0.8`` …);
- every species' initial concentration set to the condition's steady state, the state a
  run starts from;
- one SBML event per dosing time: a bolus adds its amount to the depot, central, brain or
  effect species; an infusion or session sets its rate parameter on at the start and off
  at the end. The events mirror the engine's schedule (:class:`mtorlab.pk.Plan`) exactly.

Units stay checkable: a PK species carrying mg/kg or mg/L is written as a multiple of a
unit parameter (``unit_mg_per_kg = 1 mg/kg``); wherever it appears in a formula it is
multiplied by that parameter, and the rate laws of its reactions are divided by it, which
changes no number and keeps every kinetic law in the model's extent per hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import libsbml

from mtorlab.io._annotate import NAMESPACE, PREFIX, set_notes
from mtorlab.io._sbml import SbmlBuildError, _ok, build_document
from mtorlab.ode import parse_equation

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import numpy as np

    from mtorlab.engines import RoadRunnerEngine
    from mtorlab.interventions import Library
    from mtorlab.ode import Model
    from mtorlab.pk import Plan
    from mtorlab.scenario import Intervention, Scenario

#: Readouts reported in ng/mL by ``mtorlab simulate`` (the model computes mg/L).
CONC_PREFIXES = ("conc_plasma:", "conc_brain:")


@dataclass(frozen=True)
class ScenarioModel:
    """A scenario as SBML, with what a simulation description needs to reproduce a run.

    Attributes
    ----------
    document
        The SBML L3V2 document (validated by the caller with ``consistency_report``).
    name, duration_h, n_points
        The scenario's name and output grid: ``linspace(0, duration_h, n_points)``.
    outputs
        Readout ids, as ``mtorlab simulate`` names its columns.
    targets
        The SBML id (species or parameter) behind each readout.
    scales
        The factor from the SBML value to the reported one (1000: mg/L to ng/mL).
    bolus_times_h
        Times (h, > 0) at which a bolus makes some states jump.
    """

    document: libsbml.SBMLDocument
    name: str
    duration_h: float
    n_points: int
    outputs: tuple[str, ...]
    targets: tuple[str, ...]
    scales: tuple[float, ...]
    bolus_times_h: tuple[float, ...]

    @property
    def sbml(self) -> str:
        """The SBML text."""
        return str(libsbml.writeSBMLToString(self.document))

    def is_species(self, sbml_id: str) -> bool:
        """Whether ``sbml_id`` is a species (else a parameter) of the document."""
        return self.document.getModel().getSpecies(sbml_id) is not None


def scenario_model(
    model: Model,
    scenario: Scenario,
    library: Library | None,
    engine_for: Callable[[Model], RoadRunnerEngine],
) -> ScenarioModel:
    """The scenario's model as SBML with its condition, starting state and doses.

    Parameters
    ----------
    model
        The base model (``mt.model()``).
    scenario
        A validated scenario (its ``drugs:`` block is used as ``mtorlab simulate`` uses it).
    library
        The intervention library (with any ``--library`` files); ``None``: the built-in one.
    engine_for
        The engine for a model (``mt.reference_engine``): the starting state is its steady
        state for the condition, as a run computes it.

    Raises
    ------
    mtorlab.errors.DataFileError
        A problem with the scenario's drugs, routes, doses or their times (as a run says it).
    """
    from mtorlab.pk import CONC_SCALE
    from mtorlab.scenario._nonspecific import EXPECTED
    from mtorlab.scenario._run import _prepare

    plan, chosen, params, n_points, targets = _prepare(model, scenario, None, library)
    engine = engine_for(plan.model)
    y0 = engine.steady_state(params)
    doc = build_document(plan.model)
    sbml = doc.getModel()
    _describe(sbml, scenario)
    _set_condition(sbml, params)
    _set_start(sbml, engine.species_ids, y0)
    _scale_units(sbml, plan.model)
    _events(sbml, plan)
    # madrs_expected is arithmetic on the simulated madrs after the run (the clinical layer),
    # not a quantity of the model: the SBML and SED-ML carry madrs, and the export says so
    kept = [(r, t) for r, t in zip(chosen, targets, strict=True) if r != EXPECTED]
    chosen, targets = [r for r, _ in kept], [t for _, t in kept]
    scales = tuple(CONC_SCALE if r.startswith(CONC_PREFIXES) else 1.0 for r in chosen)
    bolus = tuple(t for t, _ in plan.doses if 0.0 < t < scenario.duration_h)
    return ScenarioModel(
        doc, scenario.name, scenario.duration_h, n_points, tuple(chosen), tuple(targets),
        scales, bolus,
    )  # fmt: skip


def sbml_id(text: str, prefix: str = "s") -> str:
    """An SBML SId made from ``text`` (other characters become ``_``)."""
    out = "".join(c if (c.isascii() and c.isalnum()) or c == "_" else "_" for c in text)
    return out if out[:1].isascii() and (out[:1].isalpha() or out[:1] == "_") else f"{prefix}_{out}"


def _describe(sbml: libsbml.Model, scenario: Scenario) -> None:
    sbml.setId(sbml_id(f"mtorlab_{scenario.name}"))
    sbml.setName(f"mtorlab scenario: {scenario.name}")
    cond = scenario.condition.as_inputs()
    text = (
        f"Scenario {scenario.name!r} ({scenario.species}, {scenario.duration_h:g} h), exported "
        "by mtorlab: the model with the PK of its drugs, its condition "
        f"({', '.join(f'{k}={v}' for k, v in cond.items()) or 'healthy'}), the condition's "
        "steady state as initial state, and its doses as events. Activities are active "
        "fractions (0..1), levels are normalised to the healthy steady state (1); time in "
        "hours; drug amounts in mg per kg body weight, concentrations in mg/L."
    )
    if scenario.interventions:
        given = "; ".join(_intervention_text(iv) for iv in scenario.interventions)
        text += f" Interventions: {given}."
    if scenario.description:
        text += f" {scenario.description}"
    set_notes(sbml, text)
    attrs = {"name": scenario.name, "species": scenario.species,
             "duration_h": repr(scenario.duration_h)}  # fmt: skip
    attr_text = " ".join(f'{k}="{escape(v, quote=True)}"' for k, v in attrs.items())
    items = "".join(
        f'<{PREFIX}:condition id="{escape(k, quote=True)}" value="{escape(str(v), quote=True)}"/>'
        for k, v in cond.items()
    )
    xml = f'<{PREFIX}:scenario xmlns:{PREFIX}="{NAMESPACE}" {attr_text}>{items}</{PREFIX}:scenario>'
    _ok(sbml.appendAnnotation(xml), "scenario annotation")


def _intervention_text(iv: Intervention) -> str:
    when = (
        f"from {iv.schedule.start.value:g} h every {iv.schedule.every.value:g} h, "
        f"{iv.schedule.count} times"
        if iv.schedule is not None
        else f"at {iv.at.value:g} h"  # type: ignore[union-attr]
    )
    over = f" over {iv.over.value:g} h" if iv.over is not None else ""
    return f"{iv.name} {iv.dose.text}{f' {iv.route}' if iv.route else ''} {when}{over}"


def _set_condition(sbml: libsbml.Model, params: Mapping[str, float]) -> None:
    for name, value in params.items():
        par = sbml.getParameter(name)
        if par is None or not par.getConstant():
            raise SbmlBuildError(f"condition input {name} is not a constant parameter")
        if par.getValue() != float(value):
            par.appendNotes(
                '<body xmlns="http://www.w3.org/1999/xhtml"><p>Set by the scenario\'s '
                f"condition to {float(value)!r} (model value {par.getValue()!r}).</p></body>"
            )
        _ok(par.setValue(float(value)), f"value of {name}")


def _set_start(sbml: libsbml.Model, ids: Sequence[str], y0: np.ndarray) -> None:
    for sid, value in zip(ids, y0, strict=True):
        sp = sbml.getSpecies(sid)
        if sp is None:
            raise SbmlBuildError(f"the engine's species {sid} is not in the document")
        _ok(sp.setInitialConcentration(float(value)), f"initial value of {sid}")


def unit_parameter(unit: str) -> str:
    """The id of the parameter worth one ``unit`` (``unit_mg_per_kg``)."""
    return f"unit_{unit}"


def _unit_parameters(sbml: libsbml.Model, units: set[str]) -> None:
    for unit in sorted(units):
        par = sbml.createParameter()
        _ok(par.setId(unit_parameter(unit)), unit)
        par.setMetaId(f"meta_{unit_parameter(unit)}")
        par.setValue(1.0)
        par.setUnits(unit)
        par.setConstant(True)
        par.setSBOTerm("SBO:0000002")
        set_notes(
            par,
            f"One {unit.replace('_per_', '/')}: species in this unit are written as "
            "multiples of it, so that every rate law is in the model's extent per hour.",
        )


def _replace(ast: libsbml.ASTNode, scaled: Mapping[str, str]) -> libsbml.ASTNode:
    for sid, unit in scaled.items():
        factor = libsbml.parseL3Formula(f"{sid} * {unit_parameter(unit)}")
        ast.replaceArgument(sid, factor)
    return ast


def _divided(ast: libsbml.ASTNode, unit: str) -> libsbml.ASTNode:
    node = libsbml.ASTNode(libsbml.AST_DIVIDE)
    node.addChild(ast.deepCopy())
    node.addChild(libsbml.parseL3Formula(unit_parameter(unit)))
    return node


def _scale_units(sbml: libsbml.Model, model: Model) -> None:
    """Species in mg/kg or mg/L become multiples of a unit parameter (see the module)."""
    scaled = {s.id: s.unit for s in model.species.values() if s.unit != "dimensionless"}
    if not scaled:
        return
    _unit_parameters(sbml, set(scaled.values()))
    for sid, unit in scaled.items():
        sp = sbml.getSpecies(sid)
        sp.setSubstanceUnits("dimensionless")
        sp.appendNotes(
            '<body xmlns="http://www.w3.org/1999/xhtml"><p>The value is in '
            f"{unit.replace('_per_', '/')}: the quantity is this species times "
            f"{unit_parameter(unit)}.</p></body>"
        )
    for rule in sbml.getListOfRules():
        _ok(rule.setMath(_replace(rule.getMath().deepCopy(), scaled)), rule.getVariable())
    for rx in sbml.getListOfReactions():
        law = _replace(rx.getKineticLaw().getMath().deepCopy(), scaled)
        reactants, products = parse_equation(model.reactions[rx.getId()].equation)
        units = {scaled.get(name, "dimensionless") for name, _ in reactants + products}
        if len(units) != 1:
            raise SbmlBuildError(f"reaction {rx.getId()} mixes species units {sorted(units)}")
        unit = units.pop()
        if unit != "dimensionless":
            law = _divided(law, unit)
        _ok(rx.getKineticLaw().setMath(law), f"rate law of {rx.getId()}")


def _number(value: float, unit: str) -> libsbml.ASTNode:
    node = libsbml.ASTNode(libsbml.AST_REAL)
    node.setValue(float(value))
    node.setUnits(unit)
    return node


def _formula(formula: str, numbers: Mapping[str, libsbml.ASTNode]) -> libsbml.ASTNode:
    """``formula`` parsed, with placeholder names replaced by the given number nodes."""
    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise SbmlBuildError(f"cannot parse {formula!r}: {libsbml.getLastParseL3Error()}")
    for name, node in numbers.items():
        ast.replaceArgument(name, node)
    return ast


def _assign(event: libsbml.Event, variable: str, math: libsbml.ASTNode) -> None:
    ea = event.createEventAssignment()
    _ok(ea.setVariable(variable), f"event assignment to {variable}")
    _ok(ea.setMath(math), f"event assignment math of {variable}")


def _events(sbml: libsbml.Model, plan: Plan) -> None:
    """One event per dosing time: rate parameters set to the plan's values, bolus amounts
    added to their species; triggered at ``time >= t`` (a dose at 0 h fires at the start)."""
    changes = dict(plan.changes)
    doses = dict(plan.doses)
    labels = _labels(plan)
    for k, t in enumerate(sorted(set(changes) | set(doses))):
        ev = sbml.createEvent()
        _ok(ev.setId(f"dose_event_{k + 1}"), "event id")
        ev.setMetaId(f"meta_dose_event_{k + 1}")
        ev.setName(f"doses at {t:g} h")
        ev.setUseValuesFromTriggerTime(True)
        trigger = ev.createTrigger()
        trigger.setInitialValue(False)  # so that a dose at t = 0 fires at the start
        trigger.setPersistent(True)
        _ok(trigger.setMath(_formula("time >= T", {"T": _number(t, "hour")})), "trigger")
        for name, value in sorted(changes.get(t, {}).items()):
            par = sbml.getParameter(name)
            par.setConstant(False)
            _assign(ev, name, _number(value, par.getUnits()))
        for name, amount in sorted(doses.get(t, {}).items()):
            unit = plan.model.species[name].unit
            added = "A" if unit == "dimensionless" else f"A / {unit_parameter(unit)}"
            _assign(ev, name, _formula(f"{name} + {added}", {"A": _number(amount, unit)}))
        set_notes(ev, f"At {t:g} h: {'; '.join(labels[t])}.")


def _labels(plan: Plan) -> dict[float, list[str]]:
    """What each event does, in words, from the plan."""
    out: dict[float, list[str]] = {}
    for t, upd in plan.changes:
        out.setdefault(t, []).extend(f"{p} set to {v:g}" for p, v in sorted(upd.items()))
    for t, amounts in plan.doses:
        out.setdefault(t, []).extend(
            f"{a:g} {plan.model.species[s].unit.replace('_per_', '/')} added to {s}"
            for s, a in sorted(amounts.items())
        )
    return out
