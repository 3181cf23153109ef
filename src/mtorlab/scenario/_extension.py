"""Model extensions as data: a scenario's ``extensions:`` block and ``--extension FILE``.

An extension adds model records (inputs and other parameters, species, reactions,
assignment rules, readouts) and knowledge-base records (entities, mechanisms with
evidence) to a copy of the base model and knowledge base. Its records go through the
same schema and checks as the package data (units, ranges, provenance, ids that resolve,
formula symbols, SBML unit consistency), and every mechanism an extension reaction or rule
cites must exist in the knowledge base or in the extension. Ids may not reuse a base id.

A resolved scenario carries its extensions' content (as it carries its drugs), so worker
processes, the run store and the web API see the same model without reading files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtorlab._cache import BoundedCache
from mtorlab.errors import DataFileError, MtorlabError, UnknownIdError

if TYPE_CHECKING:
    from mtorlab.kb import KnowledgeBase
    from mtorlab.ode import Model

#: Model record kinds an extension may add, in the order they are merged (a rule or a
#: reaction may use the extension's species and parameters; a readout names either).
MODEL_KINDS = ("species", "parameters", "assignments", "reactions", "readouts")
#: Knowledge-base record kinds an extension may add.
KB_KINDS = ("entities", "mechanisms")
#: Every top-level field of an extension.
FIELDS = ("name", "description", "source", *MODEL_KINDS, *KB_KINDS)
#: Parameter roles an extension may declare (a ``condition`` needs a scenario field and a
#: ``baseline`` is written by the steady-state tool, so neither is open to extensions).
ROLES = ("rate", "gain", "constant", "input", "phenotype")

ExtensionFiles = Sequence[str | Path] | str | Path


def extension_files(files: ExtensionFiles, what: str = "extension_files") -> tuple[str, ...]:
    """``files`` as a tuple of paths (one path may be given alone)."""
    if isinstance(files, str | Path):
        return (str(files),)
    if not isinstance(files, Sequence) or not all(isinstance(f, str | Path) for f in files):
        raise MtorlabError(f"{what}: give a list of extension file paths, not {files!r:.60}")
    return tuple(str(f) for f in files)


def read_extension_file(path: str | Path) -> dict[str, Any]:
    """An extension file's content, with ``source`` set to its path (checked later)."""
    from mtorlab._yaml import read_yaml

    p = Path(path)
    if not p.is_file():
        raise DataFileError(str(p), "no such extension file")
    doc = read_yaml(p)
    if not isinstance(doc, dict):
        raise DataFileError(
            str(p), f"an extension file is a mapping with some of the fields {', '.join(FIELDS)}"
        )
    return {**doc, "source": str(p)}


def resolve_items(items: Any, where: str, base_dir: Path | None) -> Any:
    """A scenario's ``extensions:`` list with each file path (relative to ``base_dir``, the
    scenario file's folder) replaced by the file's content; ``None`` leaves paths as they
    are (they are refused by validation, naming the entry)."""
    if not isinstance(items, list | tuple):
        return items  # validation says what is wrong
    out: list[Any] = []
    for i, item in enumerate(items):
        if isinstance(item, str) and base_dir is not None:
            p = Path(item)
            p = p if p.is_absolute() else base_dir / p
            if not p.is_file():
                raise DataFileError(
                    where, f"no such extension file {item!r} (relative to {base_dir})",
                    field=f"extensions[{i}]",
                )  # fmt: skip
            out.append(read_extension_file(p))
        elif isinstance(item, Mapping) and "source" not in item:
            out.append({**item, "source": f"{where}: extensions[{i}]"})
        else:
            out.append(item)
    return out


def _source(ext: Mapping[str, Any], i: int, where: str) -> str:
    src = ext.get("source")
    return str(src) if isinstance(src, str) and src else f"{where}: extensions[{i}]"


