"""``mtorlab simulate --vary``: a sweep over a drug's dose (with a vehicle arm, dose 0) or a
condition, one metric per readout and value, a table that names the metric and the units."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.scenario import Scenario
    from mtorlab.scenario._vary import Sweep

VEHICLE = "vehicle"

#: What each metric reports, for the table's header.
WHAT = {
    "both": "largest rise and largest fall",
    "peak": "peak (the largest change either way)",
    "trough": "trough (the largest fall)",
    "auc": "area under the change curve",
    "at": "value",
}


@dataclass(frozen=True)
class SweepResult:
    """A sweep's time courses (``vary`` names the arm), its summary (one row per arm and
    readout) and the header line of its table."""

    frame: pd.DataFrame
    summary: pd.DataFrame
    header: str
    sweep: Sweep
    unit: str


def check_metric(metric: str | None, at_h: float | None) -> str:
    """The ``--metric`` in force: ``at`` when only ``--at`` is given, else ``both``."""
    from mtorlab.scenario._vary import METRICS

    chosen = metric or ("at" if at_h is not None else "both")
    if chosen not in METRICS:
        raise MtorlabError(f"--metric must be one of {', '.join(METRICS)}, not {metric!r}")
    if chosen == "at" and at_h is None:
        raise MtorlabError("--metric at: give the time with --at, e.g. --at 24h")
    return chosen


def _arms(sc: Scenario, sweep: Sweep) -> list[tuple[str, Scenario]]:
    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.scenario import check_plan
    from mtorlab.scenario._vary import apply_sweep, is_dose, vehicle

    arms = [(value, apply_sweep(sc, sweep, value)) for value in sweep.values]
    if is_dose(sweep):
        arms.insert(0, (VEHICLE, vehicle(sc, sweep)))
    for value, one in arms:  # every arm planned before any runs
        check_plan(mt.model(), one, library(), f"--vary {sweep.label}={value}")
    return arms


def _own_outputs(outputs: list[str] | None, arm: Scenario) -> list[str] | None:
    """``--outputs`` an arm can have: a drug readout only where the drug is given."""
    if outputs is None:
        return None
    given = {iv.name for iv in arm.interventions}
    return [o for o in outputs if ":" not in o or o.split(":", 1)[1] in given] or None


def run_sweep(
    sc: Scenario,
    spec: str,
    outputs: list[str] | None,
    at_h: float | None = None,
    until_h: float | None = None,
) -> SweepResult:
    """Run every arm of ``--vary spec`` and summarise each readout against its reference:
    the vehicle arm at the same time for a dose, the arm's own t = 0 value for a condition.
    Rise, fall, peak and area are taken up to ``until_h`` (default: the whole run); the
    value and change at ``at_h`` too, when given."""
    import pandas as pd
    from rich.console import Console
    from rich.progress import Progress

    import mtorlab as mt
    from mtorlab.scenario._vary import dose_axis, is_dose, parse_vary, without_zero

    sweep = without_zero(parse_vary(spec))
    arms = _arms(sc, sweep)
    numbers, unit = dose_axis(sweep)
    frames: dict[str, pd.DataFrame] = {}
    with Progress(transient=True, console=Console(stderr=True)) as bar:  # stdout: the table
        task = bar.add_task(f"{sweep.label}", total=len(arms))
        for value, one in arms:
            frames[value] = mt.simulate(one, outputs=_own_outputs(outputs, one))
            bar.advance(task)
    doses = dict(zip(sweep.values, numbers, strict=True)) | {VEHICLE: 0.0}
    ref = frames.get(VEHICLE)
    rows = [
        _row(value, doses[value], col, run, ref, at_h, until_h)
        for value, run in frames.items()
        for col in run.columns[1:]
    ]
    long = pd.concat([run.assign(vary=value) for value, run in frames.items()], ignore_index=True)
    first = frames[sweep.values[0]]
    long.attrs.update(first.attrs, scenario=f"{sc.name} [{sweep.label} sweep]")
    versus = (
        f"vs vehicle (no {sweep.target}) at the same time"
        if is_dose(sweep)
        else "vs its own value at t = 0"
    )
    header = f"{sc.name}: {sweep.label} sweep; change of each readout {versus}"
    return SweepResult(long, pd.DataFrame(rows), header, sweep, unit)


def _row(
    value: str,
    dose: float,
    col: str,
    run: pd.DataFrame,
    ref: pd.DataFrame | None,
    at_h: float | None,
    until_h: float | None,
) -> dict[str, Any]:
    import numpy as np

    from mtorlab.scenario._vary import excursions

    t = run["time_h"].to_numpy(float)
    y = run[col].to_numpy(float)
    if ref is None:
        base = np.full_like(y, y[0])
    elif col in ref.columns:
        base = np.interp(t, ref["time_h"].to_numpy(float), ref[col].to_numpy(float))
    else:  # the swept drug's own concentration: none in the vehicle arm
        base = np.zeros_like(y)
    row: dict[str, Any] = {"vary": value, "dose": dose, "readout": col,
                           "unit": run.attrs.get("units", {}).get(col, "")}  # fmt: skip
    tol = 1e-9 * max(float(np.nanmax(np.abs(y))), float(np.nanmax(np.abs(base))), 1e-12)
    row.update(excursions(t, y - base, until_h, tol))
    if at_h is not None:
        row["value_at"] = float(np.interp(at_h, t, y))
        row["change_at"] = float(np.interp(at_h, t, y - base))
    return row


def _fmt(x: float) -> str:
    return "-" if x != x else "0" if x == 0 else f"{x:+.4g}"


def _h(x: float) -> str:
    return "-" if x != x else f"{x:g}"


def table(result: SweepResult, metric: str, at_text: str | None) -> tuple[str, list[list[str]]]:
    """The printed table of a sweep: its header line and rows (a header row first)."""
    s = result.summary
    what = WHAT[metric] + (f" at {at_text}" if metric == "at" else "")
    head = f"{result.header}: {what}"
    if at_text is not None and metric != "at":
        head += f", up to {at_text}"
    cols = {
        "both": ["rise", "at (h)", "fall", "at (h)", "note"],
        "peak": ["peak", "at (h)", "note"],
        "trough": ["trough", "at (h)"],
        "auc": ["area (unit x h)"],
        "at": [f"value at {at_text}", "change"],
    }[metric]
    rows = [["value", "readout", "unit", *cols]]
    for _, r in s.iterrows():
        if r["vary"] == VEHICLE and metric != "at":
            continue  # its change from itself is 0
        rows.append([str(r["vary"]), str(r["readout"]), str(r["unit"]), *_cells(r, metric)])
    return head, rows


def _cells(r: Any, metric: str) -> list[str]:
    biphasic = bool(r["biphasic"])
    if metric == "both":
        return [_fmt(r["rise"]), _h(r["rise_h"]), _fmt(r["fall"]), _h(r["fall_h"]),
                "biphasic" if biphasic else ""]  # fmt: skip
    if metric == "peak":
        other, when = (r["fall"], r["fall_h"]) if r["peak"] > 0 else (r["rise"], r["rise_h"])
        note = f"biphasic: also {_fmt(other)} at {_h(when)} h" if biphasic else ""
        return [_fmt(r["peak"]), _h(r["peak_h"]), note]
    if metric == "trough":
        return [_fmt(r["fall"]), _h(r["fall_h"])]
    if metric == "auc":
        return [_fmt(r["auc"])]
    return [f"{r['value_at']:.4g}", _fmt(r["change_at"])]


def is_log(result: SweepResult) -> bool:
    """A dose axis is logarithmic (its doses are all above 0; the vehicle is drawn apart)."""
    from mtorlab.scenario._vary import is_dose

    doses = result.summary.loc[result.summary["vary"] != VEHICLE, "dose"]
    return is_dose(result.sweep) and bool((doses > 0).all()) and not math.isnan(doses.max())
