"""What every command that runs scenarios shares: the ``--library`` option and loading a
scenario file the one way (its ``drugs:`` block, the ``--library`` files, planned)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from mtorlab.pk import Plan
    from mtorlab.scenario import Scenario

LIBRARY_HELP = "Extra intervention-library file: new drugs as data (repeatable)."

#: ``--library FILE`` (repeatable), for every command that runs scenarios.
LibraryOption = Annotated[list[Path] | None, typer.Option("--library", help=LIBRARY_HELP)]
EXTENSION_HELP = (
    "Model extension file: inputs, species, reactions and mechanisms as data (repeatable; "
    "added after the scenario's own `extensions:`)."
)
#: ``--extension FILE`` (repeatable), for the commands that run one scenario file.
ExtensionOption = Annotated[list[Path] | None, typer.Option("--extension", help=EXTENSION_HELP)]


def library_paths(library: list[Path] | None) -> tuple[str, ...]:
    """The ``--library`` files as paths, each validated (a problem names the file).

    The entries' mechanisms are checked against the knowledge base when a scenario is
    resolved, where its model extensions (which may add mechanisms) are known."""
    from mtorlab.interventions import Library
    from mtorlab.interventions._library import read_library_file

    paths = tuple(str(p) for p in library or ())
    for f in paths:
        Library({}, {}).extended(read_library_file(f), f, check_kb=False)
    return paths


def extension_paths(extension: list[Path] | None) -> tuple[str, ...]:
    """The ``--extension`` files as paths (each is validated with the scenario it joins)."""
    from mtorlab.scenario._extension import read_extension_file

    paths = tuple(str(p) for p in extension or ())
    for f in paths:
        read_extension_file(f)  # a missing file or one that is not a mapping names itself
    return paths


def extension_contents(extension: list[Path] | None) -> tuple[dict[str, Any], ...]:
    """The ``--extension`` files' contents, each file read once (a missing file or one that
    is not a mapping names itself), for commands that take contents rather than paths."""
    from mtorlab.scenario._extension import read_extension_file

    return tuple(read_extension_file(str(p)) for p in extension or ())


def load_planned(
    path: Path, libs: tuple[str, ...] = (), exts: tuple[str, ...] = ()
) -> tuple[Scenario, Plan]:
    """The scenario file ``path`` with the ``--library`` entries it uses and the
    ``--extension`` files, and its plan (an unknown drug, route or dose time is one line
    naming the file)."""
    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.scenario import check_plan, resolve_scenario

    sc = resolve_scenario(path, libs, extensions=exts)
    return sc, check_plan(mt.model(), sc, library(), str(path))
