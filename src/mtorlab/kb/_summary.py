"""Summaries and look-ups of the knowledge base, as plain data (the CLI renders them)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mtorlab.errors import UnknownIdError
from mtorlab.kb._load import KnowledgeBase
from mtorlab.kb._schema import Evidence, Mechanism, Tension


def summary(kb: KnowledgeBase) -> dict[str, Any]:
    """Counts by kind, claim coverage and tension status."""
    supported = {c for m in kb.mechanisms.values() for c in m.claims}
    testable = [c for c in kb.claims.values() if c.testable]
    return {
        "entities": len(kb.entities),
        "entities_by_kind": dict(
            sorted(Counter(e.kind.value for e in kb.entities.values()).items())
        ),
        "mechanisms": len(kb.mechanisms),
        "mechanisms_by_type": dict(
            sorted(Counter(m.type.value for m in kb.mechanisms.values()).items())
        ),
        "evidence_items": sum(len(m.evidence) for m in kb.mechanisms.values())
        + sum(len(c.evidence) for c in kb.claims.values()),
        "claims": len(kb.claims),
        "claims_testable": len(testable),
        "claims_supported_by_mechanisms": len(supported & set(kb.claims)),
        "testable_claims_supported": sum(c.id in supported for c in testable),
        "tensions": len(kb.tensions),
        "limitations": len(kb.limitations),
        "tensions_by_status": dict(
            Counter(t.resolution.status for t in kb.tensions.values()).most_common()
        ),
    }


def evidence_dict(ev: Evidence) -> dict[str, Any]:
    """An evidence record as plain data."""
    return ev.model_dump(mode="json", exclude_none=True)


def mechanism_dict(kb: KnowledgeBase, m: Mechanism) -> dict[str, Any]:
    """A mechanism with names resolved and its tensions listed."""
    d = m.model_dump(mode="json", exclude_none=True)
    d["subject_name"] = kb.entities[m.subject].name_en
    d["object_name"] = kb.entities[m.object].name_en
    d["tensions"] = [t.id for t in kb.tensions_of_mechanism(m.id)]
    return d


def tension_dict(t: Tension) -> dict[str, Any]:
    """A tension as plain data."""
    return t.model_dump(mode="json", exclude_none=True)


def lookup(kb: KnowledgeBase, name: str) -> dict[str, Any]:
    """Everything recorded about an entity, claim, mechanism or tension id.

    Entity names and synonyms are matched case-insensitively as well as ids.
    """
    if name in kb.claims:
        c = kb.claims[name]
        return {
            "type": "claim",
            "record": c.model_dump(mode="json", exclude_none=True),
            "mechanisms": [mechanism_dict(kb, m) for m in kb.mechanisms_for_claim(name)],
            "tensions": [tension_dict(t) for t in kb.tensions.values() if name in t.claims],
        }
    if name in kb.mechanisms:
        return {"type": "mechanism", "record": mechanism_dict(kb, kb.mechanisms[name])}
    if name in kb.limitations:
        lim = kb.limitations[name]
        return {"type": "limitation", "record": lim.model_dump(mode="json", exclude_none=True)}
    if name in kb.tensions:
        t = kb.tensions[name]
        return {
            "type": "tension",
            "record": tension_dict(t),
            "mechanisms": [mechanism_dict(kb, kb.mechanisms[m]) for m in t.mechanisms],
        }
    entity_id = resolve_entity(kb, name)
    e = kb.entities[entity_id]
    return {
        "type": "entity",
        "record": e.model_dump(mode="json", exclude_none=True),
        "mechanisms": [mechanism_dict(kb, m) for m in kb.mechanisms_of_entity(entity_id)],
    }


def resolve_entity(kb: KnowledgeBase, name: str) -> str:
    """The entity id for an id, English or Chinese name or synonym (case-insensitive)."""
    if name in kb.entities:
        return name
    low = name.casefold()
    for e in kb.entities.values():
        names = (e.id, e.name_en, e.name_zh, *e.synonyms, *e.hgnc)
        if any(low == n.casefold() for n in names):
            return e.id
    known = (*kb.entities, *kb.claims, *kb.mechanisms, *kb.tensions, *kb.limitations)
    raise UnknownIdError("entity, claim, mechanism or tension", name, known)
