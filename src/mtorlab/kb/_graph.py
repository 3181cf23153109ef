"""The mechanism graph (networkx) and signed path search through it."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice, pairwise

import networkx as nx

from mtorlab.errors import MtorlabError, UnknownIdError
from mtorlab.kb._load import KnowledgeBase
from mtorlab.kb._schema import Mechanism, MechanismType, Sign

#: Cost of a step in path search. Summary-level statements ("X activates mTOR" about the
#: pathway as a whole, associations, net effects) cost more than named molecular steps,
#: so the search explains a path through the mechanisms rather than around them.
DIRECT_COST = 1.0
SUMMARY_COST = 25.0
GENERIC_NODES = frozenset({"mtor"})


def graph(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """One node per entity, one edge per mechanism (key = mechanism id)."""
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for e in kb.entities.values():
        g.add_node(e.id, kind=e.kind.value, name_en=e.name_en, name_zh=e.name_zh)
    for m in kb.mechanisms.values():
        g.add_edge(
            m.subject,
            m.object,
            key=m.id,
            sign=m.sign.value,
            type=m.type.value,
            claims=",".join(m.claims),
            direct=m.direct,
        )
    return g


def step_cost(m: Mechanism) -> float:
    """Cost of one mechanism as a step of a path (see ``SUMMARY_COST``)."""
    summary = (
        not m.direct
        or m.type is MechanismType.association
        or (
            m.type is not MechanismType.complex_formation
            and (m.subject in GENERIC_NODES or m.object in GENERIC_NODES)
        )
    )
    return SUMMARY_COST if summary else DIRECT_COST


@dataclass(frozen=True)
class SignedPath:
    """A chain of mechanisms from one entity to another, with its net sign."""

    steps: tuple[Mechanism, ...]

    @property
    def sign(self) -> Sign:
        """``+`` if the chain has an even number of inhibitory steps."""
        neg = sum(m.sign is Sign.negative for m in self.steps)
        return Sign.negative if neg % 2 else Sign.positive

    @property
    def nodes(self) -> tuple[str, ...]:
        """The entities along the chain."""
        return (self.steps[0].subject, *(m.object for m in self.steps))

    @property
    def cost(self) -> float:
        """Sum of step costs (lower is more mechanistic and shorter)."""
        return sum(step_cost(m) for m in self.steps)


def paths(kb: KnowledgeBase, source: str, target: str, *, limit: int = 3) -> list[SignedPath]:
    """The ``limit`` cheapest simple paths from ``source`` to ``target``.

    Paths are ranked by total step cost (Yen's k-shortest simple paths on the
    entity graph), so chains of named molecular steps come before summary statements.
    Between two entities the cheapest mechanism is used for the step.
    """
    for name in (source, target):
        if name not in kb.entities:
            raise UnknownIdError("entity", name, tuple(kb.entities))
    if source == target:
        raise MtorlabError("source and target are the same entity")
    best: dict[tuple[str, str], Mechanism] = {}
    for m in sorted(kb.mechanisms.values(), key=lambda m: (step_cost(m), m.id)):
        best.setdefault((m.subject, m.object), m)
    g = nx.DiGraph()
    g.add_nodes_from(kb.entities)
    for (u, v), m in best.items():
        g.add_edge(u, v, weight=step_cost(m))
    try:
        found = list(islice(nx.shortest_simple_paths(g, source, target, weight="weight"), limit))
    except nx.NetworkXNoPath:
        return []
    return [SignedPath(tuple(best[(u, v)] for u, v in pairwise(p))) for p in found]
