"""Time courses and dose-response plots of simulation tables.

Each readout gets its own panel with its unit on the y axis (from the model's readout
records; drug concentrations are ng/mL); time is in hours, or days for runs longer than
three days. Claim ids can be annotated on a panel.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


def readout_unit(readout: str) -> str:
    """The unit (or scale) of a readout, for axis labels."""
    from mtorlab._api import model
    from mtorlab.scenario._run import readout_unit as unit_of

    return unit_of(model(), readout)


def _figure(n: int) -> tuple[Figure, list[Any]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _png(fig: Figure) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    return buf.getvalue()


def time_courses(
    runs: Mapping[str, pd.DataFrame],
    readouts: Sequence[str],
    *,
    title: str = "",
    claims: Mapping[str, str] | None = None,
) -> bytes:
    """PNG of one panel per readout, one line per run (label → table with ``time_h``).

    ``claims`` maps a readout to the claim ids to print in its panel's corner.
    """
    fig, axes = _figure(len(readouts))
    longest = max(float(df["time_h"].iloc[-1]) for df in runs.values())
    days = longest > 72
    for ax, readout in zip(axes, readouts, strict=True):
        for label, df in runs.items():
            t = df["time_h"] / 24 if days else df["time_h"]
            ax.plot(t, df[readout], label=label, lw=1.6)
        ax.set_title(readout, fontsize=10)
        ax.set_xlabel("time (d)" if days else "time (h)")
        ax.set_ylabel(readout_unit(readout), fontsize=8)
        ax.grid(alpha=0.3)
        if claims and readout in claims:
            ax.text(0.98, 0.96, claims[readout], transform=ax.transAxes, ha="right", va="top",
                    fontsize=7, color="0.35")  # fmt: skip
    if len(runs) > 1:
        axes[0].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=11)
    return _png(fig)


#: The y-axis label of each ``--vary`` metric (``{u}``: the readout's unit).
METRIC_LABELS = {
    "both": "largest rise / fall ({u})",
    "peak": "peak change ({u})",
    "trough": "largest fall ({u})",
    "auc": "area under the change ({u} x h)",
    "at": "value at {at} ({u})",
}


def dose_response(
    summary: pd.DataFrame,
    readouts: Sequence[str],
    *,
    metric: str = "both",
    x_label: str = "dose",
    log_x: bool = False,
    at_text: str | None = None,
) -> bytes:
    """PNG of a sweep's metric against the swept value, one panel per readout.

    ``summary`` has one row per arm and readout (``vary``, ``dose``, ``readout``, ``unit``
    and the metrics of :func:`mtorlab.scenario._vary.excursions`, ``value_at``); the arm
    ``vehicle`` (dose 0) is drawn as a dashed line, so that a logarithmic dose axis keeps it.
    ``both`` draws the largest rise and the largest fall, so a biphasic response shows both.
    """
    fig, axes = _figure(len(readouts))
    for ax, readout in zip(axes, readouts, strict=True):
        rows = summary[summary["readout"] == readout]
        arms = rows[rows["vary"] != "vehicle"]
        vehicle = rows[rows["vary"] == "vehicle"]
        unit = str(rows["unit"].iloc[0]) if len(rows) else ""
        if metric == "both":
            ax.plot(arms["dose"], arms["rise"], marker="^", lw=1.6, label="largest rise")
            ax.plot(arms["dose"], arms["fall"], marker="v", lw=1.6, label="largest fall")
        else:
            col = {"peak": "peak", "trough": "fall", "auc": "auc", "at": "value_at"}[metric]
            ax.plot(arms["dose"], arms[col], marker="o", lw=1.6)
        if len(vehicle):
            level = float(vehicle["value_at"].iloc[0]) if metric == "at" else 0.0
            ax.axhline(level, color="0.4", lw=1, ls="--", label="vehicle (dose 0)")
        elif metric != "at":
            ax.axhline(0, color="0.6", lw=0.8)
        if metric == "both" or len(vehicle):
            ax.legend(fontsize=7)
        if log_x:
            ax.set_xscale("log")
        ax.set_title(readout, fontsize=10)
        ax.set_xlabel(x_label + (", log scale" if log_x else ""))
        ax.set_ylabel(METRIC_LABELS[metric].format(u=unit or "-", at=at_text), fontsize=8)
        ax.grid(alpha=0.3, which="both")
    return _png(fig)
