"""Load the intervention library: the built-in entries, a user's file, a scenario's block.

A new drug is a data entry, never code: ``--library FILE`` or a scenario's ``drugs:``
block adds entries with the same schema as the built-in ``data/library.yaml``. An entry
with the id of a built-in one replaces it (so a user can re-parameterise ketamine).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mtorlab._yaml import read_yaml
from mtorlab.errors import DataFileError, UnknownIdError, validation_message
from mtorlab.interventions._schema import Drug


def builtin_path() -> Path:
    """The built-in library file shipped with the package."""
    return Path(str(resources.files("mtorlab.interventions") / "data" / "library.yaml"))


@dataclass(frozen=True)
class Library:
    """Intervention entries by id, with the file each came from."""

    entries: dict[str, Drug]
    origin: dict[str, str]

    def get(self, drug_id: str) -> Drug:
        """The entry for ``drug_id``; an unknown id names the nearest known ones."""
        try:
            return self.entries[drug_id]
        except KeyError:
            raise UnknownIdError("drug or intervention", drug_id, tuple(self.entries)) from None

    def extended(
        self,
        entries: Iterable[Mapping[str, Any]],
        source: str,
        *,
        check_kb: bool = True,
        mechanisms: Collection[str] = (),
    ) -> Library:
        """A new library with ``entries`` (raw mappings from ``source``) added or replacing;
        ``check_kb``: their targets' mechanisms must be in the knowledge base or among
        ``mechanisms`` (those a scenario's model extensions add)."""
        new = dict(self.entries)
        origin = dict(self.origin)
        for drug in parse_entries(entries, source, check_kb=check_kb, mechanisms=mechanisms):
            new[drug.id] = drug
            origin[drug.id] = source
        return Library(new, origin)


def parse_entries(
    entries: Iterable[Mapping[str, Any]],
    source: str,
    *,
    check_kb: bool = True,
    mechanisms: Collection[str] = (),
) -> list[Drug]:
    """Validate raw entries; the first problem raises :class:`DataFileError`.

    With ``check_kb`` every target's mechanisms must be mechanisms of the knowledge base
    (the evidence chain of a report or a ranking reads them there). The built-in library
    is checked against it by the test suite instead. ``mechanisms``: more known ids (a
    scenario's model extensions add mechanisms with their evidence).
    """
    out = []
    for i, raw in enumerate(entries):
        entry = str(raw.get("id", f"#{i + 1}")) if isinstance(raw, Mapping) else f"#{i + 1}"
        if not isinstance(raw, Mapping):
            raise DataFileError(source, "a library entry must be a mapping", entry=entry)
        try:
            drug = Drug.model_validate(raw)
        except ValidationError as exc:
            loc, msg = validation_message(exc)
            raise DataFileError(source, msg, entry=entry, field=loc) from None
        if check_kb:
            _known_mechanisms(drug, source, mechanisms)
        out.append(drug)
    return out


def _known_mechanisms(drug: Drug, source: str, extra: Collection[str] = ()) -> None:
    from mtorlab._api import knowledge_base

    known = [*knowledge_base().mechanisms, *extra]
    for k, target in enumerate(drug.targets):
        for m in target.mechanisms:
            if m not in known:
                msg = str(UnknownIdError("mechanism (not in the knowledge base)", m, tuple(known)))
                raise DataFileError(source, msg, entry=drug.id, field=f"targets.{k}.mechanisms")


def read_library_file(path: str | Path) -> list[Mapping[str, Any]]:
    """Raw entries of a library file (top-level key ``drugs``)."""
    p = Path(path)
    doc = read_yaml(p)
    if not isinstance(doc, dict) or not isinstance(doc.get("drugs"), list):
        raise DataFileError(str(p), "a library file holds a list under the key 'drugs'")
    return list(doc["drugs"])


def load_library(*extra_files: str | Path) -> Library:
    """The built-in library, extended by each of ``extra_files`` in order."""
    base = builtin_path()
    lib = Library({}, {}).extended(read_library_file(base), str(base), check_kb=False)
    for f in extra_files:
        lib = lib.extended(read_library_file(f), str(f))
    return lib
