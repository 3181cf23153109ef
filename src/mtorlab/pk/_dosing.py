"""Turn a scenario's administrations into dosing events on model states and inputs.

A bolus adds an amount to a state at one time (a depot for extravascular routes, the
central compartment for iv, the brain for icv, the effect level for interventions); an
infusion or a session raises an input rate for its duration. Doses in mg/kg or mg (with
the species' body weight) become mg/kg; intervention doses become multiples of the
library's reference dose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mtorlab._bilingual import SPECIES_ZH, Bilingual, where_zh
from mtorlab.errors import MtorlabError
from mtorlab.interventions import Drug, SpeciesPK
from mtorlab.pk._modules import Module, rate_constants
from mtorlab.pk._physiology import PHYSIOLOGY
from mtorlab.units import parse_quantity_text, registry


@dataclass(frozen=True)
class Administration:
    """One interventions entry of a scenario, with times in hours."""

    entry: str
    dose: str
    route: str | None
    times_h: tuple[float, ...]
    over_h: float | None
    formulation: str | None = None
    where: str = "interventions"


@dataclass(frozen=True)
class Event:
    """At ``time_h``: add ``value`` to state ``target`` (``add``) or to input rate (``rate``)."""

    time_h: float
    kind: str
    target: str
    value: float


def _quantity(text: str, where: str) -> Any:
    try:
        q: Any = parse_quantity_text(text)
    except Exception:
        raise MtorlabError(f"{where}.dose: {text!r} is not a quantity with a unit") from None
    if not isinstance(q, registry().Quantity) or q.units == registry().dimensionless:
        raise MtorlabError(f"{where}.dose: {text!r} has no unit (e.g. '0.5 mg/kg', '20 mg')")
    if q.magnitude <= 0:
        raise MtorlabError(f"{where}.dose: {text!r} must be positive")
    return q


#: Doses above this (mg per kg body weight) are refused as implausible: far beyond any
#: dose of the review's drugs (ketamine anaesthesia in rodents is ~100 mg/kg).
MAX_MG_PER_KG = 1000.0
#: An intervention dose above this multiple of its reference dose is refused.
MAX_REFERENCE_MULTIPLE = 100.0


def _plausible(value: float, adm: Administration, what: str, limit: float) -> float:
    if value > limit:
        raise MtorlabError(
            f"{adm.where}.dose: {adm.dose!r} is implausible ({value:.4g} {what}, above {limit:g}); "
            "check the number and its unit"
        )
    return value


def drug_amount_mg_per_kg(adm: Administration, species: str) -> float:
    """A drug dose in mg per kg body weight (from mg/kg-like or mg-like units)."""
    q = _quantity(adm.dose, adm.where)
    weight = PHYSIOLOGY[species].body_weight_kg
    if q.check("[mass]/[mass]"):
        return _plausible(float(q.to("mg/kg").magnitude), adm, "mg/kg", MAX_MG_PER_KG)
    if q.check("[mass]"):
        mg_per_kg = float(q.to("mg").magnitude) / weight
        return _plausible(mg_per_kg, adm, f"mg/kg for a {weight:g} kg {species}", MAX_MG_PER_KG)
    raise MtorlabError(
        f"{adm.where}.dose: {adm.dose!r} is neither a mass per body weight (mg/kg) nor a mass (mg)"
    )


def _effect_increment(adm: Administration, drug: Drug) -> tuple[float, float | None]:
    """(level increment, session length in h) of an effect-compartment dose."""
    ec = drug.effect_compartment
    assert ec is not None
    q = _quantity(adm.dose, adm.where)
    ref = registry().Quantity(ec.reference_dose.value, ec.reference_dose.unit)
    if q.dimensionality != ref.dimensionality:
        raise MtorlabError(
            f"{adm.where}.dose: {adm.dose!r} for {drug.id} must be in units like {ec.dose_unit!r}"
        )
    increment = float((q / ref).to("dimensionless").magnitude)
    _plausible(increment, adm, "times the reference dose", MAX_REFERENCE_MULTIPLE)
    session = adm.over_h
    if session is None and q.check("[time]"):
        session = float(q.to("hour").magnitude)  # exercise or DBS: the dose is the session
    return increment, session


def check_route(drug: Drug, species: str, route: str | None, where: str) -> SpeciesPK:
    """The drug's PK in ``species``, once ``route`` is known to be usable there."""
    if route is None or route not in drug.routes:
        allowed = ", ".join(drug.routes)
        raise MtorlabError(
            f"{where}.route: {route!r} is not a route of {drug.id}; allowed: {allowed}"
        )
    pk = drug.pk.get(species)
    if pk is None:
        raise MtorlabError(
            f"{where}: {drug.id} has no PK for {species}; it has {', '.join(drug.pk)}"
        )
    if route not in ("iv", "icv") and route not in pk.absorption_half_life:
        raise MtorlabError(f"{where}.route: {drug.id} has no {route} absorption data for {species}")
    return pk


