"""Pharmacokinetic modules: model records generated from an intervention-library entry.

For a drug given to one species by a set of routes, the module adds (as model data, the
same record shapes as ``model/data``): a depot per extravascular route, a central (plasma)
compartment, an optional peripheral compartment, a brain partition compartment and an
infusion input per route. Amounts are in mg per kg body weight; concentrations in mg/L.
An entry without PK (exercise, herbal formulas) gets an effect compartment instead: a
dimensionless level that each dose raises and that decays with the stated half-life.

Each target becomes a term ``emax * C^h / (ec50^h + C^h)`` on a model input; several
drugs on one input combine by independent action, ``1 - prod(1 - term)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mtorlab.errors import MtorlabError
from mtorlab.interventions import Drug, Formulation, Quantity, SpeciesPK, Target

SBO_SPECIES = "SBO:0000247"
SBO_TRANSPORT = "SBO:0000185"
SBO_DEGRADATION = "SBO:0000179"


@dataclass
class Channel:
    """One target's Hill term, as the batch engine's generic PK kernel reads it: the
    concentration ``wb * brain + wp * C_plasma + wm * C_metabolite`` of its drug."""

    input: str
    wb: float
    wp: float
    wm: float
    emax: float
    hill: float
    ec50: str  # parameter id


@dataclass
class Layout:
    """Which of a module's records play which part (ids; ``None`` where absent), so the
    batch engine can run any drug through one compiled kernel (``engines/_pk_plan.py``).

    An effect compartment is a central state with unit volume and no brain exchange."""

    central: str
    v1: str | None = None
    k10: str = ""
    brain: str | None = None
    kp: str | None = None
    kb: str | None = None
    periph: str | None = None
    k12: str | None = None
    k21: str | None = None
    ki: str | None = None
    metab: str | None = None
    fm: str | None = None
    km: str | None = None
    vm: str | None = None
    iv_rate: str | None = None
    cp: str | None = None  # assignment ids
    cm: str | None = None
    depots: list[tuple[str, str, str]] = field(default_factory=list)  # state, ka, rate
    channels: list[Channel] = field(default_factory=list)


@dataclass
class Module:
    """Model records (plain data, validated by the model schema) and input terms."""

    species: list[dict[str, Any]] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)
    readouts: dict[str, str] = field(default_factory=dict)
    dose_states: dict[str, str] = field(default_factory=dict)
    infusion_inputs: dict[str, str] = field(default_factory=dict)
    layout: Layout = field(kw_only=True)  # every module has one (the batch engine reads it)


def rate_from_half_life(q: Quantity) -> float:
    """First-order rate constant (1/h) of a half-life quantity."""
    return math.log(2) / q.to("hour")


def rate_constants(pk: SpeciesPK) -> tuple[float, float, float | None, float | None]:
    """``(v1 L/kg, k10, k12, k21)`` per hour of a drug's central (and optional peripheral)
    compartment; with a peripheral one, k10 gives the stated terminal half-life."""
    v1 = pk.volume.to("L/kg")
    if pk.peripheral_volume is None or pk.distribution_clearance is None:
        return v1, rate_from_half_life(pk.half_life), None, None
    cl_d = pk.distribution_clearance.to("L/h/kg")
    k12, k21 = cl_d / v1, cl_d / pk.peripheral_volume.to("L/kg")
    return v1, k10_for_terminal(pk.half_life.to("hour"), k12, k21), k12, k21


def k10_for_terminal(t_half_h: float, k12: float, k21: float) -> float:
    """Central elimination rate giving a two-compartment terminal half-life ``t_half_h``.

    The terminal rate λz is the smaller root of the characteristic polynomial
    λ² − (k10+k12+k21)λ + k10·k21 = 0; solving it for k10 at a wanted λz gives
    k10 = λz (k12 + k21 − λz) / (k21 − λz).
    """
    lz = math.log(2) / t_half_h
    if lz >= k21:
        raise ValueError("terminal half-life too short for the distribution rates given")
    return lz * (k12 + k21 - lz) / (k21 - lz)


def _provenance(q: Quantity, what: str) -> dict[str, Any]:
    p = q.provenance.model_dump()
    note = f"{what}; library value {q.value:g} {q.unit}"
    if p["kind"] == "assumed":
        p["reason"] = f"{p['reason']} ({note})"
    else:
        p["note"] = f"{p['note']}; {note}" if p.get("note") else note
    return p


def _param(pid: str, value: float, unit: str, q: Quantity, what: str, role: str = "") -> dict:
    """A model parameter derived from a library quantity; its range is scaled alike."""
    scale = value / q.value if q.value else 1.0
    lo, hi = sorted((q.range[0] * scale, q.range[1] * scale))
    return {
        "id": pid,
        "value": value,
        "unit": unit,
        "range": [min(lo, value), max(hi, value)],
        "role": role or ("rate" if unit == "per_hour" else "constant"),
        "description": what,
        "provenance": _provenance(q, what),
    }


def _input(pid: str, unit: str, what: str) -> dict:
    return {
        "id": pid,
        "value": 0.0,
        "unit": unit,
        "range": [0.0, 1e6],
        "role": "input",
        "description": what,
        "provenance": {"kind": "assumed", "reason": "set by the dosing schedule while it runs"},
    }


def _species(sid: str, name: str, context: str, unit: str, entity: str | None) -> dict:
    return {
        "id": sid,
        "name": name,
        "context": context,
        "compartment": "pk_brain" if context == "neuron" else "pk_body",
        "kind": "level",
        "initial": 0.0,
        "unit": unit,
        "entity": entity,
        "sbo": SBO_SPECIES,
        "description": name,
    }


def _reaction(rid: str, equation: str, rate: str, drug: Drug, reversible: bool = False) -> dict:
    mechanisms = sorted({m for t in drug.targets for m in t.mechanisms})
    return {
        "id": rid,
        "name": rid.replace("_", " "),
        "equation": equation,
        "rate": rate,
        "reversible": reversible,
        "mechanisms": mechanisms,
        "sbo": SBO_TRANSPORT if "->" in equation.strip()[2:] else SBO_DEGRADATION,
        "note": f"pharmacokinetics of {drug.id} (intervention library)",
    }


def _assignment(aid: str, formula: str, unit: str, what: str, drug: Drug) -> dict:
    return {
        "id": aid,
        "name": what,
        "context": "periphery",
        "formula": formula,
        "unit": unit,
        "entity": drug.kb_entity,
        "sbo": "SBO:0000196",
        "description": what,
    }


def ec50_mg_per_l(t: Target, molar_mass: Quantity | None) -> float:
    """A target's potency as a mass concentration (mg/L), converting molar units."""
    from mtorlab.units import registry

    ureg = registry()

    q = ureg.Quantity(t.ec50.value, t.ec50.unit)
    if q.check("[substance]/[length]**3"):
        if molar_mass is None:
            raise MtorlabError(
                f"target {t.input}: a molar EC50 ({t.ec50.unit}) needs the "
                "drug's molar_mass (g/mol)"
            )
        q = q * ureg.Quantity(molar_mass.value, molar_mass.unit)
    return float(q.to("mg/L").magnitude)


