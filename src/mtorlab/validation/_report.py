"""Present a validation run: a text table, JSON, one self-contained HTML page, PEtab tables."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mtorlab.claims._report import _CSS, _e
from mtorlab.validation._run import DatasetResult, summary

_COLOURS = ("#1f6fb4", "#d1495b", "#2e8b57", "#8a5cc2", "#e08a00", "#4d5b6a")


def figure_png(result: DatasetResult) -> bytes:
    """The simulated curve of each measured condition over its data points (error bars)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mtorlab.plots import png_bytes

    ds = result.dataset
    fig, ax = plt.subplots(figsize=(5.2, 3.3))
    try:
        t_max = max((m.time for m in ds.measurements), default=1.0)
        span = max(t_max * 2.5, t_max + 6.0)  # room to show a peak and its return
        for i, cond in enumerate(ds.measured_conditions()):
            colour = _COLOURS[i % len(_COLOURS)]
            if cond in result.curves:
                t, y = result.curves[cond]
                keep = t <= span
                ax.plot(t[keep], y[keep], color=colour, lw=1.6, label=f"model: {cond}")
            pts = [m for m in ds.measurements if m.condition == cond and m.measurement is not None]
            if pts:
                ax.errorbar(
                    [m.time for m in pts],
                    [float(m.measurement or 0.0) for m in pts],
                    yerr=[m.noise or 0.0 for m in pts],
                    fmt="o",
                    color=colour,
                    mfc="white",
                    capsize=3,
                    label=f"data: {cond}",
                )
            signs = [p for p in result.points if p.condition == cond and p.direction is not None]
            for p in signs:  # a reported direction, drawn on the model's value at that time
                marker = {"increase": "^", "decrease": "v"}.get(p.direction or "", "s")
                ax.plot([p.time], [p.simulated], marker=marker, ms=9, color=colour, mfc="white",
                        ls="none", label=f"data: {cond} {p.direction}")  # fmt: skip
        if ds.observable.transform != "value":
            ax.axhline(ds.observable.neutral, color="#999", lw=0.8, ls=":")
        after = f" after {ds.time_offset:g} h" if ds.time_offset else ""
        ax.set_xlabel(f"time{after} (h)")
        unit = (
            ds.observable.unit if len(ds.observable.unit) <= 40 else ds.observable.unit[:37] + "..."
        )
        ax.set_ylabel(f"{ds.observable.readout}\n({unit})", fontsize=8)
        ax.set_title(f"{ds.id} [{result.split}] {result.status}", fontsize=9)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))  # one entry per label
        ax.legend(unique.values(), unique.keys(), fontsize=6.5, loc="best", frameon=False)
        ax.grid(alpha=0.25)
        return png_bytes(fig, dpi=110)
    finally:
        plt.close(fig)


def _rules_html(result: DatasetResult) -> str:
    if result.error:
        return f'<ul><li class="bad">error: {_e(result.error)}</li></ul>'
    items = []
    for o in result.outcomes:
        cls, mark = ("ok", "✓") if o.passed else ("bad", "✗")
        items.append(f'<li class="{cls}">{mark} <b>{_e(o.rule)}</b>: {_e(o.detail)}</li>')
    return "<ul>" + "".join(items) + "</ul>"


def _points_html(result: DatasetResult) -> str:
    rows = "".join(
        f"<tr><td>{_e(p.condition)}</td><td class=num>{p.time:g}</td>"
        f"<td class=num>{_e(p.direction) if p.direction else format(p.measured, '.4g')}"
        + (f" ± {p.noise:.3g} {_e(p.noise_kind)}" if p.noise else "")
        + (f" (n={p.n})" if p.n else "")
        + f"</td><td class=num>{p.simulated:.4g}</td></tr>"
        for p in result.points
    )
    return (
        "<table class=pts><tr><th>condition</th><th>time (h)</th><th>measured</th>"
        f"<th>simulated</th></tr>{rows}</table>"
    )


def _section(result: DatasetResult) -> str:
    ds = result.dataset
    c = ds.citation
    ids = " · ".join(
        x
        for x in (f"doi:{_e(c.doi)}" if c.doi else "", f"PMID {_e(c.pmid)}" if c.pmid else "")
        if x
    )
    png = base64.b64encode(figure_png(result)).decode()
    xfail = (
        f'<div class="small"><b>expected failure:</b> {_e(ds.expected_failure)}</div>'
        if ds.expected_failure
        else ""
    )
    return (
        f'<section id="{_e(ds.id)}"><h2>{_e(ds.id)} <span class="st {result.status}">'
        f"{result.status}</span> <span class=small>{_e(ds.level)} · {_e(result.split)}</span></h2>"
        f"<div><b>{_e(ds.title)}</b></div>"
        f'<div class="small">{_e(c.authors)} ({c.year}). {_e(c.title)}. {_e(c.journal)}. '
        f"{ids}</div>"
        f'<div class="small"><b>Protocol:</b> {_e(ds.protocol)} ({_e(ds.species)}'
        + (f", {_e(ds.strain)}" if ds.strain else "")
        + f')</div><div class="small"><b>Source of the numbers:</b> {_e(ds.source)}</div>'
        f'<div class="small"><b>Observable:</b> {_e(ds.observable.readout)}, '
        f"{_e(ds.observable.transform)}"
        + (f" vs {_e(ds.observable.reference)}" if ds.observable.reference else "")
        + f" ({_e(ds.observable.unit)})</div>"
        + (f'<div class="small"><b>Note:</b> {_e(ds.note)}</div>' if ds.note else "")
        + f'{xfail}<div class="fig"><img alt="{_e(ds.id)}" src="data:image/png;base64,{png}">'
        f"<div>{_points_html(result)}{_rules_html(result)}</div></div></section>"
    )


