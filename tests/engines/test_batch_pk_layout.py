"""Drug combinations run on the core's compiled kernels, laid out as tables (no new code).

Two scenarios cover every PK shape the modules generate: an iv infusion, an intranasal
depot with a peripheral compartment (human esketamine), a metabolite with auto-inhibited
clearance (human fluoxetine), two drugs on one input (ketamine and esketamine on the
NMDA receptor: independent action), a formulation scaling the brain partition (mouse
PEG-liposomal rapamycin), a drug with a plasma-site target, and an effect compartment
(exercise); a third gives one user drug every optional feature at once (peripheral
compartment, metabolite, auto-inhibition, oral, iv and icv dosing, a molar EC50) beside
ketamine in a rat. Each is held to the reference engine: rates and Jacobian at a perturbed
state, and every readout of a time course at the agreement bar.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import mtorlab as mt
from mtorlab._api import batch_engine, library, reference_engine
from mtorlab.engines._codegen import cache_dir, compile_model, core_and_layouts
from mtorlab.engines.batch import BatchEngine, agree, agreement_floors
from mtorlab.scenario import check_plan, validate_scenario

HUMAN = {
    "name": "every human PK shape",
    "species": "human",
    "duration": "3 d",
    "condition": {"chronic_stress": 0.8},
    "interventions": [
        {"drug": "ketamine", "dose": "0.5 mg/kg", "route": "iv", "over": "40 min",
         "at": "2 h"},
        {"drug": "esketamine", "dose": "56 mg", "route": "intranasal", "at": "26 h"},
        {"drug": "fluoxetine", "dose": "20 mg", "route": "po",
         "schedule": {"start": "0 h", "every": "24 h", "count": 3}},
    ],
}  # fmt: skip
MOUSE = {
    "name": "formulation, plasma target and an effect compartment",
    "species": "mouse",
    "duration": "4 d",
    "condition": {"chronic_stress": 0.7},
    "interventions": [
        {"drug": "rapamycin", "dose": "1 mg/kg", "route": "ip", "formulation": "peg_liposome",
         "schedule": {"start": "0 h", "every": "48 h", "count": 2}},
        {"intervention": "exercise", "dose": "30 min",
         "schedule": {"start": "8 h", "every": "1 d", "count": 4}},
        {"drug": "cp101606", "dose": "10 mg/kg", "route": "po", "at": "30 h"},
    ],
}  # fmt: skip
PK_OUTPUTS = {
    "rat": ["conc_brain:everything_drug", "conc_plasma:everything_drug",
            "conc_plasma:everything_metabolite", "conc_brain:ketamine"],
    "human": ["conc_plasma:ketamine", "conc_brain:esketamine", "conc_plasma:fluoxetine",
              "conc_plasma:norfluoxetine"],
    "mouse": ["conc_brain:rapamycin", "effect:exercise", "conc_brain:cp101606"],
}  # fmt: skip


#: A user drug with every optional PK feature at once (no library drug has them all):
#: peripheral compartment, metabolite, auto-inhibited clearance, three routes of which one
#: is a depot, a molar EC50, and targets read in brain and in plasma with the metabolite;
#: it shares the NMDA receptor with ketamine (independent action of three channels).
WHY = '{kind: assumed, reason: "a test drug, not a real one"}'
EVERYTHING = f"""
drugs:
  - id: everything_drug
    kind: drug
    name_en: a drug with every PK feature
    name_zh: a drug with every PK feature
    kb_entity: ketamine
    molar_mass: {{value: 250, unit: g/mol, range: [250, 250], provenance: {WHY}}}
    routes: [po, iv, icv]
    pk:
      rat:
        half_life: {{value: 5.0, unit: h, range: [2, 10], provenance: {WHY}}}
        volume: {{value: 2.0, unit: L/kg, range: [1, 4], provenance: {WHY}}}
        peripheral_volume: {{value: 3.0, unit: L/kg, range: [1, 6], provenance: {WHY}}}
        distribution_clearance: {{value: 1.5, unit: L/h/kg, range: [0.5, 3], provenance: {WHY}}}
        absorption_half_life:
          po: {{value: 0.8, unit: h, range: [0.4, 2], provenance: {WHY}}}
        bioavailability:
          po: {{value: 0.6, unit: dimensionless, range: [0.3, 0.9], provenance: {WHY}}}
        brain_partition: {{value: 0.8, unit: dimensionless, range: [0.4, 2], provenance: {WHY}}}
        brain_equilibration_half_life: {{value: 0.5, unit: h, range: [0.2, 1], provenance: {WHY}}}
        metabolite:
          id: everything_metabolite
          name_en: its metabolite
          fraction_formed: {{value: 0.4, unit: dimensionless, range: [0.2, 0.6], provenance: {WHY}}}
          half_life: {{value: 12.0, unit: h, range: [6, 24], provenance: {WHY}}}
          volume: {{value: 4.0, unit: L/kg, range: [2, 8], provenance: {WHY}}}
        autoinhibition: {{value: 0.3, unit: mg/L, range: [0.1, 1], provenance: {WHY}}}
    targets:
      - input: nmdar_block
        site: brain
        ec50: {{value: 2.0, unit: uM, range: [1, 4], provenance: {WHY}}}
        emax: 0.7
        hill: 2.0
        mechanisms: [m_ketamine_nmdar]
      - input: sert_block
        site: plasma
        with_metabolite: true
        ec50: {{value: 0.2, unit: mg/L, range: [0.1, 0.4], provenance: {WHY}}}
        emax: 0.9
        hill: 1.0
        mechanisms: [m_ketamine_nmdar]
