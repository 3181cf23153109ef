"""Drug combinations run on the core's compiled kernels, laid out as tables (no new code).

Two scenarios cover every PK shape the modules generate: an iv infusion, an intranasal
depot with a peripheral compartment (human esketamine), a metabolite with auto-inhibited
clearance (human fluoxetine), two drugs on one input (ketamine and esketamine on the
NMDA receptor: independent action), a formulation scaling the brain partition (mouse
PEG-liposomal rapamycin), a drug with a plasma-site target, and an effect compartment
(exercise). Each is held to the reference engine: rates and Jacobian at a perturbed
state, and every readout of a time course at the agreement bar.
"""

from __future__ import annotations

import dataclasses

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
    "human": ["conc_plasma:ketamine", "conc_brain:esketamine", "conc_plasma:fluoxetine",
              "conc_plasma:norfluoxetine"],
    "mouse": ["conc_brain:rapamycin", "effect:exercise", "conc_brain:cp101606"],
}  # fmt: skip


def _plan(data: dict):  # type: ignore[no-untyped-def]
    sc = validate_scenario(data, "test", mt.model().readout_ids)
    return sc, check_plan(mt.model(), sc, library(), "test")


@pytest.mark.parametrize("data", [HUMAN, MOUSE], ids=["human", "mouse"])
def test_a_drug_combination_reuses_the_core_kernels(data: dict) -> None:
    base = batch_engine()
    before = sorted(cache_dir().glob("kernels_*.py"))
    _sc, plan = _plan(data)
    engine = BatchEngine(plan.model)
    assert engine.compiled.module is base.compiled.module
    assert sorted(cache_dir().glob("kernels_*.py")) == before
    assert len(engine.compiled.species) > len(base.compiled.species)  # the PK states


@pytest.mark.parametrize("data", [HUMAN, MOUSE], ids=["human", "mouse"])
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


@pytest.mark.parametrize("data", [HUMAN, MOUSE], ids=["human", "mouse"])
def test_time_courses_with_drugs_agree_with_the_reference(data: dict) -> None:
    sc = _plan(data)[0]
    outputs = [*mt.model().readout_ids, *PK_OUTPUTS[data["species"]]]
    batch = mt.simulate_batch(sc, [{}], outputs=outputs)
    ref = mt.simulate(sc, outputs=outputs)
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
