"""Behavioural readouts belong to a species: rodent tests in rodents (on each species' own
scoring window), the MADRS in people; asking for another species' readout is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import mtorlab as mt
from mtorlab.cli import main
from mtorlab.errors import DataFileError, MtorlabError
from mtorlab.ode import load_model
from mtorlab.ode._load import default_data_dir

RODENT_ONLY = ("sucrose_preference", "fst_immobility")


def _stressed(species: str, outputs: list[str] | None = None) -> mt.Scenario:
    return mt.Scenario(
        name=f"stressed {species}",
        species=species,
        duration="1 d",
        condition={"chronic_stress": 0.8},
        outputs=outputs,
    )


def test_default_outputs_are_the_species_own() -> None:
    human = mt.simulate(_stressed("human")).columns
    rat = mt.simulate(_stressed("rat")).columns
    assert "madrs" in human and not set(RODENT_ONLY) & set(human)
    assert set(RODENT_ONLY) <= set(rat) and "madrs" not in rat
    # the mechanistic readouts are every species'
    assert {"depression_score", "mtorc1_neuron", "bdnf"} <= set(human) & set(rat)


def test_rat_forced_swim_is_scored_over_the_5_minute_test() -> None:
    """The rat test scores a 300-s window, the mouse test 240 s (its last 4 of 6 min): the
    same depression score gives the same fraction of each window, not the same seconds."""
    out = ["fst_immobility", "depression_score"]
    mouse = mt.simulate(_stressed("mouse", out)).iloc[-1]
    rat = mt.simulate(_stressed("rat", out)).iloc[-1]
    assert rat["depression_score"] == pytest.approx(mouse["depression_score"], rel=1e-6)
    assert rat["fst_immobility"] / 300 == pytest.approx(mouse["fst_immobility"] / 240, rel=1e-6)
    assert 0 < mouse["fst_immobility"] < 240 and 0 < rat["fst_immobility"] < 300


def test_a_species_value_reaches_the_exported_scenario_model(tmp_path: Path) -> None:
    import libsbml

    sc = tmp_path / "rat.yaml"
    sc.write_text("name: rat\nspecies: rat\nduration: 1 d\n", encoding="utf-8")
    out = tmp_path / "rat.xml"
    assert main(["export", "sbml", "--scenario", str(sc), "-o", str(out)]) == 0
    doc = libsbml.readSBMLFromFile(str(out))
    assert doc.getModel().getParameter("fst_span").getValue() == 250
    assert doc.getModel().getParameter("fst_floor").getValue() == 50


def test_a_human_scenario_asking_for_a_rodent_test_names_file_field_and_alternative(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "human_spt.yaml"
    bad.write_text(
        "name: h\nspecies: human\nduration: 1 d\noutputs: [madrs, sucrose_preference]\n",
        encoding="utf-8",
    )
    out = tmp_path / "run.csv"
    code = main(["simulate", str(bad), "-o", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "human_spt.yaml" in err and "outputs[1]" in err and "sucrose_preference" in err
    assert "mouse and rat only" in err and "madrs" in err
    assert not out.exists()


def test_the_python_api_refuses_a_rating_scale_in_a_rat() -> None:
    with pytest.raises(MtorlabError, match=r"'madrs'.*human only.*sucrose_preference"):
        mt.simulate(_stressed("rat"), outputs=["madrs"])


def test_a_species_value_outside_its_range_is_rejected(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    f = data / "parameters_phenotype.yaml"
    text = f.read_text(encoding="utf-8")
    assert "rat: {value: 250, range: [190, 300]" in text
    f.write_text(text.replace("rat: {value: 250, range: [190, 300]", "rat: {value: 350, range: [190, 300]"),
                 encoding="utf-8")  # fmt: skip
    with pytest.raises(DataFileError, match=r"fst_span.*by_species\.rat: value 350"):
        load_model(data)
