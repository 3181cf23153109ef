"""The public Python API (``import mtorlab as mt``)."""

from __future__ import annotations

from functools import lru_cache

from mtorlab.kb import KnowledgeBase, load


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The package's validated knowledge base (loaded once per process)."""
    return load()
