"""The model as data: completeness of parameters, links to the knowledge base, tracing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtorlab.errors import DataFileError, UnknownIdError
from mtorlab.ode import Model, default_data_dir, load_model
from mtorlab.ode._units import UNITS

#: Readouts of PRODUCT.md this layer provides (PK, anxiety and immunosuppression come
#: with the interventions layer).
PRODUCT_READOUTS = [
    "mtorc1_neuron",
    "mtorc2_neuron",
    "mtorc1_glia",
    "p_akt_s473",
    "p_akt_t308",
    "p_s6k",
    "p_4ebp1",
    "p_erk",
    "ampk",
    "tsc2_active",
    "rheb_gtp",
    "glutamate_burst",
    "ampar_surface",
    "bdnf",
    "serum_bdnf",
    "synaptic_protein",
    "spine_density",
    "synaptic_strength",
    "autophagy_flux",
    "apoptosis",
    "neuronal_survival",
    "il6_brain",
    "tnfa_brain",
    "il6_plasma",
    "microglial_phagocytosis",
    "serotonin",
    "depression_score",
    "sucrose_preference",
    "fst_immobility",
    "madrs",
    "body_weight",
    "blood_glucose",
]


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model()


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    from mtorlab.kb import load

    return load()


def test_every_parameter_has_unit_range_and_provenance(model: Model) -> None:
    assert len(model.parameters) > 150
    for p in model.parameters.values():
        assert p.unit in UNITS, p.id
        low, high = p.range
        assert low <= p.value <= high, p.id
        prov = p.provenance
        detail = {
            "literature": "source",
            "review": "claim",
            "calibrated": "target",
            "assumed": "reason",
        }
        assert getattr(prov, detail[prov.kind]).strip(), p.id


def test_literature_values_cite_dalle_pezze_only_where_taken(model: Model) -> None:
    lit = [p for p in model.parameters.values() if p.provenance.kind == "literature"]
    dp = [p for p in lit if "Dalle Pezze" in p.provenance.source]  # type: ignore[union-attr]
    # four first-order constants were read from BIOMD0000000581 and converted from /min
    assert {p.id for p in dp} == {"k_t308_dephos", "k_s473_dephos", "k_mtorc2_deact", "k_tsc_on"}
    for p in dp:
        assert "/min" in (p.provenance.note or "")  # type: ignore[union-attr]


def test_time_scales_are_realistic(model: Model) -> None:
    """Phosphorylation in minutes, expression in hours, spines in days, survival in weeks."""
    p = model.parameters
    assert all(p[k].value >= 5 for k in ("k_t308_dephos", "k_s473_dephos", "k_mtorc1_deact"))
    assert all(0.05 <= p[k].value <= 1 for k in ("k_bdnf", "k_synprot", "k_ampar"))
    assert 0.01 <= p["k_spine_nascent"].value <= 0.1  # nascent spines: about a day
    assert 0.001 <= p["k_spine_stable"].value <= 0.02  # stabilised spines: days to weeks
    assert 0.002 <= p["k_survival"].value <= 0.01


def test_product_readouts_exist(model: Model) -> None:
    missing = [r for r in PRODUCT_READOUTS if r not in model.readouts]
    assert not missing


def test_contexts_are_kept_apart(model: Model) -> None:
    contexts = {s.id: s.context for s in model.species.values()}
    assert contexts["mtorc1_neuron"] == "neuron"
    assert contexts["mtorc1_glia"] == "glia"
    assert contexts["mtorc1_periphery"] == "periphery"
    assert contexts["autophagy_flux"] == "cell_fate"
    for s in model.species.values():
        assert model.compartments[s.compartment].context == s.context


def test_conditions_only_set_condition_inputs(model: Model) -> None:
    for cond in model.conditions.values():
        names = list(cond.sets) + [k for lv in cond.levels.values() for k in lv]
        assert names
        assert all(model.parameters[n].role == "condition" for n in names), cond.id
    assert set(model.condition_inputs({})) == {
        p.id for p in model.parameters.values() if p.role == "condition"
    }


def test_condition_inputs_reject_unknown_names(model: Model) -> None:
    with pytest.raises(UnknownIdError, match="nearest: chronic_stress"):
        model.condition_inputs({"chronic_stres": 1.0})
    with pytest.raises(UnknownIdError, match="bdnf_genotype level"):
        model.condition_inputs({"bdnf_genotype": "met/val"})


def test_every_mechanism_exists_in_the_knowledge_base(model: Model, kb) -> None:  # type: ignore[no-untyped-def]
    missing = sorted(model.mechanism_ids() - set(kb.mechanisms))
    assert not missing, f"model cites mechanisms the knowledge base lacks: {missing}"


def test_every_entity_exists_in_the_knowledge_base(model: Model, kb) -> None:  # type: ignore[no-untyped-def]
    named = {s.entity for s in model.species.values()} | {
        a.entity for a in model.assignments.values()
    }
    assert not sorted(e for e in named if e and e not in kb.entities)


def test_trace_goes_from_readout_upstream(model: Model) -> None:
    steps = model.trace("depression_score")
    ids = [element for element, _ in steps]
    assert ids[0] == "depression_score"
    assert (
        ids.index("r_synaptic_strength")
        < min(ids.index("r_spine_nascent"), ids.index("r_spine_stable"))
        < ids.index("r_mtorc1_neuron")
    )
    assert "r_glutamate_burst" in ids and "r_rag" in ids
    mechs = dict(steps)
    assert "m_rheb_mtorc1" in mechs["r_mtorc1_neuron"]
    with pytest.raises(UnknownIdError, match="nearest: bdnf"):
        model.trace("bdnff")


def _copy_data(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(default_data_dir(), dst)
    return dst


def test_missing_provenance_names_file_entry_and_field(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    f = data / "parameters_neuron.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(
        text.replace(
            'provenance: {kind: assumed, reason: "minutes (phosphatase-limited turnover)"}',
            "note: x",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as err:
        load_model(data)
    msg = str(err.value)
    assert "parameters_neuron.yaml" in msg and "provenance" in msg


def test_value_outside_range_is_rejected(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    f = data / "parameters_neuron.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace(
            "id: k_rag_on, value: 60", "id: k_rag_on, value: 600"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"k_rag_on.*outside its range \[20"):
        load_model(data)


def test_unknown_symbol_in_rate_law_is_rejected(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    f = data / "reactions_neuron.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("k_rag_on * amino_acids", "k_rag_on * amino_acid"),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"r_rag.*'rate'.*amino_acid.*nearest: amino_acids"):
        load_model(data)


def test_extend_adds_validated_records(model: Model) -> None:
    """A PK module adds records through the same schema (issue 4's route into the model)."""
    extra = {
        "species": [
            {
                "id": "drug_central",
                "name": "drug in plasma",
                "context": "periphery",
                "compartment": "periphery",
                "kind": "level",
                "initial": 0.0,
                "unit": "mg_per_kg",
                "sbo": "SBO:0000247",
                "description": "amount per kg body weight",
            },
        ],
        "parameters": [
            {
                "id": "drug_k10",
                "value": 0.3,
                "unit": "per_hour",
                "range": [0.1, 1],
                "role": "rate",
                "description": "elimination",
                "provenance": {"kind": "assumed", "reason": "test value only"},
            },
        ],
        "reactions": [
            {
                "id": "r_drug_elim",
                "name": "elimination",
                "equation": "drug_central ->",
                "rate": "drug_k10 * drug_central",
                "mechanisms": ["m_ketamine_nmdar"],
                "sbo": "SBO:0000179",
            },
        ],
    }
    bigger = model.extend(extra, source="test PK module")
    assert "drug_central" in bigger.species and "drug_central" not in model.species
    assert bigger.origin["r_drug_elim"] == "test PK module"
    bad = {**extra, "reactions": [{**extra["reactions"][0], "rate": "drug_k1 * drug_central"}]}
    with pytest.raises(DataFileError, match=r"test PK module.*r_drug_elim.*nearest: .*drug_k10"):
        model.extend(bad, source="test PK module")
    with pytest.raises(DataFileError, match="duplicate id"):
        bigger.extend({"parameters": extra["parameters"]}, source="again")
