"""Load and validate the knowledge base from its YAML files.

Each file holds one top-level key (``entities``, ``claims``, ``mechanisms``, ``tensions`` or
``limitations``)
with a list of records. Loading checks every record against the schema, then checks the
records against each other: ids are unique and resolve, every mechanism has evidence, every
claim is present and every testable claim is supported by at least one mechanism.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from mtorlab._yaml import collect_records
from mtorlab.errors import DataFileError
from mtorlab.kb._schema import Claim, Entity, Limitation, Mechanism, Tension

_KINDS: dict[str, type[BaseModel]] = {
    "entities": Entity,
    "claims": Claim,
    "mechanisms": Mechanism,
    "tensions": Tension,
    "limitations": Limitation,
}


@dataclass(frozen=True)
class KnowledgeBase:
    """The validated knowledge base: records by id, and where each came from."""

    entities: dict[str, Entity]
    claims: dict[str, Claim]
    mechanisms: dict[str, Mechanism]
    tensions: dict[str, Tension]
    limitations: dict[str, Limitation] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def mechanisms_for_claim(self, claim_id: str) -> list[Mechanism]:
        """Mechanisms that support a claim."""
        return [m for m in self.mechanisms.values() if claim_id in m.claims]

    def mechanisms_of_entity(self, entity_id: str) -> list[Mechanism]:
        """Mechanisms whose subject or object is the entity."""
        return [m for m in self.mechanisms.values() if entity_id in (m.subject, m.object)]

    def tensions_of_mechanism(self, mechanism_id: str) -> list[Tension]:
        """Tensions a mechanism takes part in."""
        return [t for t in self.tensions.values() if mechanism_id in t.mechanisms]


def default_data_dir() -> Path:
    """The directory of the knowledge-base files shipped with the package."""
    return Path(str(resources.files("mtorlab.kb") / "data"))


def load(data_dir: str | Path | None = None) -> KnowledgeBase:
    """Load and validate every ``*.yaml`` file under ``data_dir`` (default: the package's).

    Raises
    ------
    DataFileError
        Naming the file, the entry and the field of the first problem found.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    files = sorted(root.rglob("*.yaml"))
    if not files:
        raise DataFileError(str(root), "no knowledge-base files (*.yaml) found")
    tables, origin = collect_records(files, _KINDS)
    kb = KnowledgeBase(origin=origin, **tables)
    _check_references(kb)
    return kb


def _check_references(kb: KnowledgeBase) -> None:
    from mtorlab.errors import UnknownIdError

    def fail(rid: str, fld: str, what: str, name: str, known: Iterable[str]) -> None:
        msg = str(UnknownIdError(what, name, tuple(known)))
        raise DataFileError(kb.origin[rid], msg, entry=rid, field=fld)

    def resolve(
        rid: str, fld: str, what: str, names: Iterable[str], known: Mapping[str, object]
    ) -> None:
        for name in names:
            if name not in known:
                fail(rid, fld, what, name, known)

    for m in kb.mechanisms.values():
        resolve(m.id, "subject", "entity", [m.subject], kb.entities)
        resolve(m.id, "object", "entity", [m.object], kb.entities)
        resolve(m.id, "claims", "claim", m.claims, kb.claims)
    for t in kb.tensions.values():
        resolve(t.id, "claims", "claim", t.claims, kb.claims)
        resolve(t.id, "mechanisms", "mechanism", t.mechanisms, kb.mechanisms)
    for lim in kb.limitations.values():
        resolve(lim.id, "claims", "claim", lim.claims, kb.claims)
        resolve(lim.id, "tensions", "tension", lim.tensions, kb.tensions)
    supported = {c for m in kb.mechanisms.values() for c in m.claims}
    for claim in kb.claims.values():
        if claim.testable and claim.id not in supported:
            raise DataFileError(
                kb.origin[claim.id],
                "a testable claim must be supported by at least one mechanism (none lists it)",
                entry=claim.id,
                field="testable",
            )
