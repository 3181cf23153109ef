"""Colour a figure's nodes by a value per entity (e.g. a scenario's change vs control)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

#: A colour map takes a value scaled to [-1, 1] and returns a colour ``#rrggbb``.
Colormap = Callable[[float], str]

_BLUE = (33, 102, 172)
_WHITE = (247, 247, 247)
_RED = (178, 24, 43)


def diverging(x: float) -> str:
    """Blue (-1, down) through white (0) to red (+1, up)."""
    x = max(-1.0, min(1.0, x))
    end = _RED if x > 0 else _BLUE
    t = abs(x)
    rgb = (round(w + (e - w) * t) for w, e in zip(_WHITE, end, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def node_fills(
    values: Mapping[str, float], *, colormap: Colormap = diverging, vmax: float | None = None
) -> dict[str, str]:
    """Fill colour per entity: ``values`` divided by ``vmax`` (default: largest magnitude).

    Parameters
    ----------
    values
        Entity id to value, e.g. log2 fold change of a readout vs control.
    colormap
        Maps a value in [-1, 1] to a colour.
    vmax
        The magnitude drawn at full colour.
    """
    top = vmax if vmax is not None else max((abs(v) for v in values.values()), default=0.0)
    scale = top if top > 0 else 1.0
    return {k: colormap(v / scale) for k, v in values.items()}