def _summary_html(summ: dict[str, Any]) -> str:
    rows = []
    for level, splits in summ["by_level"].items():
        cells = "".join(
            f"<td>{row['pass']}/{row['total']}</td>" if row["total"] else "<td>-</td>"
            for row in splits.values()
        )
        rows.append(f"<tr><td>{_e(level)}</td>{cells}</tr>")
    tot = "".join(
        f"<td><b>{row['pass']}/{row['total']}</b>"
        + (f" ({row['pass_rate']:.0%})" if row["pass_rate"] is not None else "")
        + "</td>"
        for split, row in summ["by_split"].items()
        if split != "all"
    )
    return (
        "<table class=summ><tr><th>level</th><th>training passed</th><th>held out passed</th></tr>"
        f"{''.join(rows)}<tr><td><b>all</b></td>{tot}</tr></table>"
    )


_EXTRA_CSS = """
section{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:12px 16px;margin:14px 0}
h2{font-size:16px;margin:0 0 6px} .fig{display:flex;gap:16px;flex-wrap:wrap;margin-top:8px}
.fig img{max-width:100%;border:1px solid #eef1f5} table.pts,table.summ{width:auto;margin-bottom:8px}
"""


def as_html(results: Sequence[DatasetResult]) -> str:
    """One self-contained page: summary by level and split, then every dataset's figure."""
    from mtorlab import __version__

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "".join(_section(r) for r in results)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>mtorlab validation</title><style>{_CSS}{_EXTRA_CSS}</style></head><body>"
        "<h1>mtorlab validation against published data</h1>"
        f'<div class="meta">mtorlab {_e(__version__)}, {when}. Each dataset is a published '
        "measurement with its protocol simulated as a scenario; a dataset passes when every "
        "tolerance rule declared with it holds. An expected failure (xfail) names a recorded "
        "limitation and counts as not passed.</div>"
        f"{_summary_html(summary(results))}{body}</body></html>"
    )


def write_petab(results: Sequence[DatasetResult], folder: str | Path) -> list[Path]:
    """PEtab-style tables (measurements, observables, conditions) and one scenario per condition.

    PEtab's condition table cannot express dosing, so each condition row names a scenario
    file (``scenarioFile``) holding its protocol; times are hours from the scenario's start.
    """
    import pandas as pd
    import yaml

    from mtorlab.cli._output import write_atomic

    out = Path(folder)
    (out / "scenarios").mkdir(parents=True, exist_ok=True)
    meas, obs, conds = [], [], []
    for r in results:
        ds = r.dataset
        o = ds.observable
        obs_id = f"{ds.id.replace('-', '_')}__{o.id}"
        formula = o.readout if o.transform == "value" else f"{o.transform}({o.readout}"
        formula += f", {o.reference})" if o.reference else (")" if o.transform != "value" else "")
        obs.append({"observableId": obs_id, "observableName": ds.title,
                    "observableFormula": formula, "observableTransformation": "lin",
                    "noiseFormula": f"noiseParameter1_{obs_id}", "noiseDistribution": "normal",
                    "unit": o.unit})  # fmt: skip
        for cid in ds.conditions:
            cond_id = f"{ds.id.replace('-', '_')}__{cid}"
            path = out / "scenarios" / f"{cond_id}.yaml"
            write_atomic(
                str(path), yaml.safe_dump(ds.scenario(cid), sort_keys=False, allow_unicode=True)
            )
            conds.append({"conditionId": cond_id, "scenarioFile": f"scenarios/{path.name}"})
        for m in ds.measurements:
            if m.measurement is None:  # a direction-only finding is not a PEtab measurement
                continue
            meas.append({"observableId": obs_id,
                         "simulationConditionId": f"{ds.id.replace('-', '_')}__{m.condition}",
                         "time": m.time + ds.time_offset, "measurement": m.measurement,
                         "noiseParameters": "" if m.noise is None else m.noise,
                         "datasetId": ds.id, "split": r.split})  # fmt: skip
    written = []
    for name, rows in (("measurements", meas), ("observables", obs), ("conditions", conds)):
        path = out / f"{name}.tsv"
        write_atomic(str(path), pd.DataFrame(rows).to_csv(sep="\t", index=False))
        written.append(path)
    return written
