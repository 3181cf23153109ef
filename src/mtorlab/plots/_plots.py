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


def axis_label(text: str, width: int = 30) -> str:
    """An axis label wrapped to lines of at most ``width`` characters (a readout's stated
    scale can be a sentence; unwrapped it ran across the neighbouring panels)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


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


def png_bytes(fig: Figure, dpi: int = 120) -> bytes:
    """The figure laid out and rendered as PNG bytes; the figure is closed."""
    import matplotlib.pyplot as plt

    try:
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        plt.close(fig)


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
        ax.set_ylabel(axis_label(readout_unit(readout)), fontsize=8)
        ax.grid(alpha=0.3)
        if claims and readout in claims:
            ax.text(0.98, 0.96, claims[readout], transform=ax.transAxes, ha="right", va="top",
                    fontsize=7, color="0.35")  # fmt: skip
    if len(runs) > 1:
        axes[0].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=11)
    return png_bytes(fig)


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
        y_label = METRIC_LABELS[metric].format(u=unit or "-", at=at_text)
        ax.set_ylabel(axis_label(y_label), fontsize=8)
        ax.grid(alpha=0.3, which="both")
    return png_bytes(fig)


def plot(frame: pd.DataFrame, readouts: Sequence[str] | str | None = None, ax: Any = None) -> Any:
    """Plot a simulation table: time courses with units, doses marked.

    Parameters
    ----------
    frame
        A table from :func:`mtorlab.simulate` (``time_h``, then readouts); a ``--vary``
        table (with a ``vary`` column) gets one line per value.
    readouts
        Readout ids to draw (default: every readout column, at most 12); one id may be given
        as a string.
    ax
        A matplotlib ``Axes`` to draw every readout on (its y label names the unit when they
        share one). Without it each readout gets its own panel, its unit on the y axis.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (in a notebook it shows itself).

    Raises
    ------
    mtorlab.errors.MtorlabError
        A readout the table does not have, or a table without ``time_h``.

    Notes
    -----
    Units come from ``frame.attrs["units"]`` (set by :func:`mtorlab.simulate`), else from
    the model's readout records; dose times from ``frame.attrs["doses"]`` are drawn as
    dotted vertical lines. Times are in hours, or days for runs longer than three days.

    Examples
    --------
    >>> import mtorlab as mt
    >>> run = mt.simulate("examples/ketamine_single_dose_rat.yaml")
    >>> fig = mt.plot(run, ["conc_plasma:ketamine", "mtorc1_neuron"])
    >>> [a.get_ylabel() for a in fig.axes]
    ['ng/mL', 'active fraction (0..1)']
    """
    import matplotlib.pyplot as plt

    chosen = _columns(frame, readouts)
    days = float(frame["time_h"].max()) > 72
    groups = list(frame.groupby("vary", sort=False)) if "vary" in frame.columns else [("", frame)]
    if ax is None:
        cols = min(len(chosen), 3)
        rows = math.ceil(len(chosen) / cols)
        fig, grid = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
        axes = list(grid.ravel())
        for extra in axes[len(chosen) :]:
            extra.remove()
        axes = axes[: len(chosen)]
    else:
        fig, axes = ax.figure, [ax] * len(chosen)
    units = {r: _unit(frame, r) for r in chosen}
    one_unit = len(set(units.values())) == 1
    for a, readout in zip(axes, chosen, strict=True):
        for label, df in groups:
            t = df["time_h"] / 24 if days else df["time_h"]
            name = str(label)
            if ax is not None:  # one axes: the legend names the readout (and its unit)
                name = f"{name} {readout}".strip() + ("" if one_unit else f" ({units[readout]})")
            a.plot(t, df[readout], lw=1.6, label=name or None)
        y_label = "value (units in the legend)"
        if ax is None or one_unit:
            y_label = axis_label(units[readout])
        a.set_ylabel(y_label, fontsize=8 if "\n" in y_label else None)
        if ax is None:
            a.set_title(readout, fontsize=10)
    for a in dict.fromkeys(axes):  # each axes once
        _dose_marks(a, frame.attrs.get("doses", []), days)
        a.set_xlabel("time (d)" if days else "time (h)")
        a.grid(alpha=0.3)
        if len(groups) > 1 or ax is not None:
            a.legend(fontsize=7)
    if ax is None:
        fig.tight_layout()
    return fig


def _columns(frame: pd.DataFrame, readouts: Sequence[str] | str | None) -> list[str]:
    from mtorlab.errors import MtorlabError, UnknownIdError

    if "time_h" not in getattr(frame, "columns", ()):
        raise MtorlabError("plot: give a table from mtorlab.simulate (with a time_h column)")
    have = [c for c in frame.columns if c not in ("time_h", "vary")]
    if readouts is None:
        return have[:12]
    chosen = [readouts] if isinstance(readouts, str) else list(readouts)
    for r in chosen:
        if r not in have:
            raise MtorlabError(f"plot: {UnknownIdError('readout of this table', r, have)}")
    if not chosen:
        raise MtorlabError("plot: give at least one readout")
    return chosen


def _unit(frame: pd.DataFrame, readout: str) -> str:
    units = frame.attrs.get("units") or {}
    return str(units.get(readout) or readout_unit(readout))


def _dose_marks(ax: Any, doses: Sequence[Mapping[str, Any]], days: bool, most: int = 100) -> None:
    """Dotted vertical lines at the dose times (the first ``most``), labelled once."""
    for k, d in enumerate(doses[:most]):
        t = float(d["time_h"]) / 24 if days else float(d["time_h"])
        ax.axvline(t, color="0.5", ls=":", lw=0.9, label="dose" if k == 0 else None)
