"""Knowledge-base endpoints: summary, graph, entity, mechanism, path, tensions."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query

from mtorlab._api import knowledge_base
from mtorlab.kb import KnowledgeBase, Mechanism
from mtorlab.kb._graph import paths
from mtorlab.kb._summary import resolve_entity, summary
from mtorlab.web._errors import ApiError
from mtorlab.web._mapping import context_of, readout_of

router = APIRouter(prefix="/api/kb", tags=["knowledge base"])

Name = Annotated[str, Query(min_length=1, max_length=200)]


def readout_ids() -> tuple[str, ...]:
    """The model's readout ids (the model loads once per process)."""
    from mtorlab._api import model

    return model().readout_ids


def _mechanism(kb: KnowledgeBase, m: Mechanism) -> dict[str, Any]:
    d = m.model_dump(mode="json", exclude_none=True)
    for end in ("subject", "object"):
        e = kb.entities[getattr(m, end)]
        d[f"{end}_name_en"] = e.name_en
        d[f"{end}_name_zh"] = e.name_zh
    d["tensions"] = [t.id for t in kb.tensions_of_mechanism(m.id)]
    return d


def _claims(kb: KnowledgeBase, ids: set[str]) -> list[dict[str, Any]]:
    return [kb.claims[c].model_dump(mode="json", exclude_none=True) for c in sorted(ids)]


def _tensions(kb: KnowledgeBase, mechanism_ids: set[str]) -> list[dict[str, Any]]:
    return [
        t.model_dump(mode="json", exclude_none=True)
        for t in kb.tensions.values()
        if mechanism_ids & set(t.mechanisms)
    ]


@lru_cache(maxsize=1)
def _graph() -> dict[str, Any]:
    kb = knowledge_base()
    readouts = readout_ids()
    nodes = [
        {
            "id": e.id,
            "kind": e.kind.value,
            "context": context_of(kb, e.id),
            "name_en": e.name_en,
            "name_zh": e.name_zh,
            "synonyms": list(e.synonyms),
            "readout": readout_of(e.id, readouts),
        }
        for e in kb.entities.values()
    ]
    edges = [
        {
            "id": m.id,
            "source": m.subject,
            "target": m.object,
            "sign": m.sign.value,
            "type": m.type.value,
            "direct": m.direct,
            "claims": list(m.claims),
            "tensions": [t.id for t in kb.tensions_of_mechanism(m.id)],
        }
        for m in kb.mechanisms.values()
    ]
    return {"nodes": nodes, "edges": edges}


@router.get("/summary")
def kb_summary() -> dict[str, Any]:
    """Counts of entities, mechanisms, evidence, claims and tensions."""
    return summary(knowledge_base())


@router.get("/graph")
def kb_graph() -> dict[str, Any]:
    """Nodes (kind, context, names zh/en, readout) and signed edges (one per mechanism)."""
    return _graph()


@router.get("/layout")
def kb_layout() -> dict[str, Any]:
    """The map's layout: each node's box (marker and label, either language) and each
    context's compartment, from Graphviz (``source: null`` where it is not installed)."""
    from mtorlab.web._layout import map_layout

    return map_layout()


@router.get("/entity/{entity_id}")
def kb_entity(entity_id: str) -> dict[str, Any]:
    """An entity (id, name or synonym), its mechanisms with evidence, claims and tensions."""
    kb = knowledge_base()
    eid = resolve_entity(kb, entity_id)
    mechs = kb.mechanisms_of_entity(eid)
    return {
        "entity": kb.entities[eid].model_dump(mode="json", exclude_none=True),
        "context": context_of(kb, eid),
        "readout": readout_of(eid, readout_ids()),
        "mechanisms": [_mechanism(kb, m) for m in mechs],
        "claims": _claims(kb, {c for m in mechs for c in m.claims}),
        "tensions": _tensions(kb, {m.id for m in mechs}),
    }


@router.get("/mechanism/{mechanism_id}")
def kb_mechanism(mechanism_id: str) -> dict[str, Any]:
    """A mechanism with its evidence (Chinese quote and English paraphrase), claims, tensions."""
    kb = knowledge_base()
    m = kb.mechanisms.get(mechanism_id)
    if m is None:
        raise ApiError(404, f"unknown mechanism {mechanism_id!r}", "mechanism_id")
    return {
        "mechanism": _mechanism(kb, m),
        "claims": _claims(kb, set(m.claims)),
        "tensions": _tensions(kb, {m.id}),
    }


@router.get("/path")
def kb_path(
    source: Name, target: Name, limit: Annotated[int, Query(ge=1, le=5)] = 3
) -> dict[str, Any]:
    """The cheapest signed chains of mechanisms from ``source`` to ``target`` (ids or names)."""
    kb = knowledge_base()
    ends = {}
    for fld, name in (("source", source), ("target", target)):
        try:
            ends[fld] = resolve_entity(kb, name)
        except KeyError as exc:
            raise ApiError(404, str(exc), fld) from None
    if ends["source"] == ends["target"]:
        raise ApiError(422, "source and target are the same entity", "target")
    found = paths(kb, ends["source"], ends["target"], limit=limit)
    return {
        **ends,
        "paths": [
            {
                "sign": p.sign.value,
                "cost": p.cost,
                "nodes": list(p.nodes),
                "steps": [_mechanism(kb, m) for m in p.steps],
            }
            for p in found
        ],
    }


@router.get("/tensions")
def kb_tensions() -> list[dict[str, Any]]:
    """The review's tensions (CX-…) with how the model's contexts resolve them."""
    kb = knowledge_base()
    return [
        {
            **t.model_dump(mode="json", exclude_none=True),
            "mechanism_details": [_mechanism(kb, kb.mechanisms[m]) for m in t.mechanisms],
        }
        for t in kb.tensions.values()
    ]
