"""The evidence-linked knowledge base of the review (entities, mechanisms, claims, tensions)."""

from mtorlab.kb._load import KnowledgeBase, default_data_dir, load
from mtorlab.kb._quotes import normalise, quote_in_text
from mtorlab.kb._schema import (
    Claim,
    Context,
    Entity,
    EntityKind,
    Evidence,
    Mechanism,
    MechanismType,
    Resolution,
    Sign,
    Tension,
)

__all__ = [
    "Claim",
    "Context",
    "Entity",
    "EntityKind",
    "Evidence",
    "KnowledgeBase",
    "Mechanism",
    "MechanismType",
    "Resolution",
    "Sign",
    "Tension",
    "default_data_dir",
    "load",
    "normalise",
    "quote_in_text",
]