def _hill_terms(
    mod: Module, drug: Drug, concs: dict[str, str], weights: dict[str, tuple[float, float, float]]
) -> None:
    for t in drug.targets:
        p = f"pk_{drug.id}_{t.input}_ec50"
        if t.site == "effect":
            value, unit = t.ec50.value, "dimensionless"
        else:
            try:
                value, unit = ec50_mg_per_l(t, drug.molar_mass), "mg_per_L"
            except MtorlabError as exc:
                raise MtorlabError(f"drug {drug.id!r}: {exc}") from None
        mod.parameters.append(_param(p, value, unit, t.ec50, f"{drug.id} potency on {t.input}"))
        # a species without the metabolite (rodents here) reads the parent alone
        key = f"{t.site}+metabolite" if t.with_metabolite else t.site
        c, h = concs.get(key, concs[t.site]), f"{t.hill:g}"
        wb, wp, wm = weights.get(key, weights[t.site])
        mod.layout.channels.append(Channel(t.input, wb, wp, wm, float(f"{t.emax:g}"), float(h), p))
        # abs(): the integrator can undershoot a concentration just below zero, where a
        # non-integer Hill power is undefined; for c >= 0 it changes nothing
        a = f"abs({c})"
        mod.terms.setdefault(t.input, []).append(f"{t.emax:g} * {a}^{h} / ({p}^{h} + {a}^{h})")


