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


def dose_response(table: pd.DataFrame, dose_label: str, readouts: Sequence[str]) -> bytes:
    """PNG of the peak change from baseline of each readout against dose.

    ``table`` has one row per dose: column ``dose`` and ``<readout>_peak_change``.
    """
    fig, axes = _figure(len(readouts))
    for ax, readout in zip(axes, readouts, strict=True):
        ax.plot(table["dose"], table[f"{readout}_peak_change"], marker="o", lw=1.6)
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_title(readout, fontsize=10)
        ax.set_xlabel(dose_label)
        ax.set_ylabel(f"peak change ({readout_unit(readout)})", fontsize=8)
        ax.grid(alpha=0.3)
    return _png(fig)
