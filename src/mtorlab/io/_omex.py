"""SED-ML simulation of a scenario and its COMBINE archive (OMEX).

The SED-ML (Level 1 Version 4, python-libsedml) runs the scenario's SBML
(:func:`mtorlab.io.scenario_model`) as ``mtorlab simulate`` does: a uniform time course
from 0 to the scenario's duration on its output grid, CVODE with the reference engine's
tolerances, and one data generator per readout. A drug concentration
(``conc_plasma:<drug>``, ``conc_brain:<drug>``) is the model's mg/L times a data-generator
parameter ``scale = 1000``, i.e. ng/mL as ``mtorlab simulate`` reports it. The archive
(python-libcombine) holds the SBML and the SED-ML (the master file) with its manifest.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mtorlab.io._scenario import sbml_id

if TYPE_CHECKING:
    from mtorlab.io._scenario import ScenarioModel

SEDML_LEVEL, SEDML_VERSION = 1, 4
SBML_FILE, SEDML_FILE = "model.xml", "simulation.sedml"
SBML_FORMAT = "http://identifiers.org/combine.specifications/sbml.level-3.version-2"
SEDML_FORMAT = "http://identifiers.org/combine.specifications/sed-ml.level-1.version-4"
SBML_NAMESPACE = "http://www.sbml.org/sbml/level3/version2/core"
OMEX_FORMAT = "http://identifiers.org/combine.specifications/omex"
MANIFEST_FORMAT = "http://identifiers.org/combine.specifications/omex-manifest"
SBML_LANGUAGE = "urn:sedml:language:sbml.level-3.version-2"
#: CVODE, with the reference engine's tolerances (mtorlab.engines.Tolerances).
KISAO_CVODE = "KISAO:0000019"
KISAO_PARAMETERS = {
    "KISAO:0000209": "1e-08",  # relative tolerance
    "KISAO:0000211": "1e-10",  # absolute tolerance
    "KISAO:0000415": "200000",  # maximum number of steps
}


class SedmlBuildError(RuntimeError):
    """libsedml refused a value or found the document invalid (a bug, not a user error)."""


def target_xpath(sm: ScenarioModel, sid: str) -> str:
    """The SED-ML target of a species or parameter of the scenario's SBML."""
    kind = ("listOfSpecies", "species") if sm.is_species(sid) else ("listOfParameters", "parameter")
    return f"/sbml:sbml/sbml:model/sbml:{kind[0]}/sbml:{kind[1]}[@id='{sid}']"


def _check(code: int, what: str) -> None:
    import libsedml

    if code != libsedml.LIBSEDML_OPERATION_SUCCESS:
        raise SedmlBuildError(f"libsedml could not set {what} (code {code})")


def _math(formula: str) -> object:
    import libsedml

    ast = libsedml.parseL3Formula(formula)
    if ast is None:
        raise SedmlBuildError(f"cannot parse {formula!r}")
    return ast


def _simulation(doc: object, sm: ScenarioModel) -> None:
    sim = doc.createUniformTimeCourse()  # type: ignore[attr-defined]
    _check(sim.setId("time_course"), "simulation id")
    sim.setName(f"{sm.name}: {sm.duration_h:g} h, {sm.n_points} time points")
    sim.setInitialTime(0.0)
    sim.setOutputStartTime(0.0)
    sim.setOutputEndTime(sm.duration_h)
    _check(sim.setNumberOfSteps(sm.n_points - 1), "number of steps")
    alg = sim.createAlgorithm()
    _check(alg.setKisaoID(KISAO_CVODE), "algorithm")
    for kisao, value in KISAO_PARAMETERS.items():
        par = alg.createAlgorithmParameter()
        _check(par.setKisaoID(kisao), kisao)
        _check(par.setValue(value), f"value of {kisao}")


