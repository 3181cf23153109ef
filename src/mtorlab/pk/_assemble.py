"""Assemble a scenario's model: the base model plus a PK module per drug, and its doses.

Each model input a drug targets (``nmdar_block``, ``rapa_glia``…) stops being a constant
and becomes an assignment rule: the drugs' Hill terms combined by independent action.
Boluses become amounts added to states; infusions and sessions become input rates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mtorlab._bilingual import SPECIES_ZH, Bilingual, where_zh
from mtorlab._cache import BoundedCache
from mtorlab.errors import MtorlabError, UnknownIdError
from mtorlab.interventions import Drug, Formulation, Library
from mtorlab.pk._dosing import Administration, Event, check_route, dose_warning, events_for
from mtorlab.pk._modules import Module, drug_module

if TYPE_CHECKING:
    from mtorlab.ode import Model
    from mtorlab.scenario import Intervention, Scenario

PK_COMPARTMENTS = [
    {"id": "pk_body", "name": "body (pharmacokinetics)", "context": "periphery"},
    {"id": "pk_brain", "name": "brain (pharmacokinetics)", "context": "neuron"},
]
#: PK readouts are reported in ng/mL (the model computes mg/L).
CONC_SCALE = 1000.0


@dataclass(frozen=True)
class Composition:
    """A scenario model's core (the model the drugs were added to) and its PK layouts;
    ``key`` is the composed model's structure, so a later edit falls back safely."""

    core: Model
    layouts: tuple[Any, ...]
    key: str


@dataclass(frozen=True)
class Plan:
    """What a scenario runs: its model, parameter changes over time and bolus doses."""

    model: Model
    changes: tuple[tuple[float, dict[str, float]], ...]
    doses: tuple[tuple[float, dict[str, float]], ...]
    pk_readouts: dict[str, str]
    warnings: tuple[str, ...] = ()


def _times(iv: Intervention, where: str, duration_h: float) -> tuple[float, ...]:
    times = iv.dose_times()
    late = [t for t in times if t >= duration_h]
    if late:
        fld = "schedule" if iv.schedule is not None else "at"
        raise MtorlabError(
            f"{where}.{fld}: a dose at {late[0]:g} h falls outside the scenario's duration "
            f"({duration_h:g} h); shorten the schedule or lengthen `duration`"
        )
    return tuple(times)


def _entry(iv: Intervention, where: str, library: Library) -> Drug:
    key = "drug" if iv.drug is not None else "intervention"
    try:
        drug = library.get(iv.name)
    except UnknownIdError as exc:
        raise MtorlabError(f"{where}.{key}: {exc}") from None
    if (drug.kind == "intervention") != (key == "intervention"):
        right = "intervention" if drug.kind == "intervention" else "drug"
        raise MtorlabError(
            f"{where}.{key}: {drug.id!r} is {'an' if drug.kind == 'intervention' else 'a'} "
            f"{drug.kind}; write `{right}: {drug.id}`"
        )
    return drug


def _formulation(drug: Drug, name: str | None, where: str) -> Formulation | None:
    if name is None:
        return None
    for f in drug.formulations:
        if f.id == name:
            return f
    known = [f.id for f in drug.formulations] or ["(none)"]
    raise MtorlabError(
        f"{where}.formulation: {name!r} is not a formulation of {drug.id}; "
        f"known: {', '.join(known)}"
    )


def _carried_over(drug: Drug, name: str | None, species: str, where: str) -> str | None:
    """A warning when a formulation's factors come from other species than the scenario's."""
    form = _formulation(drug, name, where)
    if form is None or not form.measured_in or species in form.measured_in:
        return None
    measured_zh = "和".join(SPECIES_ZH.get(m, m) for m in form.measured_in)
    return Bilingual(
        f"{where}: {drug.id} as {form.id} in a {species}: its brain and peripheral factors "
        f"were measured in {' and '.join(form.measured_in)} only and are carried over here, "
        "so read this run with care",
        f"{where_zh(where)}：{drug.name_zh}（{form.id}）用于"
        f"{SPECIES_ZH.get(species, species)}：其脑内与外周系数仅在{measured_zh}中测得，"
        "此处直接沿用，请谨慎解读此次运行",
    )


def _modules(scenario: Scenario, library: Library) -> tuple[dict[str, Module], dict[str, Drug]]:
    routes: dict[str, set[str]] = {}
    forms: dict[str, Formulation | None] = {}
    drugs: dict[str, Drug] = {}
    for i, iv in enumerate(scenario.interventions):
        where = f"interventions #{i + 1}"
        drug = _entry(iv, where, library)
        form = _formulation(drug, iv.formulation, where)
        if drug.id in forms and forms[drug.id] != form:
            raise MtorlabError(
                f"{where}.formulation: one scenario gives {drug.id} in one formulation only"
            )
        if drug.pk:
            check_route(drug, scenario.species, iv.route, where)
        drugs[drug.id], forms[drug.id] = drug, form
        routes.setdefault(drug.id, set()).update({iv.route} if iv.route else set())
    mods = {d: drug_module(drugs[d], scenario.species, routes[d], forms[d]) for d in drugs}
    return mods, drugs


