"""A trial's figure (mean change +/- 95% CI over visits per arm; responders at the primary
visit with Wilson intervals) and its self-contained HTML report."""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mtorlab.claims._report import _CSS, _e
from mtorlab.clinical._analysis import TrialTables
from mtorlab.clinical._params import parameter_table
from mtorlab.clinical._schema import Arm, PlaceboEntry, Trial

if TYPE_CHECKING:
    import pandas as pd

COLOURS = ("#1f6fb4", "#d1495b", "#2e8b57", "#8a5cc2", "#e08a00", "#4d5b6a")


def figure_png(trial: Trial, tables: TrialTables) -> bytes:
    """Two panels: mean change from baseline (95% CI) per arm over the visits, and the
    response and remission rates at the primary visit with Wilson 95% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mtorlab.plots import png_bytes

    v = tables.visits
    primary = trial.endpoints.primary_visit.value
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
    try:
        for i, arm in enumerate(trial.arms):
            a = v[v["arm"] == arm.id].sort_values("visit_h")
            colour = COLOURS[i % len(COLOURS)]
            x = a["visit_d"].to_numpy(float)
            lo = (a["change_mean"] - a["change_ci_low"].fillna(a["change_mean"])).clip(lower=0)
            hi = (a["change_ci_high"].fillna(a["change_mean"]) - a["change_mean"]).clip(lower=0)
            dodge = (i - (len(trial.arms) - 1) / 2) * 0.012 * max(float(x.max()), 1.0)
            label = f"{arm.id} (n={trial.n_for(arm)})"
            ax1.errorbar(x + dodge, a["change_mean"], yerr=[lo, hi], color=colour, marker="o",
                         ms=4, capsize=3, lw=1.6, label=label)  # fmt: skip
        ax1.axhline(0, color="#999", lw=0.8, ls=":")
        ax1.set_xlabel("days from randomisation")
        ax1.set_ylabel("MADRS change from baseline\n(mean, 95% CI)")
        ax1.set_title(trial.name, fontsize=10)
        ax1.legend(fontsize=8, frameon=False)
        p = v[v["visit_h"] == primary]
        width = 0.8 / max(len(trial.arms), 1)
        for i, arm in enumerate(trial.arms):
            r = p[p["arm"] == arm.id]
            if r.empty:
                continue
            r0 = r.iloc[0]
            for j, what in enumerate(("response", "remission")):
                rate = float(r0[f"{what}_rate"])
                err = [[max(rate - float(r0[f"{what}_ci_low"]), 0.0)],
                       [max(float(r0[f"{what}_ci_high"]) - rate, 0.0)]]  # fmt: skip
                ax2.bar(j + (i - (len(trial.arms) - 1) / 2) * width, 100 * rate, width,
                        color=COLOURS[i % len(COLOURS)], yerr=[[100 * e[0]] for e in err],
                        capsize=3, label=arm.id if j == 0 else None)  # fmt: skip
        ep = trial.endpoints
        ax2.set_xticks([0, 1], [f"response\n(drop >= {ep.response_drop:.0%})",
                                f"remission\n(MADRS <= {ep.remission_max:g})"])  # fmt: skip
        ax2.set_ylabel(f"% of arm at day {primary / 24:g}\n(Wilson 95% CI)")
        ax2.set_ylim(0, 100)
        ax2.legend(fontsize=8, frameon=False)
        return png_bytes(fig, dpi=110)
    finally:
        plt.close(fig)


def _fmt(x: object, digits: int = 3) -> str:
    if isinstance(x, float):
        return "" if math.isnan(x) else f"{x:.{digits}g}"
    return str(x)


def _table(df: pd.DataFrame, columns: list[str]) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(_fmt(r[c]))}</td>" for c in columns) + "</tr>"
        for _, r in df.iterrows()
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _params_html() -> str:
    rows = []
    for name, num in parameter_table().items():
        prov = num.provenance
        text = prov.source or prov.reason or ""
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{num.value:g}</td><td>{_e(num.unit)}</td>"
            f"<td>{num.range[0]:g}-{num.range[1]:g}</td><td>{_e(prov.kind)}</td>"
            f"<td>{_e(text)}</td></tr>"
        )
    head = "<tr><th>parameter</th><th>value</th><th>unit</th><th>range</th><th>kind</th>"
    return f"<table>{head}<th>source</th></tr>{''.join(rows)}</table>"


def _entries(arm: Arm) -> str:
    names = [e.placebo if isinstance(e, PlaceboEntry) else e.name for e in arm.interventions]
    return ", ".join(names) or "no intervention"


def as_html(trial: Trial, tables: TrialTables, screening: pd.DataFrame, png: bytes) -> str:
    """One self-contained page: design, figure, endpoints, contrasts, the layer's numbers."""
    img = base64.b64encode(png).decode("ascii")
    arms = "".join(
        f"<li><b>{_e(a.id)}</b> (n={trial.n_for(a)}, {a.nonspecific}): "
        f"{_e(a.description or _entries(a))}</li>"
        for a in trial.arms
    )
    visit_cols = ["arm", "visit_d", "n", "madrs_mean", "change_mean", "change_ci_low",
                  "change_ci_high", "response_rate", "response_ci_low", "response_ci_high",
                  "remission_rate"]  # fmt: skip
    contrast_cols = ["arm", "control", "visit_d", "change_diff", "change_diff_ci_low",
                     "change_diff_ci_high", "response_diff", "response_diff_ci_low",
                     "response_diff_ci_high", "nnt_text"]  # fmt: skip
    contrasts = _table(tables.contrasts, contrast_cols) if not tables.contrasts.empty else ""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ttr = tables.time_to_response
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(trial.name)}</title>"
        f"<style>{_CSS}</style></head><body><h1>Virtual trial: {_e(trial.name)}</h1>"
        f"<p>{_e(trial.description or '')}</p><ul>{arms}</ul>"
        f"<p>Seed {trial.seed}; generated {stamp}. Rated MADRS = mechanistic untreated course + "
        "the drug's mechanistic effect - nonspecific (placebo / natural-course) improvement + "
        "rating noise, bounded 0..60 (README: clinical layer).</p>"
        f"<img alt='trial figure' src='data:image/png;base64,{img}'>"
        f"<h2>Endpoints by arm and visit</h2>{_table(tables.visits, visit_cols)}"
        f"<h2>Contrasts against {_e(trial.analysis.control or '-')}</h2>{contrasts}"
        f"<h2>Time to response</h2>{_table(ttr, list(ttr.columns))}"
        f"<h2>Screening</h2>{_table(screening, list(screening.columns))}"
        f"<h2>Clinical-layer parameters</h2>{_params_html()}</body></html>"
    )
