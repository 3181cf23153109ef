"""``mtorlab simulate --vary`` (issue 15): a vehicle arm for a dose sweep, ``--metric
both|peak|trough|auc|at`` and ``--at``, biphasic responses shown, units named, a log dose axis.

The numbers the table prints are checked against the time courses the same run writes with
``-o`` (the change against the vehicle at the same time), not against stored values.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from mtorlab.cli import main
from mtorlab.scenario._vary import excursions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SWEEP = "esketamine.dose=0.5,1.5mg/kg"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's esketamine dose series, two days (mTORC2's rise comes at about 14 h)."""
    sc = yaml.safe_load((EXAMPLES / "esketamine_dose_series_human.yaml").read_text("utf-8"))
    sc.update(duration="2 d", output_step="30 min")
    sc["outputs"] = ["mtorc2_neuron", "conc_plasma:esketamine"]
    f = tmp_path_factory.mktemp("vary") / "esk.yaml"
    f.write_text(yaml.safe_dump(sc, sort_keys=False), encoding="utf-8")
    return f


def sweep(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str], pd.DataFrame | None, str]:
    """Run the sweep; the printed table's lines, the -o table, stderr."""
    out = tmp_path / "sweep.csv"
    code = main(["simulate", str(scenario), "--vary", SWEEP, "-o", str(out), *args])
    cap = capsys.readouterr()
    table = pd.read_csv(out) if out.exists() else None
    return code, cap.out.splitlines(), table, cap.err


def change(table: pd.DataFrame, arm: str, readout: str) -> tuple[np.ndarray, np.ndarray]:
    """An arm's readout minus the vehicle's at the same time, from the -o table."""
    run = table[table["vary"] == arm]
    vehicle = table[table["vary"] == "vehicle"]
    t = run["time_h"].to_numpy()
    assert np.allclose(t, vehicle["time_h"].to_numpy())
    return t, run[readout].to_numpy() - vehicle[readout].to_numpy()


def row(lines: list[str], value: str, readout: str) -> list[str]:
    """The cells of the table's row for an arm and a readout (columns are two spaces apart;
    a value like ``1.5 mg/kg`` or a unit like ``active fraction (0..1)`` is one cell)."""
    cells = [re.split(r"\s{2,}", ln.strip()) for ln in lines[1:]]
    hits = [c for c in cells if c[:2] == [value, readout]]
    assert len(hits) == 1, lines
    return hits[0]


