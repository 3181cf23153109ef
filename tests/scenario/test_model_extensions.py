"""Model extensions as data (issue 15): the scopolamine worked example end to end, and the
checks an extension goes through.

The example (examples/extensions/) is data only: an extension adding the model input
``m1r_block``, a species that follows it, two reactions (one feeding the base model's
glutamate burst), a readout and the knowledge-base mechanisms its reactions cite; a
library file whose drug targets that input. Commands run in fresh interpreters, as a user
runs them. Each check compares against the same scenario with the extension's coupling
to the base model cut (its gain 0), so the extension's reactions have to reach a base
readout for it to pass.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from fresh_cli import mtorlab
from fresh_cli import ok as _ok
from mtorlab.errors import DataFileError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "extensions"
EXTENSION = EXAMPLE / "scopolamine_m1.yaml"
LIBRARY = EXAMPLE / "scopolamine_library.yaml"
SCENARIO = EXAMPLE / "scopolamine_human.yaml"
TRIAL = EXAMPLE / "scopolamine_trial.yaml"


def _yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _uncoupled() -> dict[str, Any]:
    """The extension with the M1 disinhibition's drive on the glutamate burst set to 0."""
    ext = copy.deepcopy(_yaml(EXTENSION))
    gain = next(p for p in ext["parameters"] if p["id"] == "g_m1_burst")
    gain["value"], gain["range"] = 0.0, [0.0, 3.0]
    return ext


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the uncoupled extension and the example scenario pointing at it."""
    d = tmp_path_factory.mktemp("extensions")
    _write(d / "uncoupled.yaml", _uncoupled())
    sc = _yaml(SCENARIO)
    sc["extensions"] = ["uncoupled.yaml"]
    _write(d / "uncoupled_scenario.yaml", sc)
    return d


def test_simulate_the_extension_drives_base_readouts(files: Path) -> None:
    out, cut = files / "sim.csv", files / "cut.csv"
    text = _ok(mtorlab("simulate", SCENARIO, "--library", LIBRARY, "-o", out, cwd=files))
    _ok(mtorlab("simulate", files / "uncoupled_scenario.yaml", "--library", LIBRARY,
                "-o", cut, cwd=files))  # fmt: skip
    df, base = pd.read_csv(out), pd.read_csv(cut)
    t = df["time_h"]
    conc = df["conc_plasma:scopolamine"]
    # given at 1 h; 0.28 mg iv in 70 kg peaks in the range Putcha 1989 saw after 0.4 mg iv
    # (2.9 ng/mL): one-compartment, so the order of magnitude, not the value
    assert conc[t <= 1].max() == 0 and 0.5 < conc.max() < 10
    # the drug reaches the extension's input, and its species follows in both runs
    assert df["m1_disinhibition"].max() > 0.2 and base["m1_disinhibition"].max() > 0.2
    assert df["m1_disinhibition"][t <= 1].max() == 0
    # coupled, the extension's reaction raises the base model's burst and mTORC1; cut, not
    assert df["glutamate_burst"].max() > base["glutamate_burst"].max() + 0.05
    assert base["glutamate_burst"].max() < base["glutamate_burst"].iloc[0] + 1e-3
    assert df["mtorc1_neuron"].max() > base["mtorc1_neuron"].max() + 0.01
    assert df["depression_score"].min() < base["depression_score"].min() - 1
    from mtorlab.store import RunStore

    run_id = text.split("run ")[-1].split()[0]
    stored = RunStore(files / "store").get(run_id).scenario_text or ""
    # the record holds the drug (--library) and the extension's content, mechanisms included
    assert "# --library" in stored and "#   - id: scopolamine" in stored
    ext = stored.split("# model extensions (resolved):")[1]
    assert "id: m_chrm1_interneuron_restrains_burst" in ext and "id: r_m1_glutamate_burst" in ext


def test_extension_option_matches_the_block(files: Path) -> None:
    """``--extension FILE`` on a scenario without ``extensions:`` runs the same model."""
    sc = _yaml(SCENARIO)
    del sc["extensions"]
    bare = _write(files / "bare.yaml", sc)
    out = files / "opt.csv"
    _ok(mtorlab("simulate", bare, "--library", LIBRARY, "--extension", EXTENSION, "-o", out,
                cwd=files))  # fmt: skip
    block = files / "block.csv"
    _ok(mtorlab("simulate", SCENARIO, "--library", LIBRARY, "-o", block, cwd=files))
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(block))
    proc = mtorlab("simulate", bare, "--library", LIBRARY, cwd=files)  # no extension at all
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "m_scopolamine_blocks_chrm1" in proc.stderr and "Traceback" not in proc.stderr


def test_report_shows_the_extension_and_its_evidence(files: Path) -> None:
    out = files / "report"
    _ok(mtorlab("report", SCENARIO, "--library", LIBRARY, "-o", out, cwd=files))
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Model extensions" in page and "r_m1_glutamate_burst" in page
    assert "<b>m_scopolamine_blocks_chrm1</b>: scopolamine ⊣ chrm1" in page  # the drug's target
    assert "Navarria A et al. 2015" in page and "Putcha L et al. 1989" in page


def test_cohort(files: Path) -> None:
    out = files / "cohort"
    _ok(mtorlab("cohort", SCENARIO, "--library", LIBRARY, "--n", "2", "--engine", "reference",
                "-o", out, cwd=files))  # fmt: skip
    cut = files / "cohort_cut"
    _ok(mtorlab("cohort", files / "uncoupled_scenario.yaml", "--library", LIBRARY, "--n", "2",
                "--engine", "reference", "-o", cut, cwd=files))  # fmt: skip
    a, b = pd.read_parquet(out), pd.read_parquet(cut)
    assert len(a) == len(b) == 2
    hours = [int(c[len("madrs_") : -1]) for c in a.columns if c.startswith("madrs_")]
    end = f"madrs_{max(hours)}h"
    # same patients (same seed): the drug lowers each one's MADRS below the untreated
    # course, and more with the extension coupled to the base model than cut from it
    effect_a = a[f"untreated_{end}"] - a[end]
    effect_b = b[f"untreated_{end}"] - b[end]
    assert (effect_a > 0.5).all() and (effect_a > effect_b + 0.5).all(), (effect_a, effect_b)


#: A claims file whose one check reads the base model's burst and the extension's readout.
CLAIMS = {
    "checks": [{
        "id": "FUT-99",
        "claims": ["KET-01"],
        "statement": "A muscarinic block raises the glutamate burst (claims --extension).",
        "reading": "Scopolamine 4 ug/kg iv at 1 h in a stressed human vs untreated, at 2.5 h.",
        "split": "held_out",
        "arms": {
            "base": {"name": "base", "species": "human", "duration": "1 d",
                     "condition": {"chronic_stress": 0.8}},
            "scop": {"base": "base", "add": [{"drug": "scopolamine", "dose": "0.004 mg/kg",
                                              "route": "iv", "at": "1 h", "over": "15 min"}]},
        },
        "assertions": [
            {"type": "increases", "readout": "glutamate_burst", "arm": "scop", "vs": "base",
             "at": "2.5 h"},
            {"type": "increases", "readout": "m1_disinhibition", "arm": "scop", "vs": "base",
             "at": "2.5 h"},
        ],
    }]
}  # fmt: skip


def test_claims_run_with_the_extension(files: Path) -> None:
    """``mtorlab claims --extension``: every arm runs on the extended model; the check passes
    with the extension coupled and its burst assertion fails with the coupling cut."""
    checks = _write(files / "claims.yaml", CLAIMS)
    text = _ok(mtorlab("claims", "--checks", checks, "--library", LIBRARY, "--extension",
                       EXTENSION, "-v", cwd=files))  # fmt: skip
    assert "FUT-99   PASS" in text and "m1_disinhibition: scop" in text
    cut = mtorlab("claims", "--checks", checks, "--library", LIBRARY, "--extension",
                  files / "uncoupled.yaml", cwd=files)  # fmt: skip
    assert cut.returncode == 1 and "FUT-99   FAIL" in cut.stdout, cut.stdout + cut.stderr
    assert "glutamate_burst" in cut.stdout
    bare = mtorlab("claims", "--checks", checks, "--library", LIBRARY, cwd=files)
    assert bare.returncode == 2 and "m_scopolamine_blocks_chrm1" in bare.stderr
    assert bare.stderr.count("\n") == 1 and "Traceback" not in bare.stderr


STRATEGIES = {
    "strategies": [{
        "id": "scopolamine_x3",
        "description": "scopolamine 4 ug/kg iv, three infusions two days apart",
        "interventions": [{"drug": "scopolamine", "dose": "0.004 mg/kg", "route": "iv",
                           "over": "15 min",
                           "schedule": {"start": "1 h", "every": "48 h", "count": 3}}],
    }]
}  # fmt: skip


def test_rank_runs_the_strategies_on_the_extended_model(files: Path) -> None:
    """``mtorlab rank --extension``: the strategy, the untreated arm and the placebo layer
    run on the extended model; scopolamine's MADRS advantage over placebo is larger with the
    extension coupled than cut."""
    import json

    strategies = _write(files / "strategies.yaml", STRATEGIES)
    profile = files / "profile.yaml"
    profile.write_text("species: human\nmadrs: 32\n", encoding="utf-8")

    def ranked(extension: Path) -> dict[str, Any]:
        out = _ok(mtorlab("rank", "--profile", profile, "--strategies", strategies, "--library",
                          LIBRARY, "--extension", extension, "--horizon", "7d", "--n", "20",
                          "--json", cwd=files))  # fmt: skip
        (row,) = json.loads(out)["strategies"]
        return dict(row)

    coupled, cut = ranked(EXTENSION), ranked(files / "uncoupled.yaml")
    # more MADRS points below placebo with the extension coupled to the base model
    assert coupled["madrs_vs_placebo"] < cut["madrs_vs_placebo"] - 2.0, (coupled, cut)
    # the explanation traces the extended model: the drug's entry mechanism is the extension's
    cited = {m["id"] for item in coupled["explanation"] for m in item["mechanisms"]}
    assert "m_scopolamine_blocks_chrm1" in cited, coupled["explanation"]
    bare = mtorlab("rank", "--profile", profile, "--strategies", strategies, "--library", LIBRARY,
                   cwd=files)  # fmt: skip
    assert bare.returncode == 2 and "m_scopolamine_blocks_chrm1" in bare.stderr
    assert bare.stderr.count("\n") == 1 and "Traceback" not in bare.stderr


def test_sensitivity_samples_the_extension_parameters(files: Path) -> None:
    """``mtorlab sensitivity`` on a scenario with an extension samples the extension's own
    parameters: the M1 disinhibition's gain on the burst is among the three that move the
    glutamate burst most an hour after scopolamine."""
    out = files / "sensitivity.csv"
    _ok(mtorlab("sensitivity", SCENARIO, "--library", LIBRARY, "--readout", "glutamate_burst",
                "--at", "2h", "--n", "2", "-o", out, cwd=files))  # fmt: skip
    table = pd.read_csv(out)
    assert {"g_m1_burst", "k_m1_disinhibition"} <= set(table["parameter"])
    assert "g_m1_burst" in set(table["parameter"].head(3)), table.head(5)


def test_kb_trace_follows_the_extension(files: Path) -> None:
    """``mtorlab kb trace READOUT --extension``: the extension's reaction into a base readout
    and its mechanism's evidence appear; without it, the base model's trace alone."""
    text = _ok(mtorlab("kb", "trace", "glutamate_burst", "--extension", EXTENSION, cwd=files))
    assert "r_m1_glutamate_burst [reaction]" in text
    assert "m_chrm1_interneuron_restrains_burst" in text and "Navarria A et al. 2015" in text
    base = _ok(mtorlab("kb", "trace", "glutamate_burst", cwd=files))
    assert "r_glutamate_burst [reaction]" in base and "r_m1_glutamate_burst" not in base
    own = _ok(mtorlab("kb", "trace", "m1_disinhibition", "--extension", EXTENSION, cwd=files))
    assert own.startswith("m1_disinhibition: ")


def test_figure_scenario_runs_on_the_extended_model(files: Path) -> None:
    """``mtorlab figure scenario --extension`` colours the review's figure by the extended
    model's changes, the same as the scenario's own ``extensions:`` block."""
    sc = _yaml(SCENARIO)
    del sc["extensions"]
    bare = _write(files / "bare_figure.yaml", sc)

    def changes(*args: str | Path) -> str:
        out = _ok(mtorlab("figure", "scenario", *args, "--library", LIBRARY, "--at", "3h",
                          "-o", files / "figure.png", cwd=files))  # fmt: skip
        return out.splitlines()[0]

    block, option = changes(SCENARIO), changes(bare, "--extension", EXTENSION)
    assert block == option and "glutamate_burst +" in block, (block, option)
    assert (files / "figure.png").stat().st_size > 10_000


def test_trial(files: Path) -> None:
    trial = _yaml(TRIAL)
    trial["extensions"] = [str(EXTENSION)]  # the trial's own block (a path, read from here)
    trial["engine"] = "reference"
    coupled = _write(files / "trial.yaml", trial)
    del trial["extensions"]  # the uncoupled variant given as --extension instead
    bare = _write(files / "trial_bare.yaml", trial)
    runs = {
        "coupled": (coupled,),
        "cut": (bare, "--extension", files / "uncoupled.yaml"),
    }
    lines = {}
    for name, args in runs.items():
        text = _ok(mtorlab("trial", *args, "--library", LIBRARY, "--n", "3", cwd=files))
        lines[name] = next(ln for ln in text.splitlines() if "scopolamine - saline" in ln)
    diff = {k: float(v.split("MADRS ")[1].split()[0]) for k, v in lines.items()}
    assert diff["coupled"] < diff["cut"] - 1, diff  # the arm's drug acts through the extension


def test_export_sbml_and_omex(files: Path) -> None:
    import libsbml

    sbml, omex = files / "sc.xml", files / "sc.omex"
    _ok(mtorlab("export", "sbml", "--scenario", SCENARIO, "--library", LIBRARY, "-o", sbml,
                cwd=files))  # fmt: skip
    _ok(mtorlab("export", "omex", "--scenario", SCENARIO, "--library", LIBRARY, "-o", omex,
                cwd=files))  # fmt: skip
    base = files / "model.xml"
    _ok(mtorlab("export", "sbml", "--extension", EXTENSION, "-o", base, cwd=files))
    for text in (
        sbml.read_text(encoding="utf-8"),
        next(
            zipfile.ZipFile(omex).read(n).decode()
            for n in zipfile.ZipFile(omex).namelist()
            if n.endswith(".xml") and "sbml" in zipfile.ZipFile(omex).read(n).decode()[:400]
        ),
        base.read_text(encoding="utf-8"),
    ):
        doc = libsbml.readSBMLFromString(text)
        m = doc.getModel()
        assert m.getSpecies("m1_disinhibition") is not None
        rx = m.getReaction("r_m1_glutamate_burst")
        assert rx is not None and "mglu23_feedback" in libsbml.formulaToL3String(
            rx.getKineticLaw().getMath()
        )
        assert m.getParameter("g_m1_burst") is not None
        doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
        doc.checkConsistency()
        errors = [
            doc.getError(i).getMessage()
            for i in range(doc.getNumErrors())
            if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
        ]
        assert not errors, errors[:2]


def test_the_scenario_sbml_runs_the_extension(files: Path) -> None:
    """The exported scenario SBML, run on its own in libRoadRunner, shows the burst."""
    import roadrunner

    sbml = files / "sc.xml"
    if not sbml.exists():
        _ok(mtorlab("export", "sbml", "--scenario", SCENARIO, "--library", LIBRARY, "-o", sbml,
                    cwd=files))  # fmt: skip
    rr = roadrunner.RoadRunner(sbml.read_text(encoding="utf-8"))
    rr.timeCourseSelections = ["time", "glutamate_burst", "m1_disinhibition"]
    res = rr.simulate(0, 8, 161)
    assert max(res[:, 2]) > 0.2 and max(res[:, 1]) > res[0, 1] + 0.05


# --- in process: the model, the cache, the checks -------------------------------------------


def _scenario(**extra: Any) -> dict[str, Any]:
    sc = _yaml(SCENARIO)
    sc["extensions"] = [_yaml(EXTENSION)]
    sc["drugs"] = _yaml(LIBRARY)["drugs"]
    sc["duration"] = "8 h"
    sc.update(extra)
    return sc


def test_the_base_model_is_never_changed() -> None:
    import mtorlab as mt
    from mtorlab.scenario import resolve_scenario
    from mtorlab.scenario._extension import extended_model

    base = mt.model()
    n_species, n_reactions = len(base.species), len(base.reactions)
    sc = resolve_scenario(_scenario(), where="test")
    m = extended_model(base, sc.extensions)
    assert "m1r_block" in m.parameters and "m1_disinhibition" in m.readouts
    assert "m1r_block" not in base.parameters and "m1_disinhibition" not in base.species
    assert (len(base.species), len(base.reactions)) == (n_species, n_reactions)
    assert mt.model() is base
    assert "m_scopolamine_blocks_chrm1" not in mt.knowledge_base().mechanisms


def test_extended_models_are_cached_by_content_and_bounded() -> None:
    import mtorlab as mt
    from mtorlab.scenario._extension import _EXTENDED, extended_model

    ext = _yaml(EXTENSION)
    a = extended_model(mt.model(), [ext])
    assert extended_model(mt.model(), [copy.deepcopy(ext)]) is a  # same text: same model
    other = _uncoupled()
    b = extended_model(mt.model(), [other])
    assert b is not a and b.parameters["g_m1_burst"].value == 0.0
    for k in range(_EXTENDED.maxsize + 2):  # many distinct extensions: the cache stays bounded
        variant = copy.deepcopy(other)
        variant["parameters"][1]["value"] = 1.0 + k / 100
        extended_model(mt.model(), [variant])
    assert len(_EXTENDED) <= _EXTENDED.maxsize


def test_a_drug_may_target_an_extension_input_only_with_it() -> None:
    import mtorlab as mt

    df = mt.simulate(_scenario(outputs=["m1_disinhibition", "glutamate_burst"]))
    assert df["m1_disinhibition"].max() > 0.2
    sc = _scenario()
    sc["drugs"][0]["targets"][0]["mechanisms"] = ["m_nmdar_glutamate_burst"]  # a base one
    del sc["extensions"]
    sc["outputs"] = ["bdnf"]
    with pytest.raises(DataFileError, match="m1r_block") as info:  # the input needs the extension
        mt.simulate(sc)
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize(
    ("where", "value", "fragments"),
    [
        ("species.0.id", "glutamate_burst", ["species", "'glutamate_burst'", "duplicate id"]),
        ("parameters.1.unit", "mg", ["units are not consistent"]),
        ("reactions.0.rate", "k_m1_disinhibition * nowhere", ["'nowhere'", "rate"]),
        ("reactions.1.equation", "-> not_a_species", ["'not_a_species'", "equation"]),
        ("reactions.0.mechanisms", ["m_not_there"], ["m_not_there", "mechanisms:"]),
        ("mechanisms.0.id", "m_mtor_forms_mtorc1", ["'m_mtor_forms_mtorc1'", "already defined"]),
        ("mechanisms.0.evidence", [], ["evidence"]),
        ("species.0.entity", "zz_none", ["unknown entity 'zz_none'"]),
        ("readouts.0.target", "zz_none", ["zz_none", "target"]),
        ("parameters.0.role", "baseline", ["role 'baseline' is not open to extensions"]),
    ],
)
def test_a_bad_extension_is_one_line_naming_file_record_field(
    tmp_path: Path, where: str, value: Any, fragments: list[str]
) -> None:
    from mtorlab.scenario import resolve_scenario

    ext = _yaml(EXTENSION)
    node: Any = ext
    keys = where.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    node[keys[-1]] = value
    path = _write(tmp_path / "bad_ext.yaml", ext)
    sc = _yaml(SCENARIO)
    sc["extensions"] = [str(path)]
    sc["drugs"] = _yaml(LIBRARY)["drugs"]
    with pytest.raises(DataFileError) as info:
        resolve_scenario(_write(tmp_path / "sc.yaml", sc))
    msg = str(info.value)
    assert msg.startswith(str(path)) and "\n" not in msg, msg
    for f in fragments:
        assert f in msg, (f, msg)


def test_the_dashboard_runs_an_inline_extension_and_refuses_a_path() -> None:
    from fastapi.testclient import TestClient

    from mtorlab.web import create_app

    sc = _scenario(outputs=["m1_disinhibition", "glutamate_burst", "conc_plasma:scopolamine"])
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        resp = client.post("/api/simulate", json=sc)
        assert resp.status_code == 200, resp.text
        d = resp.json()
        assert d["columns"] == sc["outputs"]
        assert d["units"]["m1_disinhibition"] == "fraction (0..1)"
        assert max(d["values"]["m1_disinhibition"]) > 0.2
        cut = copy.deepcopy(sc)
        cut["extensions"] = [_uncoupled()]
        other = client.post("/api/simulate", json=cut).json()
        assert max(d["values"]["glutamate_burst"]) > max(other["values"]["glutamate_burst"]) + 0.05
        # a file path cannot be read by the server: refused, naming the entry
        by_path = {**sc, "extensions": ["examples/extensions/scopolamine_m1.yaml"]}
        resp = client.post("/api/simulate", json=by_path)
        assert resp.status_code == 422 and resp.json()["field"] == "extensions[0]"
        assert "inline" in resp.json()["error"]
        bad = copy.deepcopy(sc)
        bad["extensions"][0]["reactions"][0]["rate"] = "k_m1_disinhibition * nowhere"
        resp = client.post("/api/simulate", json=bad)
        assert resp.status_code == 422, resp.text
        assert resp.json()["field"] == "extensions[0].reactions.r_m1_disinhibition.rate"


def test_extension_parameters_can_be_overridden_and_engines_agree() -> None:
    """``parameters=`` and batch rows reach an extension's parameters; the batch engine
    (its kernels generated for the extended model) agrees with the reference engine."""
    import numpy as np

    import mtorlab as mt

    sc = _scenario(outputs=["m1_disinhibition", "glutamate_burst", "mtorc1_neuron"])
    ref = mt.simulate(sc)
    cut = mt.simulate(sc, parameters={"g_m1_burst": 0.0})
    assert ref["glutamate_burst"].max() > cut["glutamate_burst"].max() + 0.05
    assert cut["glutamate_burst"].max() < cut["glutamate_burst"].iloc[0] + 1e-3
    run = mt.simulate_batch(sc, [{}, {"g_m1_burst": 0.0}])
    assert (run.status == 0).all()
    for row, frame in ((0, ref), (1, cut)):
        np.testing.assert_allclose(
            run.values[row], frame[list(run.readouts)].to_numpy(), rtol=1e-3, atol=1e-5
        )


def test_the_python_api_takes_extension_files(tmp_path: Path) -> None:
    """``extension_files=`` joins the scenario's own block, as ``--extension`` does."""
    import mtorlab as mt

    sc = _yaml(SCENARIO)
    del sc["extensions"]
    sc["duration"] = "8 h"
    sc["outputs"] = ["m1_disinhibition", "glutamate_burst"]
    bare = _write(tmp_path / "bare.yaml", sc)
    with pytest.raises(DataFileError, match="m_scopolamine_blocks_chrm1"):  # no extension
        mt.simulate(bare, library_files=[LIBRARY])
    loaded = mt.load_scenario(bare, library_files=[LIBRARY], extension_files=[EXTENSION])
    assert [e["source"] for e in loaded.extensions] == [str(EXTENSION)]
    df = mt.simulate(bare, library_files=[LIBRARY], extension_files=EXTENSION)
    cut_file = _write(tmp_path / "cut.yaml", _uncoupled())
    cut = mt.simulate(bare, library_files=[LIBRARY], extension_files=[cut_file])
    assert df["glutamate_burst"].max() > cut["glutamate_burst"].max() + 0.05