def _data_generator(doc: object, dg_id: str, name: str, var: dict[str, str], scale: float) -> None:
    dg = doc.createDataGenerator()  # type: ignore[attr-defined]
    _check(dg.setId(dg_id), dg_id)
    dg.setName(name)
    v = dg.createVariable()
    _check(v.setId(f"{dg_id}_var"), f"variable of {dg_id}")
    v.setTaskReference("task")
    if "symbol" in var:
        _check(v.setSymbol(var["symbol"]), "time symbol")
    else:
        _check(v.setTarget(var["target"]), f"target of {dg_id}")
        v.setModelReference("model")
    formula = f"{dg_id}_var"
    if scale != 1.0:
        p = dg.createParameter()
        _check(p.setId(f"{dg_id}_scale"), f"scale of {dg_id}")
        p.setName("mg/L to ng/mL, as mtorlab simulate reports drug concentrations")
        p.setValue(scale)
        formula = f"{dg_id}_var * {dg_id}_scale"
    _check(dg.setMath(_math(formula)), f"math of {dg_id}")


def data_generator_ids(sm: ScenarioModel) -> list[str]:
    """Data-generator ids of the readouts, in the order of ``sm.outputs``."""
    return [sbml_id(f"dg_{o}") for o in sm.outputs]


def to_sedml(sm: ScenarioModel, model_file: str = SBML_FILE) -> str:
    """The SED-ML L1V4 text that runs ``sm`` (its SBML at ``model_file``) as simulate does."""
    import libsedml

    doc = libsedml.SedDocument(SEDML_LEVEL, SEDML_VERSION)
    _check(doc.getNamespaces().add(SBML_NAMESPACE, "sbml"), "the sbml namespace")
    model = doc.createModel()
    _check(model.setId("model"), "model id")
    model.setName(sm.name)
    _check(model.setLanguage(SBML_LANGUAGE), "model language")
    _check(model.setSource(model_file), "model source")
    _simulation(doc, sm)
    task = doc.createTask()
    _check(task.setId("task"), "task id")
    task.setModelReference("model")
    task.setSimulationReference("time_course")
    _data_generator(doc, "dg_time", "time_h", {"symbol": "urn:sedml:symbol:time"}, 1.0)
    report = doc.createReport()
    _check(report.setId("report"), "report id")
    report.setName(f"{sm.name}: the columns of mtorlab simulate")
    columns = [("dg_time", "time_h")]
    for dg_id, out, sid, scale in zip(
        data_generator_ids(sm), sm.outputs, sm.targets, sm.scales, strict=True
    ):
        _data_generator(doc, dg_id, out, {"target": target_xpath(sm, sid)}, scale)
        columns.append((dg_id, out))
    for dg_id, label in columns:
        ds = report.createDataSet()
        _check(ds.setId(f"ds_{dg_id.removeprefix('dg_')}"), f"data set of {dg_id}")
        ds.setLabel(label)
        ds.setDataReference(dg_id)
    text = str(libsedml.writeSedMLToString(doc))
    errors = sedml_errors(text)
    if errors:
        raise SedmlBuildError(f"the SED-ML is invalid: {errors[0]}")
    return text


def sedml_errors(text: str) -> list[str]:
    """Errors libsedml reports reading ``text`` (its schema and reference checks)."""
    import libsedml

    doc = libsedml.readSedMLFromString(text)
    log = doc.getErrorLog()
    return [
        log.getError(i).getMessage().strip()
        for i in range(log.getNumErrors())
        if log.getError(i).getSeverity() >= libsedml.LIBSEDML_SEV_ERROR
    ]


def to_omex(sm: ScenarioModel) -> bytes:
    """A COMBINE archive (OMEX) with the SBML and the SED-ML (master file) of ``sm``."""
    import libcombine

    archive = libcombine.CombineArchive()
    if not archive.addFileFromString(sm.sbml, SBML_FILE, SBML_FORMAT, False):
        raise SedmlBuildError("libcombine could not add the SBML")
    if not archive.addFileFromString(to_sedml(sm), SEDML_FILE, SEDML_FORMAT, True):
        raise SedmlBuildError("libcombine could not add the SED-ML")
    manifest = archive.getManifest()
    for location, fmt in ((".", OMEX_FORMAT),):
        entry = manifest.createContent()
        entry.setLocation(location)
        entry.setFormat(fmt)
    with tempfile.TemporaryDirectory(prefix="mtorlab-omex-") as tmp:
        path = Path(tmp) / "archive.omex"
        if not archive.writeToFile(str(path)):
            raise SedmlBuildError("libcombine could not write the archive")
        archive.cleanUp()
        return path.read_bytes()
