"""SBGN-ML export of the knowledge base as an SBGN Activity Flow (AF) map.

Why Activity Flow and not Process Description: the knowledge base is a signed influence
graph. A mechanism says that the activity of ``subject`` raises (``+``) or lowers (``-``)
the activity of ``object``; many are net effects over unnamed steps ("ketamine activates
mTOR", ``direct: false``) or associations with a phenotype. Process Description needs
what the review mostly does not give: the entity pools and state variables (which
phospho-form), the process nodes that convert them, with consumption/production arcs and
catalysis. Drawing it would mean inventing species and reactions. Activity Flow is made
for exactly this — activity nodes joined by positive and negative influence arcs — so each
mechanism becomes one arc and nothing is made up.

Mapping (SBGN AF Level 1 Version 1.2, SBGN-ML 0.3):

* molecular entities (protein, cytokine, complex, small molecule, RNA) are *biological
  activity* glyphs with a unit of information whose ``entity`` gives the kind
  (macromolecule, complex, simple chemical, nucleic acid feature; label ``mt:prot`` …);
* drugs, conditions and interventions are *biological activity* glyphs with a
  *perturbation* unit of information (AF 1.2 turned the perturbation glyph into this unit);
* processes and phenotypes are *phenotype* glyphs, except those that themselves influence
  another node: the AF rules (schematron ``af10101``) let only biological activities start an
  influence arc, so these are biological activities with an ``unspecified entity`` unit of
  information labelled ``process`` or ``phenotype``;
* every mechanism is one arc, ``positive influence`` for ``+`` and ``negative influence``
  for ``-``; arc ids are the mechanism ids and glyph ids the entity ids.

The layout is a plain layered one (columns by distance from the graph's sources), enough
for an editor such as Newt or CellDesigner to open the map and re-layout it.
"""

from __future__ import annotations

import networkx as nx

from mtorlab.kb import EntityKind, KnowledgeBase, Sign

__all__ = ["glyph_class_of", "to_sbgn"]

_W, _H, _DX, _DY = 120.0, 50.0, 220.0, 80.0
_UNIT = {
    EntityKind.protein: ("macromolecule", "mt:prot"),
    EntityKind.cytokine: ("macromolecule", "mt:prot"),
    EntityKind.complex: ("complex", "mt:complex"),
    EntityKind.small_molecule: ("simple chemical", "mt:simplechem"),
    EntityKind.rna: ("nucleic acid feature", "mt:rna"),
    EntityKind.drug: ("perturbation", "drug"),
    EntityKind.condition: ("perturbation", "condition"),
    EntityKind.intervention: ("perturbation", "intervention"),
    EntityKind.process: ("unspecified entity", "process"),
    EntityKind.phenotype: ("unspecified entity", "phenotype"),
}


def glyph_class_of(kb: KnowledgeBase, entity_id: str) -> str:
    """The SBGN AF glyph class an entity is drawn as: ``biological activity`` or ``phenotype``."""
    kind = kb.entities[entity_id].kind
    is_source = any(m.subject == entity_id for m in kb.mechanisms.values())
    if kind in (EntityKind.process, EntityKind.phenotype) and not is_source:
        return "phenotype"
    return "biological activity"


def _layers(kb: KnowledgeBase) -> dict[str, int]:
    """Column of each entity: its depth in the condensation of the mechanism graph."""
    g = nx.DiGraph()
    g.add_nodes_from(kb.entities)
    g.add_edges_from((m.subject, m.object) for m in kb.mechanisms.values())
    cond = nx.condensation(g)
    layer: dict[str, int] = {}
    for depth, scc_ids in enumerate(nx.topological_generations(cond)):
        for scc in scc_ids:
            for node in cond.nodes[scc]["members"]:
                layer[node] = depth
    return layer


def to_sbgn(kb: KnowledgeBase) -> str:
    """The knowledge base as an SBGN-ML 0.3 document holding one Activity Flow map."""
    import libsbgnpy as sb

    layer = _layers(kb)
    rows: dict[int, int] = {}
    boxes: dict[str, tuple[float, float]] = {}
    glyphs = []
    for eid in sorted(kb.entities, key=lambda e: (layer[e], e)):
        ent = kb.entities[eid]
        col = layer[eid]
        row = rows[col] = rows.get(col, -1) + 1
        x, y = 20.0 + col * _DX, 20.0 + row * _DY
        boxes[eid] = (x, y)
        glyph = sb.Glyph(
            id=eid,
            class_value=sb.GlyphClass(glyph_class_of(kb, eid)),
            label=sb.Label(text=ent.name_en),
            bbox=sb.Bbox(x=x, y=y, w=_W, h=_H),
        )
        if glyph.class_value is sb.GlyphClass.BIOLOGICAL_ACTIVITY:
            entity, text = _UNIT[ent.kind]
            glyph.glyph.append(
                sb.Glyph(
                    id=f"{eid}__unit",
                    class_value=sb.GlyphClass.UNIT_OF_INFORMATION,
                    label=sb.Label(text=text),
                    entity=sb.Glyph.Entity(name=sb.EntityName(entity)),
                    bbox=sb.Bbox(x=x + 10, y=y - 10, w=_W - 20, h=20.0),
                )
            )
        glyphs.append(glyph)
    arcs = []
    for m in kb.mechanisms.values():
        (sx, sy), (tx, ty) = boxes[m.subject], boxes[m.object]
        arcs.append(
            sb.Arc(
                id=m.id,
                class_value=(
                    sb.ArcClass.POSITIVE_INFLUENCE
                    if m.sign is Sign.positive
                    else sb.ArcClass.NEGATIVE_INFLUENCE
                ),
                source=m.subject,
                target=m.object,
                start=sb.Arc.Start(x=sx + _W, y=sy + _H / 2),
                end=sb.Arc.End(x=tx, y=ty + _H / 2),
            )
        )
    version = sb.MapVersion.HTTP_IDENTIFIERS_ORG_COMBINE_SPECIFICATIONS_SBGN_AF_LEVEL_1_VERSION_1_2
    sbgn_map = sb.Map(id="mtorlab_af", version=version, glyph=glyphs, arc=arcs)
    return str(sb.write_sbgn_to_string(sb.Sbgn(map=[sbgn_map])))
