"""Bad input gets one readable line and exit 2, within seconds, and nothing is written
(issue 16: each case here was an internal error, a hang, a silent acceptance or a write)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mtorlab.cli import main

GOOD = "name: t\nspecies: mouse\nduration: 1 d\noutputs: [bdnf]\n"
SCENARIOS = {
    "duplicate output": (GOOD.replace("[bdnf]", "[bdnf, bdnf]"), "listed twice"),
    "one-nanosecond step": (GOOD + "output_step: 1 ns\n", "at most 1,000,000"),
    "5,000-digit number": (GOOD + "condition: {chronic_stress: " + "9" * 5000 + "}\n",
                           "cannot be read"),
    "duplicate key": ("name: t\nspecies: mouse\nspecies: rat\nduration: 1 d\n", "appears twice"),
    "arithmetic duration": (GOOD.replace("1 d", "10**10**8 h"), "no arithmetic"),
    "nan duration": (GOOD.replace("1 d", "nan h"), "does not start with a number"),
    "unit only": (GOOD.replace("1 d", "h"), "does not start with a number"),
    "nan dose time": (GOOD + "interventions: [{drug: ketamine, dose: 10 mg/kg, route: ip, "
                      "at: nan h}]\n", "does not start with a number"),
    "arithmetic dose": (GOOD + "interventions: [{drug: ketamine, dose: 9**9**9 mg/kg, "
                        "route: ip, at: 1 h}]\n", "no arithmetic"),
}  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    start = time.perf_counter()
    code = main(list(args))
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize("case", list(SCENARIOS))
def test_bad_scenarios_are_one_line_and_write_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = SCENARIOS[case]
    sc = tmp_path / "bad.yaml"
    sc.write_text(text, encoding="utf-8")
    out, store = tmp_path / "out.csv", tmp_path / "store"
    code, err = run(capsys, "simulate", str(sc), "-o", str(out), "--store", str(store))
    assert code == 2, err
    assert err.startswith("mtorlab: error: ") and err.count("\n") == 1 and expected in err
    assert str(sc) in err  # the file is named
    assert not out.exists() and not store.exists()


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_file_that_is_not_utf8_is_named(
    encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = tmp_path / "enc.yaml"
    sc.write_bytes(GOOD.replace("name: t", "name: café").encode(encoding))
    code, err = run(capsys, "simulate", str(sc), "--store", str(tmp_path / "s"))
    assert code == 2 and "not UTF-8 text" in err and str(sc) in err


@pytest.mark.parametrize("flag", ["-o", "--plot", "--store"])
def test_an_output_path_under_a_file_is_refused_before_running(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = tmp_path / "ok.yaml"
    sc.write_text(GOOD, encoding="utf-8")
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    target = blocker if flag == "--store" else blocker / "out.png"
    extra = [] if flag == "--store" else ["--store", str(tmp_path / "store")]
    code, err = run(capsys, "simulate", str(sc), flag, str(target), *extra)
    assert code == 2 and "mtorlab: error:" in err and str(blocker) in err
    assert blocker.read_text(encoding="utf-8") == "x"
    assert not (tmp_path / "store").exists()  # nothing recorded


def test_vary_out_of_range_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    code, err = run(capsys, "simulate", str(examples / "cums_mouse.yaml"),
                    "--vary", "condition.chronic_stress=0,2", "--store", str(tmp_path / "s"))  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "chronic_stress=2" in err


def test_a_bad_scheduler_address_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    code, err = run(capsys, "cohort", str(examples / "cums_mouse.yaml"), "--n", "5",
                    "--scheduler", "foo")  # fmt: skip
    assert code == 2 and "tcp://" in err


@pytest.mark.parametrize(
    ("pattern", "replacement", "expected"),
    [
        (r"half_life: {value: 4,", "half_life: {value: 0,", "half_life must be greater than 0"),
        ("unit: mg/L, range: [0.1, 10]", "unit: uM, range: [0.1, 10]", "molar EC50"),
    ],
)
def test_bad_drug_entries_are_one_line(
    pattern: str, replacement: str, expected: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], data_dir: Path,
) -> None:  # fmt: skip
    text = (data_dir / "library" / "made_up_drug.yaml").read_text(encoding="utf-8")
    assert pattern in text
    text = text.replace(pattern, replacement, 1).replace("range: [2, 8]", "range: [0, 8]", 1)
    lib = tmp_path / "lib.yaml"
    lib.write_text(text, encoding="utf-8")
    sc = tmp_path / "zz.yaml"
    sc.write_text("name: zz\nspecies: mouse\nduration: 1 d\ninterventions: [{drug: zz_agonist, "
                  "dose: 10 mg/kg, route: po, at: 1 h}]\n", encoding="utf-8")  # fmt: skip
    code, err = run(capsys, "simulate", str(sc), "--library", str(lib), "--store",
                    str(tmp_path / "s"))  # fmt: skip
    assert code == 2 and expected in err and err.count("\n") == 1


@pytest.mark.parametrize("engine", ["reference", "batch"])
def test_a_cohort_on_a_broken_plan_stops_before_any_patient(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--engine reference used to mark every patient failed and exit 0 with NaN rates."""
    sc = tmp_path / "late.yaml"
    sc.write_text("name: t\nspecies: human\nduration: 7 d\ninterventions: [{drug: fluoxetine, "
                  "dose: 20 mg, route: po, at: 9 d}]\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "cohort"
    code, err = run(capsys, "cohort", str(sc), "--n", "3", "--engine", engine, "-o", str(out))
    assert code == 2 and "falls outside the scenario's duration" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [sc]


def test_report_with_one_bad_scenario_records_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report a.yaml bad.yaml` used to record a and then fail."""
    good, bad = tmp_path / "a.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD.replace("mouse", "dog"), encoding="utf-8")
    store, out = tmp_path / "store", tmp_path / "report"
    code, err = run(capsys, "report", str(good), str(bad), "-o", str(out), "--store", str(store))
    assert code == 2 and str(bad) in err
    assert not store.exists() and not out.exists()