#: An iv dose given over at most this time (h) is judged as a bolus, by its dose against the
#: label's induction dose; a longer infusion by its predicted peak plasma level. Assumed:
#: the label's induction is given over 60 s, and the model's one-compartment human ketamine
#: has no fast distribution phase, so for infusions of a few minutes it would under-read
#: the peak; 10 min keeps those with the dose rule.
BOLUS_H = 10.0 / 60.0


def infusion_peak_ng_per_ml(pk: SpeciesPK, dose_mg_per_kg: float, over_h: float) -> float:
    """Peak plasma concentration (ng/mL) of one iv infusion from zero, by the drug's linear
    PK (central, optional peripheral): the central amount rises for as long as the infusion
    runs, so the peak is at its end, x(T) = A^-1 (e^(AT) - I) b."""
    from scipy.linalg import expm

    v1, k10, k12, k21 = rate_constants(pk)
    rate = dose_mg_per_kg / over_h
    if k12 is not None and k21 is not None:
        a = np.array([[-(k10 + k12), k21], [k12, -k21]])
        b = np.array([rate, 0.0])
        amount = float(np.linalg.solve(a, (expm(a * over_h) - np.eye(2)) @ b)[0])
    else:
        amount = rate / k10 * (1.0 - math.exp(-k10 * over_h))
    return amount / v1 * 1000.0  # mg/L -> ng/mL


def dose_warning(adm: Administration, drug: Drug, species: str) -> str | None:
    """A warning when a dose reaches the drug's anaesthetic range for that species and route.

    A bolus (or an iv dose over at most ``BOLUS_H``) is compared with the anaesthetic dose of
    its route; an iv infusion, where the drug states an anaesthetic plasma level, with that
    level, through the infusion's predicted peak (a dose given slowly never reaches it)."""
    pk = drug.pk.get(species)
    if pk is None or adm.route is None:
        return None
    amount = drug_amount_mg_per_kg(adm, species)
    head = f"{adm.where}: {drug.id} {adm.dose} {adm.route}"
    tail = "the model describes subanaesthetic, antidepressant doses, so read this run with care"
    head_zh = f"{where_zh(adm.where)}：{drug.name_zh} {adm.dose} {adm.route}"
    tail_zh = "本模型描述的是亚麻醉的抗抑郁剂量，请谨慎解读此次运行"
    who_zh = SPECIES_ZH.get(species, species)
    infusion = adm.route == "iv" and adm.over_h is not None and adm.over_h > BOLUS_H
    if infusion and pk.anaesthetic_concentration is not None:
        assert adm.over_h is not None
        level = pk.anaesthetic_concentration.to("ng/mL")
        peak = infusion_peak_ng_per_ml(pk, amount, adm.over_h)
        if peak < level:
            return None
        minutes = f"{adm.over_h * 60:g}"
        return Bilingual(
            f"{head} over {minutes} min in a {species} peaks at about {peak:.0f} ng/mL "
            f"in plasma, in the anaesthetic range (from {level:g} ng/mL); {tail}",
            f"{head_zh}（{who_zh}，输注 {minutes} 分钟）的血浆峰浓度约 {peak:.0f} ng/mL，"
            f"已达麻醉范围（{level:g} ng/mL 起）；{tail_zh}",
        )
    if adm.route not in pk.anaesthetic_dose:
        return None
    limit = pk.anaesthetic_dose[adm.route].to("mg/kg")
    if amount < limit:
        return None
    return Bilingual(
        f"{head} in a {species} is in the anaesthetic range (from {limit:g} mg/kg); {tail}",
        f"{head_zh}（{who_zh}）已达麻醉剂量范围（{limit:g} mg/kg 起）；{tail_zh}",
    )


def events_for(adm: Administration, drug: Drug, species: str, mod: Module) -> list[Event]:
    """Dosing events of one administration (validated against the drug's routes)."""
    if drug.effect_compartment is not None:
        increment, session = _effect_increment(adm, drug)
        state, rate = mod.dose_states["*"], mod.infusion_inputs["*"]
        return _spread(adm.times_h, increment, session, state, rate)
    route = adm.route
    pk = check_route(drug, species, route, adm.where)
    assert route is not None
    amount = drug_amount_mg_per_kg(adm, species)
    if route == "icv":
        phys = PHYSIOLOGY[species]
        amount = amount * phys.body_weight_kg / phys.brain_volume_l  # mg/L in the brain
    elif route != "iv":
        f = pk.bioavailability.get(route)
        amount *= f.value if f is not None else 1.0
    return _spread(
        adm.times_h, amount, adm.over_h, mod.dose_states[route], mod.infusion_inputs.get(route)
    )


def _spread(
    times: tuple[float, ...], amount: float, over: float | None, state: str, rate: str | None
) -> list[Event]:
    if over is None or over <= 0:
        return [Event(t, "add", state, amount) for t in times]
    if rate is None:
        raise MtorlabError("this route cannot be given as an infusion (`over`)")
    r = amount / over
    return [
        e for t in times for e in (Event(t, "rate", rate, r), Event(t + over, "rate", rate, -r))
    ]
