"""``mtorlab export sbml|omex --scenario``: the scenario's model, start and doses as SBML
events, and its SED-ML in a COMBINE archive, reproduce ``mtorlab simulate``.

Each exported SBML is run in a fresh libRoadRunner (and, through its SED-ML, in COPASI) and
every readout is compared with :func:`mtorlab.simulate` at every output time: relative
1e-3 or absolute 1e-6. At a sample that falls exactly on a bolus, simulate reports the
state just before the dose and SBML simulators the state just after it; those samples are
read at t - 1e-9 h (libRoadRunner) or left out (COPASI), and one test pins the convention.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libsbml
import numpy as np
import pandas as pd
import pytest
import yaml

import mtorlab as mt
from mtorlab._api import library, reference_engine
from mtorlab.cli import main
from mtorlab.io import ScenarioModel, consistency_report, scenario_model
from mtorlab.io._omex import SBML_FILE, SEDML_FILE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"
RTOL, ATOL = 1e-3, 1e-6
#: An ip bolus on the grid, an iv infusion (`over:`), a repeated oral schedule with
#: doses at t = 0 (fluoxetine daily with intranasal esketamine twice a week).
CASES = {
    "ketamine_ip_bolus": EXAMPLES / "ketamine_single_dose_rat.yaml",
    "esketamine_iv_infusion": EXAMPLES / "esketamine_dose_series_human.yaml",
    "fluoxetine_daily_po": EXAMPLES / "esketamine_plus_fluoxetine_human.yaml",
}


@dataclass(frozen=True)
class Exported:
    model: ScenarioModel
    frame: pd.DataFrame


def _export(scenario: Any, libs: tuple[str, ...] = ()) -> Exported:
    sc = scenario if isinstance(scenario, mt.Scenario) else mt.load_scenario(scenario)
    sm = scenario_model(mt.model(), sc, library(*libs), reference_engine)
    return Exported(sm, mt.simulate(sc, library_files=list(libs)))


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Exported:
    return _export(CASES[request.param])


def _grid(sm: ScenarioModel) -> np.ndarray:
    return np.linspace(0.0, sm.duration_h, sm.n_points)


def run_roadrunner(sm: ScenarioModel, times: np.ndarray) -> dict[str, np.ndarray]:
    """A fresh libRoadRunner on the SBML text, with the SED-ML's tolerances; readouts scaled."""
    import roadrunner

    rr = roadrunner.RoadRunner(sm.sbml)
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-10
    rr.timeCourseSelections = ["time", *sm.targets]
    out = np.asarray(rr.simulate(times=times))
    np.testing.assert_allclose(out[:, 0], times, atol=1e-12)
    return {
        o: out[:, k + 1] * s for k, (o, s) in enumerate(zip(sm.outputs, sm.scales, strict=True))
    }


def agreement(
    reference: pd.DataFrame, values: Mapping[str, np.ndarray], rows: np.ndarray | None = None
) -> dict[str, tuple[float, float]]:
    """Per readout: (max relative difference where |value| >= 1e-3, max absolute
    difference); asserts every sample within relative RTOL or absolute ATOL."""
    out = {}
    for name, got in values.items():
        want = reference[name].to_numpy()
        if rows is not None:
            want, got = want[rows], got[rows]
        diff = np.abs(got - want)
        bad = (diff > ATOL) & (diff > RTOL * np.abs(want))
        assert not bad.any(), (
            f"{name}: {bad.sum()} samples differ, first at index {np.argmax(bad)}: "
            f"{got[bad][0]!r} vs {want[bad][0]!r}"
        )
        big = np.abs(want) >= 1e-3
        rel = float((diff[big] / np.abs(want[big])).max()) if big.any() else 0.0
        out[name] = (rel, float(diff.max()))
    return out


