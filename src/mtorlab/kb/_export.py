"""Export the knowledge base as JSON, GraphML or SIF."""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx

from mtorlab.errors import MtorlabError
from mtorlab.kb._graph import graph
from mtorlab.kb._load import KnowledgeBase

FORMATS = ("json", "graphml", "sif")


def as_dict(kb: KnowledgeBase) -> dict[str, Any]:
    """Every record as plain data (JSON-ready), grouped by kind."""
    return {
        kind: [r.model_dump(mode="json", exclude_defaults=False) for r in table.values()]
        for kind, table in (
            ("entities", kb.entities),
            ("claims", kb.claims),
            ("mechanisms", kb.mechanisms),
            ("tensions", kb.tensions),
            ("limitations", kb.limitations),
        )
    }


def export(kb: KnowledgeBase, fmt: str) -> str:
    """The knowledge base as text in ``fmt`` (one of ``FORMATS``)."""
    if fmt == "json":
        return json.dumps(as_dict(kb), ensure_ascii=False, indent=2) + "\n"
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(graph(kb), buf, encoding="utf-8")
        return buf.getvalue().decode("utf-8")
    if fmt == "sif":
        word = {"+": "activates", "-": "inhibits"}
        lines = [f"{m.subject}\t{word[m.sign.value]}\t{m.object}" for m in kb.mechanisms.values()]
        return "\n".join(lines) + "\n"
    raise MtorlabError(f"unknown export format {fmt!r}; allowed: {', '.join(FORMATS)}")