def _shape(ext: Any, i: int, where: str) -> tuple[str, dict[str, list[Any]]]:
    """The source name and the record lists of one extension, or the one-line error."""
    if isinstance(ext, str):
        raise DataFileError(
            where,
            f"{ext!r} is a file path that was not read here; give the extension's content "
            "(a mapping of species, parameters, reactions, ...) inline, or load the scenario "
            "from its file",
            field=f"extensions[{i}]",
        )
    if not isinstance(ext, Mapping):
        raise DataFileError(
            where, f"{ext!r:.60} is not an extension (a mapping of fields)",
            field=f"extensions[{i}]",
        )  # fmt: skip
    source = _source(ext, i, where)
    unknown = [k for k in ext if k not in FIELDS]
    if unknown:
        raise DataFileError(
            source, f"unknown field {unknown[0]!r}; an extension has {', '.join(FIELDS)}",
            field=str(unknown[0]),
        )  # fmt: skip
    lists: dict[str, list[Any]] = {}
    for kind in (*MODEL_KINDS, *KB_KINDS):
        items = ext.get(kind, [])
        if not isinstance(items, list | tuple):
            raise DataFileError(source, f"{items!r:.60} is not a list of records", field=kind)
        lists[kind] = list(items)
    if not any(lists.values()):
        raise DataFileError(
            source, f"the extension adds nothing; give some of {', '.join(MODEL_KINDS)}"
        )
    return source, lists


def _roles(source: str, items: Iterable[Any]) -> None:
    for i, item in enumerate(items):
        role = item.get("role") if isinstance(item, Mapping) else None
        if role is not None and role not in ROLES:
            entry = str(item.get("id", f"#{i + 1}"))
            raise DataFileError(
                f"{source}: parameters", f"role {role!r} is not open to extensions; "
                f"allowed: {', '.join(ROLES)}", entry=entry, field="role",
            )  # fmt: skip


def _extend_kb(kb: KnowledgeBase, source: str, lists: Mapping[str, list[Any]]) -> KnowledgeBase:
    import dataclasses

    from mtorlab._yaml import validate_record
    from mtorlab.kb._schema import Entity, Mechanism

    tables: dict[str, dict[str, Any]] = {
        "entities": dict(kb.entities),
        "mechanisms": dict(kb.mechanisms),
    }
    origin = dict(kb.origin)
    for kind, schema in (("entities", Entity), ("mechanisms", Mechanism)):
        where = f"{source}: {kind}"
        for i, item in enumerate(lists[kind]):
            rec: Any = validate_record(schema, item, where, i)
            if rec.id in origin or rec.id in tables[kind]:
                first = origin.get(rec.id, "the knowledge base")
                raise DataFileError(
                    where, f"id {rec.id!r} is already defined in {first}; choose a new id",
                    entry=rec.id, field="id",
                )  # fmt: skip
            origin[rec.id] = where
            tables[kind][rec.id] = rec
    for m in lists["mechanisms"]:
        rec = tables["mechanisms"][m["id"]]
        where = f"{source}: mechanisms"
        for fld in ("subject", "object"):
            name = getattr(rec, fld)
            if name not in tables["entities"]:
                msg = str(UnknownIdError("entity", name, tuple(tables["entities"])))
                raise DataFileError(where, msg, entry=rec.id, field=fld)
        for c in rec.claims:
            if c not in kb.claims:
                msg = str(UnknownIdError("claim", c, tuple(kb.claims)))
                raise DataFileError(where, msg, entry=rec.id, field="claims")
    return dataclasses.replace(kb, origin=origin, **tables)


