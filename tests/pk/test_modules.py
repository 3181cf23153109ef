"""PK modules and dosing events built from the intervention library (no simulation)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mtorlab.errors import MtorlabError
from mtorlab.interventions import load_library
from mtorlab.pk._dosing import Administration, drug_amount_mg_per_kg, events_for
from mtorlab.pk._modules import drug_module, k10_for_terminal

LIB = load_library()


def test_k10_gives_the_wanted_terminal_half_life() -> None:
    k12, k21 = 0.75, 0.185
    k10 = k10_for_terminal(9.5, k12, k21)
    a = np.array([[-(k10 + k12), k21], [k12, -k21]])
    slowest = min(abs(np.linalg.eigvals(a)))
    assert math.log(2) / slowest == pytest.approx(9.5, rel=1e-9)


def test_esketamine_module_has_two_compartments_and_brain() -> None:
    mod = drug_module(LIB.get("esketamine"), "human", {"intranasal"}, None)
    ids = {s["id"] for s in mod.species}
    assert ids == {
        "pk_esketamine_central",
        "pk_esketamine_periph",
        "pk_esketamine_brain",
        "pk_esketamine_depot_intranasal",
    }
    assert set(mod.terms) == {"nmdar_block", "mtorc2_block", "nmdar_block_pyramidal"}
    assert mod.readouts["conc_plasma:esketamine"] == "pk_esketamine_cp"


def test_molar_potency_is_converted_with_the_molar_mass() -> None:
    mod = drug_module(LIB.get("ketamine"), "rat", {"ip"}, None)
    ec50 = next(p for p in mod.parameters if p["id"] == "pk_ketamine_nmdar_block_ec50")
    assert ec50["value"] == pytest.approx(0.53e-6 * 237.73 * 1e3)  # 0.53 uM in mg/L
    assert ec50["unit"] == "mg_per_L"


def test_peg_liposome_triples_brain_partition() -> None:
    rapa = LIB.get("rapamycin")
    plain = drug_module(rapa, "mouse", {"ip"}, None)
    peg = drug_module(rapa, "mouse", {"ip"}, rapa.formulations[0])

    def kp(mod: object) -> float:
        return next(p["value"] for p in mod.parameters if p["id"] == "pk_rapamycin_kp")  # type: ignore[attr-defined]

    assert kp(peg) == pytest.approx(3 * kp(plain))
    assert "0.6 * pk_rapamycin_cp" in peg.terms["rapa_periphery"][0]


def adm(**kw: object) -> Administration:
    base: dict = {
        "entry": "fluoxetine",
        "dose": "20 mg",
        "route": "po",
        "times_h": (0.0,),
        "over_h": None,
    }
    return Administration(**{**base, **kw})


def test_doses_convert_to_mg_per_kg() -> None:
    assert drug_amount_mg_per_kg(adm(), "human") == pytest.approx(20 / 70)
    assert drug_amount_mg_per_kg(adm(dose="10 mg/kg"), "rat") == 10
    assert drug_amount_mg_per_kg(adm(dose="250 ug/kg"), "mouse") == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"dose": "20"}, "has no unit"),
        ({"dose": "-5 mg"}, "must be positive"),
        ({"dose": "20 mL"}, "neither a mass per body weight"),
        ({"dose": "twenty"}, "not a quantity"),
        ({"route": "iv"}, "not a route of fluoxetine; allowed: po, ip"),
    ],
)
def test_bad_doses_and_routes_are_named(kw: dict, says: str) -> None:
    drug = LIB.get("fluoxetine")
    mod = drug_module(drug, "human", {"po"}, None)
    with pytest.raises(MtorlabError, match=says):
        events_for(adm(**kw), drug, "human", mod)


def test_oral_dose_lands_in_the_depot_times_bioavailability() -> None:
    drug = LIB.get("fluoxetine")
    mod = drug_module(drug, "human", {"po"}, None)
    (ev,) = events_for(adm(), drug, "human", mod)
    assert ev.target == "pk_fluoxetine_depot_po" and ev.kind == "add"
    assert ev.value == pytest.approx(20 / 70 * 0.7)


def test_an_infusion_is_a_rate_on_and_off() -> None:
    drug = LIB.get("esketamine")
    mod = drug_module(drug, "human", {"iv"}, None)
    on, off = events_for(
        adm(entry="esketamine", dose="0.5 mg/kg", route="iv", over_h=2 / 3), drug, "human", mod
    )
    assert (on.kind, on.target, off.time_h) == (
        "rate",
        "pk_esketamine_rate_iv",
        pytest.approx(2 / 3),
    )
    assert on.value == pytest.approx(0.75) and off.value == pytest.approx(-0.75)


def test_exercise_minutes_are_a_session() -> None:
    drug = LIB.get("exercise")
    mod = drug_module(drug, "human", set(), None)
    on, off = events_for(adm(entry="exercise", dose="30 min", route=None), drug, "human", mod)
    assert off.time_h - on.time_h == pytest.approx(0.5)
    assert on.value * 0.5 == pytest.approx(1.0)  # the reference session adds one unit of level
    with pytest.raises(MtorlabError, match="units like 'min'"):
        events_for(adm(entry="exercise", dose="30 mg", route=None), drug, "human", mod)


def test_a_metabolite_target_reads_the_parent_where_no_metabolite_is_modelled() -> None:
    drug = LIB.get("fluoxetine")
    human = drug_module(drug, "human", {"po"}, None)
    mouse = drug_module(drug, "mouse", {"po"}, None)
    assert "pk_fluoxetine_cm" in human.terms["sert_block"][0]
    assert "pk_fluoxetine_cm" not in mouse.terms["sert_block"][0]
    assert "pk_fluoxetine_cp" in mouse.terms["sert_block"][0]


def test_a_listed_route_without_absorption_data_is_named() -> None:
    from mtorlab.pk._dosing import check_route

    rapa = LIB.get("rapamycin")
    with pytest.raises(MtorlabError, match="has no sc absorption data"):
        check_route(rapa.model_copy(update={"routes": (*rapa.routes, "sc")}), "human", "sc", "x")
