"""Annotations of the SBML export: MIRIAM cross-references, mechanism ids, provenance.

Cross-references come from the knowledge base's entity records (UniProt, ChEBI, GO); the
model's own metadata (mechanism ids, parameter provenance) goes into elements of the
mtorlab namespace and into human-readable notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

import libsbml

from mtorlab.ode import Parameter

NAMESPACE = "https://mtorlab.org/ns/model/1"
PREFIX = "mtorlab"


@lru_cache(maxsize=1)
def kb_entities() -> dict[str, Any]:
    """The knowledge base's entities by id (a broken knowledge base is an error, not a gap)."""
    from mtorlab.kb import load

    return dict(load().entities)


def identifiers(entity: Any) -> list[str]:
    """identifiers.org URIs of an entity's UniProt, ChEBI and GO cross-references."""
    uris = [f"https://identifiers.org/uniprot:{acc}" for acc in getattr(entity, "uniprot", ())]
    uris += [f"https://identifiers.org/{chebi}" for chebi in getattr(entity, "chebi", ())]
    uris += [f"https://identifiers.org/{go}" for go in getattr(entity, "go", ())]
    return uris


def add_miriam(element: libsbml.SBase, entity_id: str | None) -> int:
    """Attach MIRIAM CV terms: BQB_IS for one xref, BQB_HAS_PART for a complex's
    subunits, BQB_HAS_VERSION for a family of isoforms (ERK1/ERK2).

    Returns the number of resources added (0 when the entity or the KB is unavailable).
    """
    entities = kb_entities()
    if entity_id is None or entities is None or entity_id not in entities:
        return 0
    entity = entities[entity_id]
    uris = identifiers(entity)
    if not uris:
        return 0
    if str(getattr(entity, "kind", "")) == "complex":
        qualifier = libsbml.BQB_HAS_PART
    elif len(uris) > 1:
        qualifier = libsbml.BQB_HAS_VERSION
    else:
        qualifier = libsbml.BQB_IS
    term = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
    term.setBiologicalQualifierType(qualifier)
    for uri in uris:
        _check(term.addResource(uri), f"resource {uri}")
    _check(element.addCVTerm(term), f"CV term on {element.getId()}")
    return len(uris)


def add_mechanisms(element: libsbml.SBase, mechanisms: Sequence[str], note: str | None) -> None:
    """Record knowledge-base mechanism ids as ``<mtorlab:mechanisms>`` and as notes."""
    items = "".join(f'<{PREFIX}:mechanism id="{m}"/>' for m in mechanisms)
    xml = f'<{PREFIX}:mechanisms xmlns:{PREFIX}="{NAMESPACE}">{items}</{PREFIX}:mechanisms>'
    _check(element.appendAnnotation(xml), f"mechanism annotation on {element.getId()}")
    text = f"Implements knowledge-base mechanisms: {', '.join(mechanisms)}."
    if note:
        text += f" {note}"
    set_notes(element, text)


def add_provenance(element: libsbml.SBase, p: Parameter) -> None:
    """Record a parameter's range, role and provenance as annotation and notes."""
    prov = p.provenance
    attrs = {"role": p.role, "low": repr(p.range[0]), "high": repr(p.range[1]), "kind": prov.kind}
    detail = {
        "literature": "source",
        "review": "claim",
        "calibrated": "target",
        "assumed": "reason",
    }[prov.kind]
    attrs[detail] = str(getattr(prov, detail))
    note = getattr(prov, "note", None)
    if note:
        attrs["note"] = note
    claim = getattr(prov, "claim", None)
    if claim and detail != "claim":
        attrs["claim"] = claim
    attr_text = " ".join(f'{k}="{escape(v, quote=True)}"' for k, v in attrs.items())
    xml = f'<{PREFIX}:provenance xmlns:{PREFIX}="{NAMESPACE}" {attr_text}/>'
    _check(element.appendAnnotation(xml), f"provenance annotation on {p.id}")
    text = f"{p.description}. Range [{p.range[0]}, {p.range[1]}]; {prov.kind}: {attrs[detail]}"
    set_notes(element, text + (f" ({note})" if note else "") + ".")


def set_notes(element: libsbml.SBase, text: str) -> None:
    """Set XHTML notes holding one paragraph of plain text."""
    xhtml = f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></body>'
    _check(element.setNotes(xhtml), f"notes on {element.getId()}")


def _check(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(
            f"libsbml could not set {what}: {libsbml.OperationReturnValue_toString(code)}"
        )