def _effect_module(drug: Drug) -> Module:
    ec = drug.effect_compartment
    assert ec is not None
    e = f"eff_{drug.id}"
    mod = Module(layout=Layout(central=e, k10=f"{e}_k", iv_rate=f"{e}_rate"))
    mod.species.append(
        _species(e, f"{drug.id} effect level", "neuron", "dimensionless", drug.kb_entity)
    )
    k = rate_from_half_life(ec.half_life)
    mod.parameters += [
        _param(f"{e}_k", k, "per_hour", ec.half_life, "effect-level decay rate"),
        _input(f"{e}_rate", "per_hour", f"{drug.id} session input (level per hour)"),
    ]
    mod.reactions += [
        _reaction(f"{e}_input", f"-> {e}", f"{e}_rate", drug),
        _reaction(f"{e}_decay", f"{e} ->", f"{e}_k * {e}", drug),
    ]
    _hill_terms(mod, drug, {"effect": e}, {"effect": (0.0, 1.0, 0.0)})
    mod.readouts[f"effect:{drug.id}"] = e
    mod.dose_states["*"] = e
    mod.infusion_inputs["*"] = f"{e}_rate"
    return mod


def _metabolite(mod: Module, drug: Drug, met: Any, clearance: str) -> None:
    """Part of the parent's clearance forms the metabolite, which is eliminated in turn."""
    d = f"pk_{drug.id}"
    km = rate_from_half_life(met.half_life)
    vm = met.volume.to("L/kg")
    mod.species.append(
        _species(
            f"{d}_metab",
            f"{met.id} in plasma (amount per kg)",
            "periphery",
            "mg_per_kg",
            drug.kb_entity,
        )
    )
    mod.parameters += [
        _param(
            f"{d}_fm",
            met.fraction_formed.value,
            "dimensionless",
            met.fraction_formed,
            f"fraction of {drug.id} cleared to {met.id}",
        ),
        _param(f"{d}_km", km, "per_hour", met.half_life, f"{met.id} elimination rate"),
        _param(f"{d}_vm", vm, "L_per_kg", met.volume, f"{met.id} volume"),
    ]
    mod.assignments.append(
        _assignment(
            f"{d}_cm", f"{d}_metab / {d}_vm", "mg_per_L", f"{met.id} plasma concentration", drug
        )
    )
    mod.reactions += [
        _reaction(f"{d}_formation", f"{d}_central -> {d}_metab", f"{d}_fm * {clearance}", drug),
        _reaction(f"{d}_elimination", f"{d}_central ->", f"(1 - {d}_fm) * {clearance}", drug),
        _reaction(f"{d}_metab_elimination", f"{d}_metab ->", f"{d}_km * {d}_metab", drug),
    ]
    mod.readouts[f"conc_plasma:{met.id}"] = f"{d}_cm"
    lay = mod.layout
    lay.metab, lay.fm, lay.km, lay.vm, lay.cm = (f"{d}_metab", f"{d}_fm", f"{d}_km",
                                                 f"{d}_vm", f"{d}_cm")  # fmt: skip


def _drug_routes(mod: Module, drug: Drug, species: str, routes: set[str]) -> None:
    pk = drug.pk[species]
    d = f"pk_{drug.id}"
    for route in sorted(routes):
        if route == "icv":
            mod.dose_states[route] = f"{d}_brain"
            continue
        rate = f"{d}_rate_{route}"
        mod.parameters.append(_input(rate, "mg_per_kg_per_hour", f"{drug.id} {route} infusion"))
        mod.infusion_inputs[route] = rate
        if route == "iv":
            mod.reactions.append(_reaction(f"{d}_infusion_iv", f"-> {d}_central", rate, drug))
            mod.dose_states[route] = f"{d}_central"
            mod.layout.iv_rate = rate
            continue
        depot = f"{d}_depot_{route}"
        ka_q = pk.absorption_half_life[route]
        ka = rate_from_half_life(ka_q)
        mod.species.append(
            _species(depot, f"{drug.id} {route} depot", "periphery", "mg_per_kg", drug.kb_entity)
        )
        mod.parameters.append(
            _param(f"{d}_ka_{route}", ka, "per_hour", ka_q, f"{route} absorption rate")
        )
        mod.reactions += [
            _reaction(f"{d}_infusion_{route}", f"-> {depot}", rate, drug),
            _reaction(
                f"{d}_absorption_{route}",
                f"{depot} -> {d}_central",
                f"{d}_ka_{route} * {depot}",
                drug,
            ),
        ]
        mod.dose_states[route] = depot
        mod.layout.depots.append((depot, f"{d}_ka_{route}", rate))