def _rules(model: Model, modules: Iterable[tuple[Drug, Module]]) -> list[dict[str, Any]]:
    terms: dict[str, list[str]] = {}
    mechanisms: dict[str, set[str]] = {}
    for drug, mod in modules:
        for name, ts in mod.terms.items():
            if name not in model.parameters or model.parameters[name].role != "input":
                known = [p for p in model.input_ids if model.parameters[p].role == "input"]
                raise UnknownIdError(f"model input (target of {drug.id})", name, known)
            terms.setdefault(name, []).extend(ts)
            mechanisms.setdefault(name, set()).update(
                m for t in drug.targets if t.input == name for m in t.mechanisms
            )
    rules = []
    for name, ts in terms.items():
        formula = ts[0] if len(ts) == 1 else "1 - " + " * ".join(f"(1 - {t})" for t in ts)
        rules.append(
            {
                "id": name,
                "name": f"{name} from drug exposure",
                "context": "neuron",
                "formula": formula,
                "mechanisms": sorted(mechanisms[name]),
                "sbo": "SBO:0000196",
                "description": f"{model.parameters[name].description}, from the drugs given",
            }
        )
    return rules


def _schedule(
    events: list[Event],
) -> tuple[tuple[tuple[float, dict[str, float]], ...], tuple[tuple[float, dict[str, float]], ...]]:
    doses: dict[float, dict[str, float]] = {}
    rate_deltas: dict[float, dict[str, float]] = {}
    for e in events:
        slot = (doses if e.kind == "add" else rate_deltas).setdefault(e.time_h, {})
        slot[e.target] = slot.get(e.target, 0.0) + e.value
    running: dict[str, float] = {}
    changes = []
    for t in sorted(rate_deltas):
        for name, delta in rate_deltas[t].items():
            running[name] = max(0.0, running.get(name, 0.0) + delta)
        changes.append((t, dict(running)))
    return tuple(changes), tuple(sorted(doses.items()))


#: Extended models by (base model, species, drugs with routes and formulation); the
#: value keeps the base model alive so its id cannot be reused while the entry exists.
#: Bounded: a server sees a new key for every user drug with a slightly different number.
_MODELS: BoundedCache[tuple[Any, ...], tuple[Model, Model]] = BoundedCache(32)


def _extended(model: Model, modules: dict[str, Module], drugs: dict[str, Drug]) -> Model:
    rules = _rules(model, ((drugs[d], m) for d, m in modules.items()))
    replaced = {r["id"] for r in rules}
    base = dataclasses.replace(
        model,
        parameters={k: v for k, v in model.parameters.items() if k not in replaced},
        origin={k: v for k, v in model.origin.items() if k not in replaced},
    )
    records: dict[str, list[dict[str, Any]]] = {
        "compartments": PK_COMPARTMENTS,
        "species": [s for m in modules.values() for s in m.species],
        "parameters": [p for m in modules.values() for p in m.parameters],
        "reactions": [r for m in modules.values() for r in m.reactions],
        "assignments": [a for m in modules.values() for a in m.assignments] + rules,
    }
    extended = base.extend(records, source=f"PK modules of {', '.join(sorted(drugs))}")
    from mtorlab.engines._codegen import structure_key

    layouts = tuple(m.layout for m in modules.values())
    composition = Composition(model, layouts, structure_key(extended))
    return dataclasses.replace(extended, composition=composition)


def plan(model: Model, scenario: Scenario, library: Library) -> Plan:
    """The model and dosing of ``scenario`` (the base model alone when it has no interventions
    and no extensions; a scenario's ``extensions:`` are merged into a copy first).

    The extended model depends only on the species and on which drugs are given by which
    routes in which formulation, so it is built once per such combination and reused.
    """
    if scenario.extensions:  # the scenario's model extensions, merged into a copy
        from mtorlab.scenario._extension import extended_model

        model = extended_model(model, scenario.extensions)
    if not scenario.interventions:
        return Plan(model, (), (), {})
    modules, drugs = _modules(scenario, library)
    key = (
        id(model),
        scenario.species,
        tuple(
            sorted(
                (d.model_dump_json(), tuple(sorted(modules[i].dose_states)))
                for i, d in drugs.items()
            )
        ),
        tuple(sorted((iv.name, iv.formulation or "") for iv in scenario.interventions)),
    )
    extended = _MODELS.get_or_build(key, lambda: (model, _extended(model, modules, drugs)))[1]
    events: list[Event] = []
    warnings: list[str] = []
    for i, iv in enumerate(scenario.interventions):
        where = f"interventions #{i + 1}"
        times = _times(iv, where, scenario.duration_h)
        adm = Administration(
            entry=iv.name,
            dose=iv.dose.text,
            route=iv.route,
            times_h=times,
            over_h=iv.over.value if iv.over is not None else None,
            formulation=iv.formulation,
            where=where,
        )
        events += events_for(adm, drugs[iv.name], scenario.species, modules[iv.name])
        drug = drugs[iv.name]
        for warning in (dose_warning(adm, drug, scenario.species),
                        _carried_over(drug, iv.formulation, scenario.species, where)):  # fmt: skip
            if warning is not None:
                warnings.append(warning)
    changes, doses = _schedule(events)
    pk_readouts = {k: v for m in modules.values() for k, v in m.readouts.items()}
    return Plan(extended, changes, doses, pk_readouts, tuple(warnings))