def test_sbml_is_valid_with_units_and_events(case: Exported) -> None:
    sm = case.model
    errors, warnings = consistency_report(sm.document)
    assert errors == [] and warnings == []
    assert (sm.document.getLevel(), sm.document.getVersion()) == (3, 2)
    m = sm.document.getModel()
    assert m.getNumEvents() > 0
    for ev in (m.getEvent(i) for i in range(m.getNumEvents())):
        assert not ev.getTrigger().getInitialValue()  # a dose at t = 0 fires at the start
        assert "At " in ev.getNotesString()
    assert sm.outputs == tuple(case.frame.columns[1:])


def test_start_is_the_condition_steady_state_and_condition_is_set() -> None:
    path = CASES["ketamine_ip_bolus"]
    sc = mt.load_scenario(path)
    sm = scenario_model(mt.model(), sc, library(), reference_engine)
    m = sm.document.getModel()
    assert m.getParameter("in_stress").getValue() == pytest.approx(0.8)
    from mtorlab.pk import plan_scenario

    plan = plan_scenario(mt.model(), sc, library())
    engine = reference_engine(plan.model)
    y0 = engine.steady_state(mt.model().condition_inputs(sc.condition.as_inputs()))
    got = np.array([m.getSpecies(s).getInitialConcentration() for s in engine.species_ids])
    np.testing.assert_allclose(got, y0, rtol=1e-12, atol=1e-15)
    healthy = np.array([plan.model.species[s].initial for s in engine.species_ids])
    assert np.abs(got - healthy).max() > 0.05  # the stressed state, not the healthy one


def test_roadrunner_reproduces_simulate(case: Exported, record_property: Any) -> None:
    sm = case.model
    grid = _grid(sm)
    on_bolus = np.isin(grid, sm.bolus_times_h)
    got = run_roadrunner(sm, np.where(on_bolus, grid - 1e-9, grid))
    figures = agreement(case.frame, got)
    record_property("roadrunner", figures)
    # the run is not trivial: some readout moves by more than 1 % of its start
    frame = case.frame.iloc[:, 1:]
    moved = (frame.max() - frame.min()) / frame.iloc[0].abs().clip(lower=1e-3)
    assert (moved > 0.01).any()


def _sedml_scales(sedml_text: str) -> dict[str, tuple[str, float]]:
    """Readout (data generator name) -> (SBML id of its variable, scale parameter)."""
    import libsedml

    doc = libsedml.readSedMLFromString(sedml_text)
    out = {}
    for i in range(doc.getNumDataGenerators()):
        dg = doc.getDataGenerator(i)
        var = dg.getVariable(0)
        if var.isSetSymbol():
            continue
        sid = var.getTarget().split("@id='")[1].rstrip("']")
        scale = dg.getParameter(0).getValue() if dg.getNumParameters() else 1.0
        out[dg.getName()] = (sid, scale)
    return out


