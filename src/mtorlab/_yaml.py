"""Read YAML data files (libyaml when available) and their records; errors are one line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from mtorlab.errors import DataFileError, validation_message

_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BASE):
    """A safe loader that refuses a key written twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` is not a repeat
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: let the base class report it
                break
            if repeated:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> Any:
        """An integer, or an error at its line for one too long to read (over 4,300 digits:
        Python's limit on int() of a digit string)."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise _TooLong(
                None, None, f"a number of {len(node.value):,} digits cannot be read",
                node.start_mark,
            ) from None  # fmt: skip


class _TooLong(yaml.constructor.ConstructorError):
    """A number too long to read (reported with its line, not as malformed YAML)."""


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _UniqueKeyLoader.construct_yaml_int)
_LOADER: Any = _UniqueKeyLoader


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text; ``source`` names it in the error message.

    A key written twice, or a number too long to read (over 4,300 digits), is an error.
    """
    try:
        return yaml.load(text, Loader=_LOADER)
    except _TooLong as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "a value"
        raise DataFileError(source, f"{where}: {exc.problem} (at most 4,300)") from None
    except ValueError as exc:  # Python's limit on int() of very long digit strings
        raise DataFileError(source, f"a value cannot be read: {str(exc).split(';')[0]}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataFileError(source, f"malformed YAML{where}: {problem}") from None


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, turning syntax and I/O errors into :class:`DataFileError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(str(p), f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(
            str(p),
            f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save the file as UTF-8",
        ) from None
    return load_yaml_text(text, str(p))


def validate_record(model: type[BaseModel], item: Any, source: str, index: int) -> BaseModel:
    """Validate one mapping as ``model``; errors name the source, the entry and the field."""
    entry = str(item.get("id", f"#{index + 1}")) if isinstance(item, dict) else f"#{index + 1}"
    if not isinstance(item, dict):
        raise DataFileError(source, "a record must be a mapping", entry=entry)
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        loc, msg = validation_message(exc)
        raise DataFileError(source, msg, entry=entry, field=loc) from None


def read_records(
    path: Path, kinds: Mapping[str, type[BaseModel]]
) -> Iterator[tuple[str, BaseModel]]:
    """Records of a data file holding exactly one top-level key (a kind) with a list."""
    doc = read_yaml(path)
    if not isinstance(doc, dict) or len(doc) != 1 or next(iter(doc)) not in kinds:
        raise DataFileError(
            str(path), f"the file must hold exactly one top-level key out of {', '.join(kinds)}"
        )
    kind, items = next(iter(doc.items()))
    if not isinstance(items, list):
        raise DataFileError(str(path), f"{kind!r} must be a list of records", field=kind)
    for i, item in enumerate(items):
        yield kind, validate_record(kinds[kind], item, str(path), i)


def collect_records(
    files: Iterable[Path],
    kinds: Mapping[str, type[BaseModel]],
    key: Callable[[str, str], str] = lambda kind, rid: rid,
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Records of several files by kind and id, and the file each came from.

    ``key(kind, id)`` is the name an id must be unique under (by default ids are unique
    across kinds); a repeated one is an error naming both files.
    """
    tables: dict[str, dict[str, Any]] = {k: {} for k in kinds}
    origin: dict[str, str] = {}
    for path in files:
        for kind, rec in read_records(path, kinds):
            rid = str(rec.id)  # type: ignore[attr-defined]
            name = key(kind, rid)
            if name in origin:
                raise DataFileError(
                    str(path),
                    f"duplicate id, first defined in {origin[name]}",
                    entry=rid,
                    field="id",
                )
            origin[name] = str(path)
            tables[kind][rid] = rec
    return tables, origin
