"""The dashboard map's layout: one compartment per context, laid out by Graphviz, placed
inputs left, neuron in the middle, fate and behaviour right, so that no two labels overlap.

Each node is given a box that holds its marker and its label wrapped to ``WRAP`` pixels in
either language (a conservative width per character); Graphviz ``neato`` with
``overlap=prism`` lays out each context's nodes and their edges within the context without
two boxes overlapping, and the contexts are stacked in columns with gaps between them. The
browser draws each node's marker at the top of its box, its label under it, and the context
as a compound node around its boxes. Without Graphviz the page falls back to its own layout.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from functools import lru_cache
from typing import Any

#: Label wrap width (px), line height, per-character widths at the map's 11 px font (Latin,
#: CJK), the marker's height and the padding of a box.
WRAP, LINE, CHAR_EN, CHAR_ZH, MARKER, PAD = 120.0, 14.0, 6.4, 11.6, 26.0, 6.0
#: Columns of contexts, left to right; each column stacked top to bottom.
COLUMNS = (("intervention", "condition", "periphery"), ("neuron",), ("glia", "fate", "behaviour"))
GAP = 70.0  # between compartments (more than twice the compound padding drawn around them)


#: Characters a run's overlay adds to a label (`` +100%``).
OVERLAY = 6


def node_box(name_en: str, name_zh: str) -> tuple[float, float]:
    """Width and height (px) of a node's box: its marker and its label in either language,
    with room for a run's overlay (`` +42%``)."""
    w_en, w_zh = (len(name_en) + OVERLAY) * CHAR_EN, len(name_zh) * CHAR_ZH + OVERLAY * CHAR_EN
    width = min(max(w_en, w_zh, 30.0), WRAP)
    lines = max(math.ceil(w_en * 1.25 / WRAP), math.ceil(w_zh / WRAP), 1)  # 25%: word breaks
    return width + 2 * PAD, MARKER + lines * LINE + PAD


def _neato(nodes: list[dict[str, Any]], edges: list[tuple[str, str]]) -> dict[str, Any]:
    lines = [
        "graph G {",
        'overlap=prism; overlap_scaling=-1; sep="+8"; pack=true; packmode="array_u"; start=1;',
        'node [shape=box fixedsize=true label=""];',
    ]
    for n in nodes:
        w, h = node_box(n["name_en"], n["name_zh"])
        lines.append(f'"{n["id"]}" [width={w / 72:.4f} height={h / 72:.4f}];')
    lines += [f'"{a}" -- "{b}";' for a, b in edges]
    lines.append("}")
    exe = shutil.which("neato") or "neato"  # map_layout checked that it is there
    proc = subprocess.run([exe, "-Tjson"], input="\n".join(lines).encode(), capture_output=True,
                          timeout=60, check=True)  # fmt: skip
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def _context_layout(nodes: list[dict[str, Any]], edges: list[tuple[str, str]]) -> dict[str, Any]:
    """Boxes (top-left x, y, width, height; y down) of one context's nodes, from (0, 0)."""
    ids = {n["id"] for n in nodes}
    inside = sorted({(a, b) for a, b in edges if a in ids and b in ids and a != b})
    d = _neato(nodes, inside)
    _, _, _, top = (float(v) for v in d["bb"].split(","))
    boxes = {}
    for o in d.get("objects", []):
        if "pos" not in o:
            continue
        x, y = (float(v) for v in o["pos"].split(","))
        w, h = float(o["width"]) * 72, float(o["height"]) * 72
        boxes[o["name"]] = [x - w / 2, (top - y) - h / 2, w, h]
    width = max(b[0] + b[2] for b in boxes.values())
    height = max(b[1] + b[3] for b in boxes.values())
    left = min(b[0] for b in boxes.values())
    upper = min(b[1] for b in boxes.values())
    for b in boxes.values():
        b[0] -= left
        b[1] -= upper
    return {"boxes": boxes, "width": width - left, "height": height - upper}


@lru_cache(maxsize=1)
def map_layout() -> dict[str, Any]:
    """Node boxes and context compartments of the map (``source: null`` without Graphviz).

    Returns
    -------
    dict
        ``nodes``: id → ``{x, y, w, h}`` (the box's top-left corner and size, px, y down);
        ``groups``: one per context, ``{context, x, y, w, h}``; ``source``: ``"graphviz"``.
    """
    from mtorlab.web._kb import _graph

    if shutil.which("neato") is None:
        return {"nodes": {}, "groups": [], "source": None}
    g = _graph()
    edges = [(e["source"], e["target"]) for e in g["edges"]]
    by_context: dict[str, list[dict[str, Any]]] = {}
    for n in g["nodes"]:
        by_context.setdefault(n["context"], []).append(n)
    placed = {c: _context_layout(ns, edges) for c, ns in sorted(by_context.items())}
    columns = [[c for c in col if c in placed] for col in COLUMNS]
    columns[1] += [c for c in placed if not any(c in col for col in COLUMNS)]  # a new context
    heights = [sum(placed[c]["height"] for c in col) + GAP * (len(col) - 1) for col in columns]
    tallest = max(heights)
    nodes: dict[str, dict[str, float]] = {}
    groups = []
    x = 0.0
    for col, height in zip(columns, heights, strict=True):
        y = (tallest - height) / 2  # each column centred on the tallest
        for c in col:
            p = placed[c]
            mine = {nid: _box(x + bx, y + by, w, h) for nid, (bx, by, w, h) in p["boxes"].items()}
            nodes.update(mine)
            groups.append(_around(c, list(mine.values())))
            y += p["height"] + GAP
        x += max((placed[c]["width"] for c in col), default=0.0) + GAP
    return {"nodes": nodes, "groups": groups, "source": "graphviz"}


def _around(context: str, boxes: list[dict[str, float]]) -> dict[str, Any]:
    """A context's compartment: the rectangle around its (rounded) boxes."""
    x0, y0 = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    x1 = max(b["x"] + b["w"] for b in boxes)
    y1 = max(b["y"] + b["h"] for b in boxes)
    return {"context": context, "x": x0, "y": y0, "w": round(x1 - x0, 1), "h": round(y1 - y0, 1)}


def _box(x: float, y: float, w: float, h: float) -> dict[str, float]:
    return {"x": round(x, 1), "y": round(y, 1), "w": round(w, 1), "h": round(h, 1)}