def drug_module(
    drug: Drug, species: str, routes: set[str], formulation: Formulation | None
) -> Module:
    """The PK (or effect-compartment) module of one drug in one species."""
    if drug.effect_compartment is not None:
        return _effect_module(drug)
    pk = drug.pk[species]
    d = f"pk_{drug.id}"
    lay = Layout(
        central=f"{d}_central",
        v1=f"{d}_v1",
        k10=f"{d}_k10",
        brain=f"{d}_brain",
        kp=f"{d}_kp",
        kb=f"{d}_kb",
        cp=f"{d}_cp",
    )
    mod = Module(layout=lay)
    ent = drug.kb_entity
    mod.species += [
        _species(
            f"{d}_central", f"{drug.id} in plasma (amount per kg)", "periphery", "mg_per_kg", ent
        ),
        _species(f"{d}_brain", f"{drug.id} in brain (concentration)", "neuron", "mg_per_L", ent),
    ]
    v1, k10, k12, k21 = rate_constants(pk)
    mod.parameters.append(_param(f"{d}_v1", v1, "L_per_kg", pk.volume, "central volume"))
    if k12 is not None and k21 is not None:
        assert pk.peripheral_volume is not None and pk.distribution_clearance is not None
        mod.species.append(
            _species(f"{d}_periph", f"{drug.id} peripheral", "periphery", "mg_per_kg", ent)
        )
        mod.parameters += [
            _param(
                f"{d}_k12", k12, "per_hour", pk.distribution_clearance, "distribution rate Q/V1"
            ),
            _param(f"{d}_k21", k21, "per_hour", pk.peripheral_volume, "redistribution rate Q/V2"),
        ]
        lay.periph, lay.k12, lay.k21 = f"{d}_periph", f"{d}_k12", f"{d}_k21"
        flux = f"{d}_k12 * {d}_central - {d}_k21 * {d}_periph"
        mod.reactions.append(
            _reaction(f"{d}_distribution", f"{d}_central -> {d}_periph", flux, drug, True)
        )
    mod.parameters.append(_param(f"{d}_k10", k10, "per_hour", pk.half_life, "elimination rate"))
    clearance = f"{d}_k10 * {d}_central"
    if pk.autoinhibition is not None:
        ki = pk.autoinhibition.to("mg/L")
        mod.parameters.append(
            _param(
                f"{d}_ki",
                ki,
                "mg_per_L",
                pk.autoinhibition,
                "concentration halving clearance (auto-inhibition)",
            )
        )
        lay.ki = f"{d}_ki"
        inhibitor = f"{d}_cp" + (f" + {d}_cm" if pk.metabolite is not None else "")
        clearance = f"{clearance} / (1 + ({inhibitor}) / {d}_ki)"
    if pk.metabolite is not None:
        _metabolite(mod, drug, pk.metabolite, clearance)
    else:
        mod.reactions.append(_reaction(f"{d}_elimination", f"{d}_central ->", clearance, drug))
    factor = formulation.brain_partition_factor.value if formulation else 1.0
    label = f"brain/plasma partition{f' x {formulation.id}' if formulation else ''}"
    kb_q = pk.brain_equilibration_half_life
    mod.parameters += [
        _param(
            f"{d}_kp", pk.brain_partition.value * factor, "dimensionless", pk.brain_partition, label
        ),
        _param(f"{d}_kb", rate_from_half_life(kb_q), "per_hour", kb_q, "brain equilibration rate"),
    ]
    mod.assignments.append(
        _assignment(
            f"{d}_cp", f"{d}_central / {d}_v1", "mg_per_L", f"{drug.id} plasma concentration", drug
        )
    )
    exchange = f"{d}_kb * ({d}_kp * {d}_cp - {d}_brain)"
    mod.reactions.append(_reaction(f"{d}_brain_exchange", f"-> {d}_brain", exchange, drug, True))
    _drug_routes(mod, drug, species, routes)
    periph = formulation.peripheral_effect_factor.value if formulation else 1.0
    plasma = f"{d}_cp" if periph == 1.0 else f"({periph:g} * {d}_cp)"
    concs = {"brain": f"{d}_brain", "plasma": plasma}
    pf = float(f"{periph:g}")  # as the formula prints it
    weights = {"brain": (1.0, 0.0, 0.0), "plasma": (0.0, pf, 0.0)}
    if pk.metabolite is not None:
        concs["plasma+metabolite"] = f"({plasma} + {d}_cm)"
        weights["plasma+metabolite"] = (0.0, pf, 1.0)
    _hill_terms(mod, drug, concs, weights)
    mod.readouts[f"conc_plasma:{drug.id}"] = f"{d}_cp"
    mod.readouts[f"conc_brain:{drug.id}"] = f"{d}_brain"
    return mod
