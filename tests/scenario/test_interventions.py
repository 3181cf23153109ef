"""Scenarios with drugs and interventions: PK shapes, responses, bad input, user drugs."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtorlab as mt
from mtorlab.cli import main
from mtorlab.errors import MtorlabError
from mtorlab.scenario import validate_scenario

FILES = Path(__file__).resolve().parents[1] / "data" / "scenarios"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def scenario(**fields: object) -> mt.scenario.Scenario:  # type: ignore[name-defined]
    base = {"name": "t", "species": "human", "duration": "2 d", "output_step": "3 min"}
    return validate_scenario({**base, **fields}, "test", mt.model().readout_ids)


def terminal_half_life(df: pd.DataFrame, col: str, start_h: float, end_h: float) -> float:
    """Half-life from a log-linear fit of ``col`` between two times."""
    w = df[(df.time_h >= start_h) & (df.time_h <= end_h)]
    slope = np.polyfit(w.time_h, np.log(w[col]), 1)[0]
    return -math.log(2) / slope


@pytest.mark.parametrize(
    ("drug", "route", "dose", "window", "expected"),
    [
        ("ketamine", "iv", "0.5 mg/kg", (4, 12), 2.5),  # Clements 1982: 2-3 h
        ("esketamine", "intranasal", "56 mg", (24, 48), 9.5),  # Spravato label: 7-12 h
        ("rapamycin", "po", "2 mg", (100, 300), 62.0),  # Rapamune label: 62 +/- 16 h
        ("fluoxetine", "po", "20 mg", (48, 200), 48.0),  # Prozac label: 1-3 d acute
    ],
)  # fmt: skip
def test_human_plasma_half_lives_match_the_sources(
    drug: str, route: str, dose: str, window: tuple[float, float], expected: float
) -> None:
    sc = scenario(
        duration="14 d",
        output_step="30 min",
        interventions=[{"drug": drug, "dose": dose, "route": route, "at": "0 h"}],
        outputs=[f"conc_plasma:{drug}"],
    )
    df = mt.simulate(sc)
    assert terminal_half_life(df, f"conc_plasma:{drug}", *window) == pytest.approx(
        expected, rel=0.2
    )


def test_esketamine_intranasal_peaks_within_20_to_40_minutes() -> None:
    sc = scenario(
        duration="6 h",
        output_step="1 min",
        interventions=[{"drug": "esketamine", "dose": "56 mg", "route": "intranasal", "at": "0 h"}],
        outputs=["conc_plasma:esketamine"],
    )
    df = mt.simulate(sc)
    t_max = df.time_h[df["conc_plasma:esketamine"].idxmax()] * 60
    assert 20 <= t_max <= 40


def test_rodent_ketamine_clears_from_brain_within_about_three_hours() -> None:
    for species in ("rat", "mouse"):
        sc = scenario(
            species=species,
            duration="12 h",
            interventions=[{"drug": "ketamine", "dose": "10 mg/kg", "route": "ip", "at": "0 h"}],
            outputs=["conc_brain:ketamine"],
        )
        brain = mt.simulate(sc).set_index("time_h")["conc_brain:ketamine"]
        assert brain.loc[3.0:].max() < 0.1 * brain.max(), species  # type: ignore[misc]


def test_rapamycin_brain_penetration_and_peg_liposome() -> None:
    """RAPA-03: brain/plasma 15-20% at equilibrium; PEG liposomes triple brain exposure."""
    runs = {}
    for form in (None, "peg_liposome"):
        iv = {"drug": "rapamycin", "dose": "1 mg/kg", "route": "ip",
              "schedule": {"start": "0 d", "every": "1 d", "count": 10}}  # fmt: skip
        if form:
            iv["formulation"] = form
        sc = scenario(species="mouse", duration="10 d", output_step="1 h", interventions=[iv],
                      outputs=["conc_plasma:rapamycin", "conc_brain:rapamycin"])  # fmt: skip
        runs[form] = mt.simulate(sc)
    plain = runs[None].iloc[-48:]
    ratio = plain["conc_brain:rapamycin"].mean() / plain["conc_plasma:rapamycin"].mean()
    assert 0.15 <= ratio <= 0.20
    peg = runs["peg_liposome"].iloc[-48:]
    assert peg["conc_brain:rapamycin"].mean() / plain[
        "conc_brain:rapamycin"
    ].mean() == pytest.approx(3.0, rel=0.05)


@pytest.fixture(scope="module")
def ketamine_rat() -> tuple[pd.DataFrame, float]:
    df = mt.simulate(EXAMPLES / "ketamine_single_dose_rat.yaml")
    return df.set_index("time_h"), 2.0  # dose time


def test_ketamine_raises_neuronal_mtorc1_and_s6k_within_the_hour(
    ketamine_rat: tuple[pd.DataFrame, float],
) -> None:
    df, t0 = ketamine_rat
    base = df.loc[:t0].iloc[-1]
    one_hour = df.loc[t0 + 1.0]
    for readout in ("mtorc1_neuron", "p_s6k"):
        assert one_hour[readout] > 1.10 * base[readout], readout


def test_ketamine_signalling_returns_towards_baseline_within_hours(
    ketamine_rat: tuple[pd.DataFrame, float],
) -> None:
    df, t0 = ketamine_rat
    base, peak = df.loc[:t0].iloc[-1]["mtorc1_neuron"], df["mtorc1_neuron"].max()
    day = df.loc[t0 + 24.0]["mtorc1_neuron"]
    assert day - base < 0.3 * (peak - base)


def test_ketamine_synaptic_protein_rises_over_hours_and_stays_up_for_days(
    ketamine_rat: tuple[pd.DataFrame, float],
) -> None:
    df, t0 = ketamine_rat
    base = df.loc[:t0].iloc[-1]["synaptic_protein"]
    s = df["synaptic_protein"]
    assert s.idxmax() - t0 > 4.0  # slower than the kinase response
    assert s.loc[t0 + 48.0] > base * 1.01  # still above baseline two days later


def test_ketamine_lowers_the_depression_score_by_24_hours(
    ketamine_rat: tuple[pd.DataFrame, float],
) -> None:
    df, t0 = ketamine_rat
    base = df.loc[:t0].iloc[-1]["depression_score"]
    assert df.loc[t0 + 24.0]["depression_score"] < base - 3


def test_rapamycin_alone_in_cums_lowers_glial_mtorc1_and_raises_autophagy() -> None:
    """Over the last dosing interval (the day's mean, not the trough 24 h after a dose: the
    mouse half-life is 5.5 h, so the level falls about 20-fold between doses)."""
    df = mt.simulate(EXAMPLES / "rapamycin_continuous_cums_mouse.yaml")
    start = df.iloc[0]
    last_day = df[df["time_h"] >= df["time_h"].max() - 24]
    assert last_day["mtorc1_glia"].mean() < 0.5 * start["mtorc1_glia"]
    assert last_day["autophagy_flux"].mean() > 1.2 * start["autophagy_flux"]
    assert last_day["mtorc1_glia"].max() < start["mtorc1_glia"]  # lower even at the trough


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("bad_unknown_drug.yaml", "unknown drug or intervention 'ketamin'; nearest: ketamine"),
        (
            "bad_route_for_drug.yaml",
            "interventions #1', field 'route': 'iv' is not a route of fluoxetine; allowed: po, ip",
        ),
        (
            "bad_route_without_absorption.yaml",
            "interventions #1', field 'route': 'intranasal' is not a route of rapamycin",
        ),
        ("bad_absurd_dose.yaml", "interventions #1', field 'dose': '5000 mg/kg' is implausible"),
        ("bad_schedule_outside.yaml", "field 'schedule': a dose at 168 h falls outside"),
        ("bad_drug_as_intervention.yaml", "write `intervention: exercise`"),
        (
            "bad_formulation.yaml",
            "'nanogel' is not a formulation of rapamycin; known: peg_liposome",
        ),
    ],
)
def test_bad_interventions_fail_with_one_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, says: str
) -> None:
    out, plot = tmp_path / "out.csv", tmp_path / "out.png"
    code = main(["simulate", str(FILES / name), "-o", str(out), "--plot", str(plot)])
    err = capsys.readouterr().err
    assert code == 2
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() and not plot.exists()


@pytest.mark.parametrize(
    ("name", "field", "says"),
    [
        ("bad_negative_dose.yaml", "dose", "must be positive"),
        ("bad_drug_readout.yaml", "outputs[0]", "unknown readout 'conc_plasma:esketamine'"),
    ],
)
def test_bad_scenario_fields_are_named(name: str, field: str, says: str) -> None:
    with pytest.raises(MtorlabError) as err:
        mt.load_scenario(FILES / name)
    assert err.value.field == field and says in str(err.value)  # type: ignore[attr-defined]


def test_a_scenario_brings_its_own_drug() -> None:
    df = mt.simulate(FILES / "with_own_drug.yaml").set_index("time_h")
    assert df["conc_plasma:zz_agonist"].max() > 0
    assert df["p_akt_t308"].max() > 1.05 * df["p_akt_t308"].iloc[0]


def test_a_library_file_adds_a_drug_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    sc = tmp_path / "uses_zz.yaml"
    sc.write_text(
        "name: zz\nspecies: mouse\nduration: 1 d\n"
        "interventions: [{drug: zz_agonist, dose: 10 mg/kg, route: po, at: 1 h}]\n"
        "outputs: [conc_brain:zz_agonist, mtorc1_neuron]\n",
        encoding="utf-8",
    )
    assert main(["simulate", str(sc)]) == 2
    assert "unknown drug or intervention 'zz_agonist'" in capsys.readouterr().err
    out = tmp_path / "zz.csv"
    lib = data_dir / "library" / "made_up_drug.yaml"
    assert main(["simulate", str(sc), "--library", str(lib), "-o", str(out)]) == 0
    assert pd.read_csv(out)["conc_brain:zz_agonist"].max() > 0


def test_library_flag_works_in_a_fresh_process(tmp_path: Path, data_dir: Path) -> None:
    """``--library`` as a user runs it: a new interpreter, nothing imported before (issue 16)."""
    sc = tmp_path / "uses_zz.yaml"
    sc.write_text(
        "name: zz\nspecies: mouse\nduration: 6 h\n"
        "interventions: [{drug: zz_agonist, dose: 10 mg/kg, route: po, at: 1 h}]\n"
        "outputs: [conc_brain:zz_agonist]\n",
        encoding="utf-8",
    )
    out = tmp_path / "zz.csv"
    lib = data_dir / "library" / "made_up_drug.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "mtorlab.cli", "simulate", str(sc), "--library", str(lib),
         "-o", str(out), "--store", str(tmp_path / "store")],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert pd.read_csv(out)["conc_brain:zz_agonist"].max() > 0


def test_vary_makes_a_dose_response_table_and_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot, out = tmp_path / "dr.png", tmp_path / "dr.csv"
    code = main(["simulate", str(EXAMPLES / "esketamine_dose_series_human.yaml"), "--outputs",
                 "mtorc1_neuron,conc_plasma:esketamine", "--vary", "esketamine.dose=0.1,0.5,1.5mg/kg",
                 "--plot", str(plot), "-o", str(out)])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0 and "0.1 mg/kg" in text and "1.5 mg/kg" in text
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out)
    peaks = table.groupby("vary", sort=False).max()
    assert list(peaks.index) == ["vehicle", "0.1 mg/kg", "0.5 mg/kg", "1.5 mg/kg"]
    # each arm got its own dose: linear PK scales the plasma peak with it
    conc = peaks["conc_plasma:esketamine"]
    assert conc["0.5 mg/kg"] / conc["0.1 mg/kg"] == pytest.approx(5, rel=0.01)
    assert conc["1.5 mg/kg"] / conc["0.1 mg/kg"] == pytest.approx(15, rel=0.01)
    assert peaks["mtorc1_neuron"]["0.5 mg/kg"] > peaks["mtorc1_neuron"]["0.1 mg/kg"]


def test_fluoxetine_half_life_lengthens_on_chronic_dosing_and_norfluoxetine_lingers() -> None:
    """Prozac label: 1-3 d after one dose, 4-6 d after chronic dosing; norfluoxetine 4-16 d."""
    sc = scenario(
        duration="35 d",
        output_step="2 h",
        interventions=[{"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                        "schedule": {"start": "0 d", "every": "1 d", "count": 30}}],
        outputs=["conc_plasma:fluoxetine", "conc_plasma:norfluoxetine"],
    )  # fmt: skip
    df = mt.simulate(sc)
    last = 29 * 24
    chronic = terminal_half_life(df, "conc_plasma:fluoxetine", last + 24, last + 120)
    assert chronic / 24 == pytest.approx(5.0, rel=0.2)
    d = df.set_index("time_h")
    parent_left = (
        d.loc[last + 144, "conc_plasma:fluoxetine"] / d.loc[last + 24, "conc_plasma:fluoxetine"]
    )
    metab_left = (
        d.loc[last + 144, "conc_plasma:norfluoxetine"]
        / d.loc[last + 24, "conc_plasma:norfluoxetine"]
    )
    assert metab_left > parent_left


def test_an_anaesthetic_ketamine_dose_runs_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: an 80 mg/kg dose used to run without a word (the model is subanaesthetic)."""
    text = ("name: k\nspecies: rat\nduration: 6 h\ninterventions: [{{drug: ketamine, "
            "dose: {dose}, route: ip, at: 1 h}}]\noutputs: [mtorc1_neuron]\n")  # fmt: skip
    high, low = tmp_path / "high.yaml", tmp_path / "low.yaml"
    high.write_text(text.format(dose="80 mg/kg"), encoding="utf-8")
    low.write_text(text.format(dose="10 mg/kg"), encoding="utf-8")
    assert "anaesthetic range" in " ".join(mt.simulate(high).attrs["warnings"])
    assert mt.simulate(low).attrs["warnings"] == []
    assert main(["simulate", str(high), "--store", str(tmp_path / "store")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("mtorlab: warning: ") and "80 mg/kg" in err


INFUSIONS = (
    "name: inf\nspecies: human\nduration: 4 h\noutput_step: 1 min\ninterventions:\n"
    "  - {{drug: esketamine, dose: {esk}, route: iv, at: 1 h{esk_over}}}\n"
    "  - {{drug: ketamine, dose: {ket}, route: iv, at: 1 h, over: 40 min}}\n"
    "outputs: [conc_plasma:esketamine, conc_plasma:ketamine]\n"
)


def test_an_infusion_is_judged_by_its_plasma_peak_and_a_bolus_by_its_dose(tmp_path: Path) -> None:
    """1 mg/kg over 40 min (the high arm of Fava 2018) is the antidepressant regimen, not an
    induction: it used to be warned of as anaesthetic because its dose equals the label's
    bolus. Now an infusion is warned of only when its predicted plasma peak reaches the
    anaesthetic level; the predicted peak is the one the simulation reaches (a 40-min
    infusion ending on a 1-min report time also used to stop CVODE: CV_TOO_CLOSE)."""
    from mtorlab._bilingual import chinese
    from mtorlab.interventions import load_library
    from mtorlab.pk._dosing import infusion_peak_ng_per_ml

    f = tmp_path / "s.yaml"
    f.write_text(INFUSIONS.format(esk="1.0 mg/kg", esk_over=", over: 40 min", ket="1.0 mg/kg"))
    run = mt.simulate(f)
    assert run.attrs["warnings"] == [] and len(run) == 241
    lib = load_library()
    for drug in ("esketamine", "ketamine"):  # two-compartment and one-compartment PK
        col = run[f"conc_plasma:{drug}"]
        assert run.time_h[col.idxmax()] == pytest.approx(1 + 40 / 60)
        predicted = infusion_peak_ng_per_ml(lib.get(drug).pk["human"], 1.0, 40 / 60)
        assert predicted == pytest.approx(col.max(), rel=0.01)
    f.write_text(INFUSIONS.format(esk="0.5 mg/kg", esk_over="", ket="4.5 mg/kg"))
    bolus, slow_high = mt.simulate(f).attrs["warnings"]
    assert (
        "esketamine 0.5 mg/kg iv in a human is in the anaesthetic range (from 0.5 mg/kg)" in bolus
    )
    assert "ketamine 4.5 mg/kg iv over 40 min in a human peaks at about 1370 ng/mL" in slow_high
    assert "(from 1200 ng/mL)" in slow_high
    # each warning carries its Chinese version (the dashboard's Chinese view shows it)
    assert "艾司氯胺酮 0.5 mg/kg iv（人）已达麻醉剂量范围" in chinese(bolus)
    assert "氯胺酮 4.5 mg/kg iv（人，输注 40 分钟）的血浆峰浓度约 1370 ng/mL" in chinese(slow_high)


@pytest.mark.parametrize(
    ("step", "at", "over", "duration"),
    [("20 s", "10 min", "13 min", "3 h"), ("20 s", "10 min", "1 s", "2.9 h"),
     ("1 min", "1 h", "40 min", "3 h")],
)  # fmt: skip
def test_a_dose_within_rounding_of_a_report_time_runs(
    tmp_path: Path, step: str, at: str, over: str, duration: str
) -> None:
    """Cases that stopped the reference engine (CVODE's CV_TOO_CLOSE: a dose or an
    infusion's end a few 1e-16 h from a report time; 16 of 128 grid/dose combinations
    tried): each runs and reports every time of its grid."""
    f = tmp_path / "s.yaml"
    f.write_text(
        f"name: g\nspecies: human\nduration: {duration}\noutput_step: {step}\n"
        f"interventions: [{{drug: ketamine, dose: 0.5 mg/kg, route: iv, at: {at}, over: {over}}}]\n"
        "outputs: [conc_plasma:ketamine]\n"
    )
    run = mt.simulate(f)
    grid = validate_scenario(
        {"name": "g", "species": "human", "duration": duration, "output_step": step},
        "test",
        mt.model().readout_ids,
    )
    assert len(run) == grid.n_points()
    assert run["conc_plasma:ketamine"].notna().all() and run["conc_plasma:ketamine"].max() > 0


def test_a_formulation_outside_the_species_it_was_measured_in_runs_with_a_warning(
    tmp_path: Path,
) -> None:
    """PEG-liposomal rapamycin's factors are rodent findings: in a human they are carried
    over, and the run says so; in a mouse it does not."""
    text = ("name: p\nspecies: {species}\nduration: 6 h\ninterventions: [{{drug: rapamycin, "
            "dose: {dose}, route: po, formulation: peg_liposome, at: 1 h}}]\n"
            "outputs: [mtorc1_glia]\n")  # fmt: skip
    human, mouse = tmp_path / "human.yaml", tmp_path / "mouse.yaml"
    human.write_text(text.format(species="human", dose="6 mg"), encoding="utf-8")
    mouse.write_text(text.format(species="mouse", dose="1 mg/kg"), encoding="utf-8")
    (warning,) = mt.simulate(human).attrs["warnings"]
    assert "peg_liposome in a human" in warning and "mouse and rat" in warning
    assert mt.simulate(mouse).attrs["warnings"] == []
