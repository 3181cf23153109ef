"""Scenario files: validation errors that name file, field, value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

import mtorlab as mt
from mtorlab.errors import DataFileError, MtorlabError

FILES = Path(__file__).resolve().parents[1] / "data" / "scenarios"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_valid_scenario_loads_with_units() -> None:
    sc = mt.load_scenario(FILES / "valid_cums.yaml")
    assert sc.species == "rat" and sc.duration_h == 48.0
    assert sc.condition.chronic_stress == 0.8 and sc.condition.bdnf_genotype == "val/met"
    assert sc.outputs == ("mtorc1_neuron", "bdnf", "depression_score")


def test_interventions_are_parsed_structurally() -> None:
    sc = mt.load_scenario(FILES / "with_interventions.yaml")
    eske, fluox, ex = sc.interventions
    assert eske.drug == "esketamine" and eske.dose.value == 0.5 and eske.dose.unit == "mg/kg"
    assert eske.over is not None and eske.over.value == pytest.approx(40 / 60)
    assert fluox.schedule is not None and fluox.schedule.times()[-1] == 20 * 24
    assert ex.intervention == "exercise" and ex.dose.unit == "min"


def test_a_scenario_with_interventions_simulates() -> None:
    frame = mt.simulate(FILES / "with_interventions.yaml")
    assert frame["time_h"].iloc[-1] == pytest.approx(
        mt.load_scenario(FILES / "with_interventions.yaml").duration_h
    )
    assert frame.notna().all().all()


@pytest.mark.parametrize(
    ("name", "field", "fragments"),
    [
        ("bad_duration_unit.yaml", "duration", ["'28' has no unit", "'28 d'"]),
        ("bad_species.yaml", "species", ["'dog' is not allowed", "'mouse', 'rat' or 'human'"]),
        ("bad_readout.yaml", "outputs[1]", ["unknown readout 'bdnff'", "nearest: bdnf"]),
        ("bad_stress_range.yaml", "condition.chronic_stress", ["1.5", "less than or equal to 1"]),
        ("bad_genotype.yaml", "condition.bdnf_genotype", ["'met/val' is not allowed", "'val/met'"]),
        ("bad_dose.yaml", "dose", ["'10 mL' is not a dose", "mg/kg"]),
        ("bad_timing.yaml", "(entry)", ["exactly one of `at:`"]),
        ("bad_field.yaml", "conditon", ["unknown field"]),
    ],
)
def test_broken_files_name_file_field_value_and_allowed(
    name: str, field: str, fragments: list[str]
) -> None:
    with pytest.raises(DataFileError) as err:
        mt.load_scenario(FILES / name)
    e = err.value
    assert e.file.endswith(name) and e.field == field
    text = str(e)
    assert name in text and field in text
    for frag in fragments:
        assert frag in text


def test_intervention_errors_name_the_entry() -> None:
    with pytest.raises(DataFileError) as err:
        mt.load_scenario(FILES / "bad_dose.yaml")
    assert err.value.entry == "interventions #1"


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(DataFileError, match=r"bad_yaml.yaml: malformed YAML at line \d+"):
        mt.load_scenario(FILES / "bad_yaml.yaml")


def test_missing_file() -> None:
    with pytest.raises(DataFileError, match="no such scenario file"):
        mt.load_scenario(FILES / "nope.yaml")


def test_simulate_starts_in_the_condition_steady_state() -> None:
    df = mt.simulate(FILES / "valid_cums.yaml")
    assert list(df.columns) == ["time_h", "mtorc1_neuron", "bdnf", "depression_score"]
    assert df["time_h"].iloc[0] == 0.0 and df["time_h"].iloc[-1] == pytest.approx(48.0)
    assert len(df) == 481  # 0.1 h steps up to two days
    assert (df["bdnf"].max() - df["bdnf"].min()) < 1e-6  # a steady state stays put
    assert df["depression_score"].iloc[0] > 35
    assert df.attrs["scenario"] == "cums-two-days"


def test_simulate_outputs_override_and_unknown_readout() -> None:
    sc = mt.load_scenario(FILES / "valid_cums.yaml")
    df = mt.simulate(sc, outputs=["il6_brain"])
    assert list(df.columns) == ["time_h", "il6_brain"]
    with pytest.raises(MtorlabError, match="nearest: il6_brain"):
        mt.simulate(sc, outputs=["il6_brian"])


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_runs(path: Path) -> None:
    sc = mt.load_scenario(path)
    df = mt.simulate(sc)
    assert df["time_h"].iloc[-1] == pytest.approx(sc.duration_h)
    assert df.notna().all().all() and len(df.columns) == 1 + len(sc.outputs or df.columns[1:])