def test_the_issue_example_shows_both_phases_of_mtorc2(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Esketamine 1.5 mg/kg: mTORC2 dips, then rises; the table shows the dip and the rise
    (the old table gave one signed number, the dip, and hid the rise)."""
    code, lines, table, _ = sweep(scenario, tmp_path, capsys)
    assert code == 0 and table is not None
    assert "vs vehicle (no esketamine) at the same time" in lines[0]
    assert "largest rise and largest fall" in lines[0]
    assert re.split(r"\s{2,}", lines[1]) == [
        "value",
        "readout",
        "unit",
        "rise",
        "at (h)",
        "fall",
        "at (h)",
        "note",
    ]
    t, c = change(table, "1.5 mg/kg", "mtorc2_neuron")
    cells = row(lines, "1.5 mg/kg", "mtorc2_neuron")
    rise, rise_h, fall, fall_h, note = (*map(float, cells[3:7]), cells[7])
    assert fall == pytest.approx(c.min(), rel=1e-3) and fall < 0
    assert fall_h == t[c.argmin()]
    assert rise == pytest.approx(c.max(), rel=1e-3) and rise > 0
    assert rise_h == t[c.argmax()] and rise_h > fall_h  # the dip comes first
    assert note == "biphasic"
    assert cells[2] == "active fraction (0..1)"  # the readout's unit, named
    # at 0.5 mg/kg mTORC2 only rises: no fall, no biphasic note
    half = row(lines, "0.5 mg/kg", "mtorc2_neuron")
    assert half[5:] == ["0", "-"]


def test_the_vehicle_arm_is_dose_zero(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, table, _ = sweep(scenario, tmp_path, capsys, "--metric", "at", "--at", "13h")
    assert code == 0 and table is not None
    assert list(dict.fromkeys(table["vary"])) == ["vehicle", "0.5 mg/kg", "1.5 mg/kg"]
    vehicle = table[table["vary"] == "vehicle"]
    assert vehicle["conc_plasma:esketamine"].isna().all()  # no esketamine given
    assert np.ptp(vehicle["mtorc2_neuron"]) < 1e-6  # the untreated steady state
    assert "value at 13h" in lines[0] and "value at 13h" in lines[1]
    for arm in ("vehicle", "0.5 mg/kg", "1.5 mg/kg"):
        run = table[table["vary"] == arm]
        cells = row(lines, arm, "mtorc2_neuron")
        assert float(cells[3]) == pytest.approx(
            np.interp(13, run["time_h"], run["mtorc2_neuron"]), rel=1e-3
        )
    assert row(lines, "vehicle", "mtorc2_neuron")[4] == "0"


def test_metric_peak_says_what_it_hides(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, table, _ = sweep(scenario, tmp_path, capsys, "--metric", "peak")
    assert code == 0 and table is not None
    assert "peak (the largest change either way)" in lines[0]
    t, c = change(table, "1.5 mg/kg", "mtorc2_neuron")
    cells = row(lines, "1.5 mg/kg", "mtorc2_neuron")
    k = int(np.abs(c).argmax())
    assert cells[3:5] == [f"{c[k]:+.4g}", f"{t[k]:g}"]  # the larger phase: sign and time
    assert cells[5] == f"biphasic: also {c.max():+.4g} at {t[c.argmax()]:g} h"


def test_metric_trough_and_auc(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, table, _ = sweep(scenario, tmp_path, capsys, "--metric", "trough")
    assert code == 0 and table is not None
    t, c = change(table, "1.5 mg/kg", "mtorc2_neuron")
    assert float(row(lines, "1.5 mg/kg", "mtorc2_neuron")[3]) == pytest.approx(c.min(), rel=1e-3)
    code, lines, table, _ = sweep(scenario, tmp_path, capsys, "--metric", "auc", "--at", "1d")
    assert code == 0 and "area under the change curve, up to 1d" in lines[0]
    assert re.split(r"\s{2,}", lines[1])[3] == "area (unit x h)"
    keep = t <= 24
    auc = float(np.trapezoid(c[keep], t[keep]))
    assert float(row(lines, "1.5 mg/kg", "mtorc2_neuron")[3]) == pytest.approx(auc, rel=1e-3)
    conc = table[table["vary"] == "0.5 mg/kg"]
    conc = conc[conc["time_h"] <= 24]
    expected = float(np.trapezoid(conc["conc_plasma:esketamine"], conc["time_h"]))
    cells = row(lines, "0.5 mg/kg", "conc_plasma:esketamine")
    assert cells[2] == "ng/mL" and float(cells[3]) == pytest.approx(expected, rel=1e-3)


def test_the_plot_has_a_log_dose_axis_and_units(
    scenario: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matplotlib.axes import Axes

    calls: dict[str, list[Any]] = {"xscale": [], "xlabel": [], "ylabel": []}
    for name in calls:
        original = getattr(Axes, f"set_{name}")

        def spy(
            self: Axes, value: Any, *a: Any, _n: str = name, _o: Any = original, **k: Any
        ) -> Any:
            calls[_n].append(value)
            return _o(self, value, *a, **k)

        monkeypatch.setattr(Axes, f"set_{name}", spy)
    plot = tmp_path / "dr.png"
    code, *_ = sweep(scenario, tmp_path, capsys, "--plot", str(plot))
    assert code == 0 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert calls["xscale"] == ["log", "log"]
    assert all(x == "esketamine dose in mg/kg, log scale" for x in calls["xlabel"])
    ylabels = [str(y).replace("\n", " ") for y in calls["ylabel"]]  # long labels are wrapped
    assert "largest rise / fall (ng/mL)" in ylabels
    assert "largest rise / fall (active fraction (0..1))" in ylabels


def test_a_condition_sweep_has_no_vehicle_and_a_linear_axis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = tmp_path / "healthy.yaml"
    sc.write_text("name: h\nspecies: mouse\nduration: 6 h\noutputs: [bdnf]\n", encoding="utf-8")
    out = tmp_path / "c.csv"
    code = main(["simulate", str(sc), "--vary", "condition.chronic_stress=0,0.8", "-o", str(out)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and "vs its own value at t = 0" in lines[0]
    assert set(pd.read_csv(out)["vary"]) == {0.0, 0.8}  # no vehicle arm
    import mtorlab as mt
    from mtorlab.cli._vary import is_log, run_sweep

    result = run_sweep(mt.load_scenario(sc), "condition.chronic_stress=0,0.8", None)
    assert not is_log(result) and result.unit == ""
    stressed = result.summary[result.summary["vary"] == "0.8"].iloc[0]
    frame = result.frame[result.frame["vary"] == "0.8"]
    assert stressed["fall"] == pytest.approx(min(frame["bdnf"] - frame["bdnf"].iloc[0]), abs=1e-12)


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--metric", "at"], "--metric at: give the time with --at"),
        (["--metric", "mean"], "--metric must be one of both, peak, trough, auc, at"),
        (["--at", "9d"], "--at 9d: give a time within the scenario's 0..2 d"),
        (["--at", "soon"], "--at:"),
    ],
)
def test_bad_metric_options_are_one_line(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expect: str
) -> None:
    code, lines, table, err = sweep(scenario, tmp_path, capsys, *args)
    assert code == 2 and table is None and not lines
    assert err.startswith("mtorlab: error: ") and expect in err and err.count("\n") == 1


def test_metric_without_vary_is_refused(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(scenario), "--metric", "peak"]) == 2
    assert "use them with --vary" in capsys.readouterr().err


def test_excursions_of_known_curves() -> None:
    t = [0.0, 1.0, 2.0, 3.0, 4.0]
    dip_then_rise = [0.0, -2.0, 0.0, 1.0, 0.0]
    e = excursions(t, dip_then_rise)
    assert (e["rise"], e["rise_h"], e["fall"], e["fall_h"]) == (1.0, 3.0, -2.0, 1.0)
    assert (e["peak"], e["peak_h"], e["biphasic"]) == (-2.0, 1.0, 1.0)
    assert e["auc"] == pytest.approx(-2.0 + 1.0)  # trapezoids: -2 over 0..2, +1 over 2..4
    e = excursions(t, [0.0, 1.0, 2.0, 1.0, 0.0])
    assert e["fall"] == 0 and math.isnan(e["fall_h"]) and e["biphasic"] == 0
    assert excursions(t, dip_then_rise, until_h=2.0)["rise"] == 0  # the rise comes later
    assert excursions(t, [0.0, 1e-15, -1e-15, 0.0, 0.0], tol=1e-12)["peak"] == 0
    small = excursions(t, [0.0, 10.0, 0.0, -0.5, 0.0])  # a 5% dip is not a second phase
    assert small["biphasic"] == 0