def _omex(sc_path: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Path:
    target = out / f"{sc_path.stem}.omex"
    code = main(["export", "omex", "--scenario", str(sc_path), *extra, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 0, err
    folder = out / sc_path.stem
    with zipfile.ZipFile(target) as z:
        z.extractall(folder)
    return folder


@pytest.mark.parametrize("name", ["ketamine_ip_bolus", "fluoxetine_daily_po"])
def test_copasi_runs_the_omex_sedml(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], record_property: Any
) -> None:
    """COPASI imports the archive's SED-ML (its model, grid and tolerances) and runs it."""
    basico = pytest.importorskip("basico")
    import COPASI

    folder = _omex(CASES[name], tmp_path, capsys)
    frame = mt.simulate(CASES[name])
    scales = _sedml_scales((folder / SEDML_FILE).read_text(encoding="utf-8"))
    dm = COPASI.CRootContainer.addDatamodel()
    try:
        assert dm.importSEDML(str(folder / SEDML_FILE))
        tc = basico.run_time_course(model=dm, use_sbml_id=True)
    finally:
        basico.remove_datamodel(dm)
    np.testing.assert_allclose(tc.index.to_numpy(), frame["time_h"].to_numpy(), atol=1e-9)
    got = {o: tc[sid].to_numpy() * scale for o, (sid, scale) in scales.items()}
    assert set(got) == set(frame.columns[1:])
    sm = _export(CASES[name]).model
    keep = ~np.isin(frame["time_h"].to_numpy(), sm.bolus_times_h)
    record_property("copasi", agreement(frame, got, rows=keep))


def test_a_bolus_on_a_sample_time_is_reported_before_the_dose() -> None:
    """The documented difference: simulate reports a sample at a bolus's time before the
    dose; the SBML (libRoadRunner) after it. Just before it they agree."""
    sc = mt.Scenario.model_validate(
        {
            "name": "iv-bolus-on-the-grid",
            "species": "rat",
            "duration": "4 h",
            "output_step": "30 min",
            "interventions": [{"drug": "ketamine", "dose": "10 mg/kg", "route": "iv", "at": "1 h"}],
            "outputs": ["conc_plasma:ketamine", "mtorc1_neuron"],
        }
    )
    ex = _export(sc)
    sm, frame = ex.model, ex.frame
    grid = _grid(sm)
    assert sm.bolus_times_h == (1.0,)
    at = int(np.argmax(grid == 1.0))
    assert frame["conc_plasma:ketamine"].iloc[at] == 0.0  # simulate: before the dose
    exact = run_roadrunner(sm, grid)["conc_plasma:ketamine"]
    v1 = sm.document.getModel().getParameter("pk_ketamine_v1").getValue()
    assert exact[at] == pytest.approx(10.0 / v1 * 1000.0, rel=1e-6)  # SBML: after it
    agreement(frame, run_roadrunner(sm, np.where(grid == 1.0, grid - 1e-9, grid)))


def test_a_drug_defined_in_the_scenario_exports_and_agrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "scenarios" / "with_own_drug.yaml"
    target = tmp_path / "own.xml"
    assert main(["export", "sbml", "--scenario", str(path), "-o", str(target)]) == 0
    capsys.readouterr()
    doc = libsbml.readSBMLFromFile(str(target))
    assert doc.getModel().getSpecies("pk_zz_agonist_depot_po") is not None
    ex = _export(path)
    assert ex.model.sbml == target.read_text(encoding="utf-8")
    agreement(ex.frame, run_roadrunner(ex.model, _grid(ex.model)))
    assert ex.frame["conc_brain:zz_agonist"].max() > 100.0  # ng/mL: the dose arrives


def test_a_library_drug_exports_as_omex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib = DATA / "library" / "made_up_drug.yaml"
    own = yaml.safe_load((DATA / "scenarios" / "with_own_drug.yaml").read_text(encoding="utf-8"))
    del own["drugs"]
    own["interventions"][0]["at"] = "30 min"  # on the 15-min grid, on purpose
    path = tmp_path / "library_drug.yaml"
    path.write_text(yaml.safe_dump(own), encoding="utf-8")
    folder = _omex(path, tmp_path, capsys, "--library", str(lib))
    scales = _sedml_scales((folder / SEDML_FILE).read_text(encoding="utf-8"))
    assert scales["conc_plasma:zz_agonist"] == ("pk_zz_agonist_cp", 1000.0)
    assert scales["conc_brain:zz_agonist"] == ("pk_zz_agonist_brain", 1000.0)
    assert scales["mtorc1_neuron"][1] == 1.0
    ex = _export(path, (str(lib),))
    assert (folder / SBML_FILE).read_text(encoding="utf-8") == ex.model.sbml
    grid = _grid(ex.model)
    on_bolus = np.isin(grid, ex.model.bolus_times_h)
    assert on_bolus.sum() == 1
    agreement(ex.frame, run_roadrunner(ex.model, np.where(on_bolus, grid - 1e-9, grid)))


def _manifest(folder: Path) -> list[dict[str, str]]:
    ns = "{http://identifiers.org/combine.specifications/omex-manifest}"
    root = ET.parse(folder / "manifest.xml").getroot()
    assert root.tag == f"{ns}omexManifest"
    return [dict(c.attrib) for c in root.iter(f"{ns}content")]


def test_omex_manifest_and_sedml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import libcombine
    import libsedml

    path = CASES["esketamine_iv_infusion"]
    folder = _omex(path, tmp_path, capsys)
    entries = {e["location"]: e for e in _manifest(folder)}
    assert entries["."]["format"].endswith("combine.specifications/omex")
    masters = [loc for loc, e in entries.items() if e.get("master") == "true"]
    assert masters == [SEDML_FILE]
    assert "sbml" in entries[SBML_FILE]["format"] and "sed-ml" in entries[SEDML_FILE]["format"]
    files = {p.name for p in folder.iterdir()}
    assert files == {SBML_FILE, SEDML_FILE, "manifest.xml"}
    archive = libcombine.CombineArchive()
    assert archive.initializeFromArchive(str(tmp_path / f"{path.stem}.omex"))
    assert archive.getMasterFile().getLocation() == SEDML_FILE

    doc = libsedml.readSedMLFromFile(str(folder / SEDML_FILE))
    assert doc.getErrorLog().getNumFailsWithSeverity(libsedml.LIBSEDML_SEV_ERROR) == 0
    assert doc.getModel(0).getSource() == SBML_FILE
    sim = doc.getSimulation(0)
    sc = mt.load_scenario(path)
    assert sim.getOutputEndTime() == sc.duration_h and sim.getNumberOfSteps() == sc.n_points() - 1
    assert sim.getAlgorithm().getKisaoID() == "KISAO:0000019"
    report = doc.getOutput(0)
    labels = [report.getDataSet(i).getLabel() for i in range(report.getNumDataSets())]
    assert labels == ["time_h", *(sc.outputs or ())]
    sbml = libsbml.readSBMLFromFile(str(folder / SBML_FILE)).getModel()
    for readout, (sid, _) in _sedml_scales((folder / SEDML_FILE).read_text()).items():
        assert sbml.getElementBySId(sid) is not None, readout


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.fixture
def bad_cases(tmp_path: Path) -> Iterator[list[tuple[list[str], str]]]:
    afile = tmp_path / "a_file"
    afile.write_text("x", encoding="utf-8")
    bad = str(DATA / "scenarios" / "bad_schedule_outside.yaml")
    good = str(CASES["ketamine_ip_bolus"])
    yield [
        (["export", "sbml", "--scenario", str(tmp_path / "nope.yaml")], "no such scenario file"),
        (["export", "omex", "--scenario", bad], "bad_schedule_outside.yaml"),
        (
            ["export", "sbml", "--scenario", str(DATA / "scenarios" / "bad_unknown_drug.yaml")],
            "drug",
        ),
        (["export", "omex"], "--scenario"),
        (["export", "antimony", "--scenario", good], "sbml or omex"),
        (["export", "sbml", "--scenario", good, "--library", str(afile)], str(afile)),
        (["export", "sbml", "--library", str(afile)], "only with --scenario"),
    ]


def test_bad_input_is_one_line_exit_2_nothing_written(
    bad_cases: list[tuple[list[str], str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i, (args, says) in enumerate(bad_cases):
        target = tmp_path / "out" / f"case{i}.xml"
        code, err = _cli(capsys, *args, "-o", str(target))
        assert code == 2, (args, err)
        assert err.startswith("mtorlab: error:") and err.count("\n") == 1, err
        assert says in err, (args, err)
        assert not target.exists()
    afile = tmp_path / "a_file"
    code, err = _cli(capsys, "export", "omex", "--scenario", str(CASES["ketamine_ip_bolus"]),
                     "-o", str(afile / "x.omex"))  # fmt: skip
    assert code == 2 and "is a file" in err


def test_a_failed_export_leaves_an_earlier_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "kept.xml"
    target.write_text("earlier", encoding="utf-8")
    bad = str(DATA / "scenarios" / "bad_schedule_outside.yaml")
    code, _ = _cli(capsys, "export", "sbml", "--scenario", bad, "-o", str(target))
    assert code == 2 and target.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.xml"]  # no temporary file left
