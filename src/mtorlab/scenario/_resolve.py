"""One way to resolve what a scenario runs: its file, mapping or object, its own ``drugs:``
block and the ``--library`` files of the command.

Every command (simulate, report, cohort, rank, trial, sensitivity, claims), the Python API
and the web API go through here, so a user drug behaves the same everywhere. The library
entries a scenario's interventions use are copied into its ``drugs:`` block (its own entries
win, as they always did): the resolved scenario is self-contained, so worker processes, the
report's evidence chain and the run store see the same drug without being told about files.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtorlab._cache import BoundedCache
from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    from mtorlab.interventions import Library
    from mtorlab.scenario._extension import ExtensionFiles
    from mtorlab.scenario._schema import Scenario

LibraryFiles = Sequence[str | Path] | str | Path


def library_files(files: LibraryFiles, what: str = "library_files") -> tuple[str, ...]:
    """``files`` as a tuple of paths (one path may be given alone); ``what`` names the
    argument in the error."""
    if isinstance(files, str | Path):
        return (str(files),)
    if not isinstance(files, Sequence) or not all(isinstance(f, str | Path) for f in files):
        raise MtorlabError(f"{what}: give a list of library file paths, not {files!r:.60}")
    return tuple(str(f) for f in files)


def library_entries(
    files: LibraryFiles, mechanisms: Collection[str] = ()
) -> tuple[dict[str, Any], ...]:
    """The raw entries of library files, each file validated first (a problem names the
    file, the entry and the field); a later entry replaces an earlier one with its id.
    ``mechanisms``: mechanism ids the scenario's model extensions add, which the entries'
    targets may cite."""
    from mtorlab._api import library
    from mtorlab.interventions import Library
    from mtorlab.interventions._library import read_library_file

    paths = library_files(files)
    for f in paths:  # validates the file on its own, so that errors name it
        if mechanisms:
            Library({}, {}).extended(read_library_file(f), f, mechanisms=mechanisms)
        else:
            library(f)
    out: dict[str, dict[str, Any]] = {}
    for f in paths:
        for raw in read_library_file(f):
            out[str(raw["id"])] = dict(raw)
    return tuple(out.values())


def merged_entries(
    own: Iterable[Mapping[str, Any]], files: LibraryFiles, mechanisms: Collection[str] = ()
) -> tuple[dict[str, Any], ...]:
    """A file's own ``drugs:`` block (a trial's, a strategies file's) after the entries of
    the library ``files`` it does not define itself (its own win, as in a scenario);
    ``mechanisms``: those its model extensions add, which the entries may cite."""
    mine = [dict(d) for d in own]
    ids = {str(d.get("id")) for d in mine}
    return (*(e for e in library_entries(files, mechanisms) if e["id"] not in ids), *mine)


def _used(interventions: object) -> set[str]:
    if not isinstance(interventions, list | tuple):
        return set()
    names = (
        iv.get("drug") or iv.get("intervention") for iv in interventions if isinstance(iv, Mapping)
    )
    return {str(n) for n in names if n}


def with_drugs(data: Mapping[str, Any], entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A scenario mapping with the library ``entries`` its interventions use put in front of
    its own ``drugs:`` (an entry the scenario defines itself is left out: its own wins)."""
    out = dict(data)
    own = out.get("drugs")
    if own is not None and not isinstance(own, list | tuple):
        return out  # not a list: validation says so
    own_ids = {str(d.get("id")) for d in own or () if isinstance(d, Mapping)}
    used = _used(out.get("interventions"))
    extra = [dict(e) for e in entries if e.get("id") in used and e.get("id") not in own_ids]
    if extra:
        out["drugs"] = [*extra, *(own or ())]
    return out


def resolve_scenario(
    source: Scenario | Mapping[str, Any] | str | Path,
    files: LibraryFiles = (),
    *,
    where: str | None = None,
    extensions: ExtensionFiles = (),
) -> Scenario:
    """The scenario ``source`` (an object, a mapping in the file format or a file's path),
    with the entries of the library ``files`` it uses added to its ``drugs:`` block and the
    content of the ``extensions`` files (``--extension``) after its own ``extensions:``.

    ``where`` names a mapping in error messages (a file names itself). A file path in a
    scenario's ``extensions:`` is read relative to the scenario file (to the working
    directory for a mapping). Nothing is planned here: :func:`~mtorlab.scenario.check_plan`
    then finds an unknown drug, naming the file.
    """
    from mtorlab._api import model
    from mtorlab._yaml import read_yaml
    from mtorlab.errors import DataFileError
    from mtorlab.scenario._extension import (
        extend,
        extension_files,
        extension_mechanisms,
        read_extension_file,
        resolve_items,
    )
    from mtorlab.scenario._load import validate_scenario
    from mtorlab.scenario._schema import Scenario

    added = [read_extension_file(f) for f in extension_files(extensions)] if extensions else []
    if isinstance(source, Scenario):
        exts = (*source.extensions, *added)
        entries = library_entries(files, extension_mechanisms(exts)) if files else ()
        if not entries and not added:
            return source
        update: dict[str, Any] = {}
        if entries:
            update["drugs"] = tuple(with_drugs(
                {"interventions": [{"drug": iv.name} for iv in source.interventions],
                 "drugs": list(source.drugs)}, entries)["drugs"])  # fmt: skip
        if added:
            extend(model(), exts, where or f"scenario {source.name!r}")
            update["extensions"] = exts
        return source.model_copy(update=update)
    if isinstance(source, Mapping):
        data: Any = dict(source)
        name = where or "scenario (mapping)"
        base_dir = Path.cwd()
    elif isinstance(source, str | Path):
        p = Path(source)
        if not p.is_file():
            raise DataFileError(str(p), "no such scenario file")
        data, name, base_dir = read_yaml(p), str(p), p.parent
    else:
        raise MtorlabError(
            f"a scenario is a Scenario, a mapping or a YAML path, not {type(source).__name__}"
        )
    if isinstance(data, dict):
        if "extensions" in data:
            data["extensions"] = resolve_items(data["extensions"], name, base_dir)
        if added:
            own = data.get("extensions") or []
            data["extensions"] = [*own, *added] if isinstance(own, list | tuple) else own
        exts = data.get("extensions") or ()
        mechs = extension_mechanisms(exts) if isinstance(exts, list | tuple) else ()
        entries = library_entries(files, mechs) if files else ()
        if entries:
            data = with_drugs(data, entries)
    return validate_scenario(data, name, model().readout_ids)


#: Libraries of scenarios' own drugs, by the drugs' text: a cohort plans every patient's
#: copy of one scenario, and a server sees many.
_LIBRARIES: BoundedCache[str, Library] = BoundedCache(32)


def scenario_library(scenario: Scenario, base: Library | None = None) -> Library:
    """The intervention library a scenario runs with: ``base`` (the built-in library) with
    the scenario's own ``drugs:`` entries added or replacing."""
    import json

    from mtorlab._api import library
    from mtorlab.scenario._extension import extension_mechanisms

    source = f"scenario {scenario.name!r}: drugs"
    mechs = extension_mechanisms(scenario.extensions)
    if base is not None:
        return base.extended(scenario.drugs, source, mechanisms=mechs) if scenario.drugs else base
    if not scenario.drugs:
        return library()
    key = json.dumps([scenario.drugs, mechs], sort_keys=True, default=str)
    return _LIBRARIES.get_or_build(
        key, lambda: library().extended(scenario.drugs, source, mechanisms=mechs)
    )
