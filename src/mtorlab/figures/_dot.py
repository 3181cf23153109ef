"""Build the Graphviz DOT source of a figure from the knowledge base.

Nodes are the figure's entities (shape and colour by kind), clusters are its groups, and
edges are the knowledge base's mechanisms between the selected entities: an arrow for
``+``, a blunt end (``tee``) for ``-``, dashed where the mechanism is a net effect
(``direct: false``). Several mechanisms with the same subject, object and sign become one
edge whose tooltip lists them all. Node and edge ``id``s are the entity and mechanism ids,
so an SVG can be linked back to the evidence.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping

from mtorlab.figures._colour import Colormap, diverging, node_fills
from mtorlab.figures._spec import FigureData, Group, Lang
from mtorlab.kb import EntityKind, KnowledgeBase, Mechanism, MechanismType, Sign

FONT = "Noto Sans CJK SC"
POSITIVE, NEGATIVE = "#1b7837", "#b2182b"

#: Node style by entity kind: (shape, extra style, fill colour).
KIND_STYLE: dict[EntityKind, tuple[str, str, str]] = {
    EntityKind.protein: ("box", "rounded,filled", "#dbe9f6"),
    EntityKind.complex: ("box", "rounded,filled,bold", "#9ecae1"),
    EntityKind.small_molecule: ("ellipse", "filled", "#e5f5e0"),
    EntityKind.cytokine: ("ellipse", "filled", "#fdd0a2"),
    EntityKind.rna: ("note", "filled", "#f2f0f7"),
    EntityKind.process: ("box", "filled", "#fff7bc"),
    EntityKind.phenotype: ("hexagon", "filled", "#fde0ef"),
    EntityKind.condition: ("parallelogram", "filled", "#d9d9d9"),
    EntityKind.drug: ("cds", "filled", "#dadaeb"),
    EntityKind.intervention: ("parallelogram", "filled", "#c7e9c0"),
}
_LEGEND_KIND = {
    "en": {
        EntityKind.protein: "protein",
        EntityKind.complex: "complex",
        EntityKind.small_molecule: "small molecule",
        EntityKind.cytokine: "cytokine",
        EntityKind.rna: "RNA",
        EntityKind.process: "process",
        EntityKind.phenotype: "phenotype",
        EntityKind.condition: "condition",
        EntityKind.drug: "drug",
        EntityKind.intervention: "intervention",
    },
    "zh": {
        EntityKind.protein: "蛋白",
        EntityKind.complex: "复合物",
        EntityKind.small_molecule: "小分子",
        EntityKind.cytokine: "细胞因子",
        EntityKind.rna: "RNA",
        EntityKind.process: "过程",
        EntityKind.phenotype: "表型",
        EntityKind.condition: "状态",
        EntityKind.drug: "药物",
        EntityKind.intervention: "干预",
    },
}
_LEGEND_EDGE = {
    "en": ("activates", "inhibits", "net effect"),
    "zh": ("激活", "抑制", "净效应"),
}


def _q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wrap(text: str, lang: Lang) -> str:
    """Break a label into short lines (CJK characters are about twice as wide)."""
    cjk = lang == "zh" and not text.isascii()
    width = 9 if cjk else 16
    lines = [
        w
        for part in text.split("\n")
        for w in textwrap.wrap(part, width, break_long_words=cjk) or [part]
    ]
    return "\n".join(lines)


def figure_edges(kb: KnowledgeBase, entities: set[str], exclude: set[str]) -> list[list[Mechanism]]:
    """Mechanisms between ``entities``, grouped by (subject, object, sign), direct first.

    The first mechanism of a group names the edge: a direct one, a plain activation or
    inhibition before other types.
    """
    bundles: dict[tuple[str, str, Sign], list[Mechanism]] = {}
    for m in kb.mechanisms.values():
        inside = m.subject in entities and m.object in entities
        if inside and m.id not in exclude and m.subject != m.object:
            bundles.setdefault((m.subject, m.object, m.sign), []).append(m)
    plain = {MechanismType.activation, MechanismType.inhibition}
    return [
        sorted(ms, key=lambda m: (not m.direct, m.type not in plain, m.id))
        for ms in bundles.values()
    ]


def _node(kb: KnowledgeBase, data: FigureData, eid: str, lang: Lang, fill: str | None) -> str:
    shape, style, colour = KIND_STYLE[kb.entities[eid].kind]
    label = _wrap(data.label(kb, eid, lang), lang)
    attrs = {
        "id": eid,
        "label": label,
        "shape": shape,
        "style": style,
        "fillcolor": fill or colour,
        "tooltip": f"{eid}: {kb.entities[eid].name_en}",
    }
    if eid in ("mtorc1", "mtorc2"):
        attrs["fontsize"] = "18"
        attrs["penwidth"] = "2"
    return f"{_q(eid)} [{', '.join(f'{k}={_q(v)}' for k, v in attrs.items())}];"


def _edge(ms: list[Mechanism]) -> str:
    m = ms[0]
    positive = m.sign is Sign.positive
    attrs = {
        "id": m.id,
        "color": POSITIVE if positive else NEGATIVE,
        "arrowhead": "normal" if positive else "tee",
        "style": "solid" if any(x.direct for x in ms) else "dashed",
        "tooltip": "; ".join(f"{x.id} ({x.type.value})" for x in ms),
    }
    residue = next((x.residue for x in ms if x.residue), None)
    if residue:
        attrs["xlabel"] = residue.split(" (")[0]
    body = ", ".join(f"{k}={_q(v)}" for k, v in attrs.items())
    return f"{_q(m.subject)} -> {_q(m.object)} [{body}];"


def _cluster(
    group: Group, lines: list[str], body: Mapping[str, str], lang: Lang, depth: int
) -> None:
    pad = "  " * depth
    lines.append(f"{pad}subgraph {_q('cluster_' + group.id)} {{")
    lines.append(
        f"{pad}  label={_q(group.label(lang))}; fontsize={18 if depth == 1 else 14};"
        f" style={_q('rounded,filled' if depth == 1 else 'rounded,dashed')};"
        f" fillcolor={_q('#f7f7f7' if depth == 1 else '#ffffff')}; color={_q('#969696')};"
    )
    for eid in group.entities:
        lines.append(f"{pad}  {body[eid]}")
    for sub in group.groups:
        _cluster(sub, lines, body, lang, depth + 1)
    lines.append(f"{pad}}}")


def _legend(kinds: list[EntityKind], lang: Lang) -> list[str]:
    """A compact legend: a table of node kinds, then one short arrow per edge style."""
    names = _LEGEND_KIND[lang]
    rows = "".join(
        f'<TR><TD BGCOLOR="{KIND_STYLE[k][2]}" WIDTH="22" BORDER="1"> </TD>'
        f'<TD ALIGN="LEFT">{html.escape(names[k])}</TD></TR>'
        for k in kinds
    )
    table = f'<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2">{rows}</TABLE>>'
    lines = [
        'subgraph "cluster_legend" {',
        f'  label={_q("图例" if lang == "zh" else "legend")}; fontsize=14; style="rounded";'
        ' color="#bdbdbd";',
        f'  "legend_kinds" [label={table}, shape=plaintext, fontsize=12];',
    ]
    styles = [
        (POSITIVE, "normal", "solid"),
        (NEGATIVE, "tee", "solid"),
        ("#636363", "normal", "dashed"),
    ]
    # Left to right: the arrows' tails share a rank, as do their labels, so they stack.
    tails, heads = [], []
    for i, (text, (colour, head, style)) in enumerate(zip(_LEGEND_EDGE[lang], styles, strict=True)):
        a, b = f"legend_e{i}a", f"legend_e{i}b"
        tails.append(f'{_q(a)} [label="", shape=point, width=0.06];')
        heads.append(f"{_q(b)} [label={_q(text)}, shape=plaintext, fontsize=12];")
        lines.append(
            f"  {_q(a)} -> {_q(b)} [color={_q(colour)}, arrowhead={_q(head)}, style={_q(style)}];"
        )
    lines += [
        "  { rank=same; " + " ".join(tails) + " }",
        "  { rank=same; " + " ".join(heads) + " }",
    ]
    lines.append('  "legend_kinds" -> "legend_e0a" [style=invis];')
    lines.append("}")
    return lines


def figure_dot(
    kb: KnowledgeBase,
    data: FigureData,
    name: str,
    *,
    lang: Lang = "en",
    values: Mapping[str, float] | None = None,
    colormap: Colormap = diverging,
    legend: bool = True,
) -> str:
    """The DOT source of figure ``name``.

    Parameters
    ----------
    kb
        The knowledge base the nodes and edges come from.
    data
        The figure selections (``load_figures(kb)``).
    name
        The figure, e.g. ``fig1``.
    lang
        Label language: ``en`` (``name_en``) or ``zh`` (``name_zh``).
    values
        Optional value per entity id (e.g. a scenario's change vs control): nodes with a
        value are filled by ``colormap`` instead of by kind.
    colormap
        Maps a value scaled to [-1, 1] to a colour.
    legend
        Whether to draw the legend of node kinds and arrows.
    """
    spec = data.figure(name)
    entities = spec.entities()
    fills = node_fills(
        {k: v for k, v in (values or {}).items() if k in entities}, colormap=colormap
    )
    body = {e: _node(kb, data, e, lang, fills.get(e)) for e in entities}
    lines = [
        f"digraph {_q(name)} {{",
        f"  graph [label={_q(spec.title(lang))}, labelloc=t, fontsize=22, fontname={_q(FONT)},"
        " rankdir=LR, newrank=true, nodesep=0.25, ranksep=0.45, compound=true,"
        " pad=0.3, forcelabels=true];",
        f'  node [fontname={_q(FONT)}, fontsize=14, margin="0.12,0.06", penwidth=1.2];',
        f"  edge [fontname={_q(FONT)}, fontsize=11, penwidth=1.6, arrowsize=0.9];",
    ]
    for group in spec.groups:
        _cluster(group, lines, body, lang, 1)
    for ms in figure_edges(kb, set(entities), set(spec.exclude)):
        lines.append("  " + _edge(ms))
    if legend:
        kinds = sorted({kb.entities[e].kind for e in entities}, key=list(EntityKind).index)
        lines += ["  " + x for x in _legend(kinds, lang)]
    lines.append("}")
    return "\n".join(lines) + "\n"