def _extend_model(
    model: Model, kb: KnowledgeBase, source: str, lists: Mapping[str, list[Any]]
) -> Model:
    _roles(source, lists["parameters"])
    for kind in MODEL_KINDS:
        if lists[kind]:
            model = model.extend({kind: lists[kind]}, source=f"{source}: {kind}")
    for kind in ("reactions", "assignments"):
        table = getattr(model, kind)
        for item in lists[kind]:
            rec = table[item["id"]]
            for m in rec.mechanisms:
                if m not in kb.mechanisms:
                    msg = str(UnknownIdError("mechanism", m, tuple(kb.mechanisms)))
                    msg += " (add it under the extension's `mechanisms:`, with its evidence)"
                    raise DataFileError(f"{source}: {kind}", msg, entry=rec.id, field="mechanisms")
    for item in lists["species"]:
        rec = model.species[item["id"]]
        if rec.entity is not None and rec.entity not in kb.entities:
            msg = str(UnknownIdError("entity", rec.entity, tuple(kb.entities)))
            raise DataFileError(f"{source}: species", msg, entry=rec.id, field="entity")
    return model


def _check_units(model: Model, source: str) -> None:
    """libsbml's unit consistency on the extended model (the base model has none to say)."""
    from mtorlab.io._sbml import SbmlBuildError, build_document, consistency_report

    try:
        doc = build_document(model, miriam=False)
    except SbmlBuildError as exc:  # a formula libsbml cannot parse ("r_x: cannot parse ...")
        rid, _, msg = str(exc).partition(": ")
        kind = next((k for k in ("reactions", "assignments") if rid in getattr(model, k)), None)
        if kind is None:
            raise DataFileError(source, " ".join(str(exc).split())[:300]) from None
        fld = "rate" if kind == "reactions" else "formula"
        msg = " ".join(msg.split())[:300]
        raise DataFileError(f"{source}: {kind}", msg, entry=rid, field=fld) from None
    errors, warnings = consistency_report(doc)
    if errors or warnings:
        first = " ".join((errors or warnings)[0].split())
        raise DataFileError(source, f"units are not consistent: {first}"[:400])


#: Extended (model, knowledge base) by the extensions' text and the base model; the value
#: keeps the base model alive so its id cannot be reused. Bounded: a server sees many.
_EXTENDED: BoundedCache[tuple[int, str], tuple[Model, Model, KnowledgeBase]] = BoundedCache(16)


def _key(extensions: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(extensions), sort_keys=True, default=str)


def extend(
    model: Model, extensions: Sequence[Any], where: str = "scenario"
) -> tuple[Model, KnowledgeBase]:
    """``model`` and the package's knowledge base with ``extensions`` merged into copies.

    Built once per distinct content (and base model); ``where`` names the scenario in the
    error for an entry that is not an extension at all.

    Raises
    ------
    DataFileError
        Naming the extension's file (or the scenario entry), the record and the field.
    """
    from mtorlab._api import knowledge_base

    if not extensions:
        return model, knowledge_base()
    shaped = [_shape(ext, i, where) for i, ext in enumerate(extensions)]

    def build() -> tuple[Model, Model, KnowledgeBase]:
        m, kb = model, knowledge_base()
        for source, lists in shaped:
            kb = _extend_kb(kb, source, lists)
            m = _extend_model(m, kb, source, lists)
            _check_units(m, source)
        return model, m, kb

    _, m, kb = _EXTENDED.get_or_build((id(model), _key(extensions)), build)
    return m, kb


def extended_model(model: Model, extensions: Sequence[Any]) -> Model:
    """``model`` with ``extensions`` merged (``model`` itself when there are none)."""
    return extend(model, extensions)[0] if extensions else model


def extension_mechanisms(extensions: Sequence[Any]) -> tuple[str, ...]:
    """The mechanism ids ``extensions`` add (for drug targets that cite them)."""
    out: list[str] = []
    for ext in extensions:
        if isinstance(ext, Mapping) and isinstance(ext.get("mechanisms"), list | tuple):
            out += [str(m["id"]) for m in ext["mechanisms"] if isinstance(m, Mapping)]
    return tuple(out)


def scenario_kb(extensions: Sequence[Any]) -> KnowledgeBase:
    """The knowledge base a scenario's evidence is read from (with its extensions')."""
    from mtorlab._api import knowledge_base, model

    return extend(model(), extensions)[1] if extensions else knowledge_base()