"""
RAT = {
    "name": "every optional PK feature in one user drug",
    "species": "rat",
    "duration": "2 d",
    "condition": {"chronic_stress": 0.8},
    "interventions": [
        {"drug": "everything_drug", "dose": "3 mg/kg", "route": "po",
         "schedule": {"start": "0 h", "every": "12 h", "count": 4}},
        {"drug": "everything_drug", "dose": "1 mg/kg", "route": "iv", "over": "30 min",
         "at": "6 h"},
        {"drug": "everything_drug", "dose": "0.01 mg/kg", "route": "icv", "at": "20 h"},
        {"drug": "ketamine", "dose": "10 mg/kg", "route": "ip", "at": "26 h"},
    ],
}  # fmt: skip


def _plan(data: dict):  # type: ignore[no-untyped-def]
    sc = validate_scenario(data, "test", mt.model().readout_ids)
    return sc, check_plan(mt.model(), sc, library(*_library_files(data)), "test")


def _library_files(data: dict) -> tuple[str, ...]:
    if data is not RAT:
        return ()
    import tempfile

    path = Path(tempfile.gettempdir()) / "mtorlab-test-everything-drug.yaml"
    path.write_text(EVERYTHING, encoding="utf-8")
    return (str(path),)


@pytest.mark.parametrize("data", [HUMAN, MOUSE, RAT], ids=["human", "mouse", "rat"])
def test_a_drug_combination_reuses_the_core_kernels(data: dict) -> None:
    base = batch_engine()
    before = sorted(cache_dir().glob("kernels_*.py"))
    _sc, plan = _plan(data)
    engine = BatchEngine(plan.model)
    assert engine.compiled.module is base.compiled.module
    assert sorted(cache_dir().glob("kernels_*.py")) == before
    assert len(engine.compiled.species) > len(base.compiled.species)  # the PK states


@pytest.mark.parametrize("data", [HUMAN, MOUSE, RAT], ids=["human", "mouse", "rat"])
def test_rates_and_jacobian_with_drugs_match_the_reference(data: dict) -> None:
    _sc, plan = _plan(data)
    batch = BatchEngine(plan.model)
    ref = reference_engine(plan.model)
    rng = np.random.default_rng(3)
    params = mt.model().condition_inputs(data["condition"])
    y_ref = ref.steady_state(params)
    y_ref = (y_ref + 0.05) * rng.uniform(0.7, 1.3, len(y_ref))  # drugs on board
    order = [ref.species_ids.index(s) for s in batch.compiled.species]
    y = y_ref[order]
    P = batch.parameter_matrix([params])
    np.testing.assert_allclose(batch.rhs(y[None], P)[0], ref.rates(y_ref)[order],
                               rtol=1e-9, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(batch.jac(y[None], P)[0], ref.jacobian(y_ref)[np.ix_(order, order)],
                               rtol=1e-5, atol=1e-6)  # fmt: skip


@pytest.mark.parametrize("data", [HUMAN, MOUSE, RAT], ids=["human", "mouse", "rat"])
def test_time_courses_with_drugs_agree_with_the_reference(data: dict) -> None:
    sc = _plan(data)[0]
    outputs = [*mt.model().readout_ids_for(sc.species), *PK_OUTPUTS[data["species"]]]
    libs = _library_files(data)
    batch = mt.simulate_batch(sc, [{}], outputs=outputs, library_files=libs)
    ref = mt.simulate(sc, outputs=outputs, library_files=libs)
    assert batch.status[0] == 0
    got, want = batch.values[0], ref[outputs].to_numpy()
    ok = agree(got, want, agreement_floors(mt.model(), outputs))
    assert ok.all(), [outputs[j] for j in sorted(set(np.argwhere(~ok)[:, 1]))]
    assert np.ptp(want[:, outputs.index(PK_OUTPUTS[data["species"]][0])]) > 0  # drug given


def test_a_model_edited_after_composition_is_compiled_as_it_is() -> None:
    _sc, plan = _plan(HUMAN)
    core, layouts = core_and_layouts(plan.model)
    assert core is not plan.model and len(layouts) == 3
    rid, rec = next(iter(plan.model.reactions.items()))
    edited = dataclasses.replace(
        plan.model,
        reactions={
            **plan.model.reactions,
            rid: rec.model_copy(update={"rate": f"2 * ({rec.rate})"}),
        },
    )
    assert edited.composition is plan.model.composition
    assert core_and_layouts(edited) == (edited, ())


def test_the_base_model_is_its_own_core() -> None:
    m = mt.model()
    assert core_and_layouts(m) == (m, ())
    assert compile_model(m).pk[1].shape[0] == 0  # no PK slots
