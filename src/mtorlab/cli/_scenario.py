"""What every command that runs scenarios shares: the ``--library`` option and loading a
scenario file the one way (its ``drugs:`` block, the ``--library`` files, planned)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from mtorlab.pk import Plan
    from mtorlab.scenario import Scenario

LIBRARY_HELP = "Extra intervention-library file: new drugs as data (repeatable)."

#: ``--library FILE`` (repeatable), for every command that runs scenarios.
LibraryOption = Annotated[list[Path] | None, typer.Option("--library", help=LIBRARY_HELP)]


def library_paths(library: list[Path] | None) -> tuple[str, ...]:
    """The ``--library`` files as paths, each validated (a problem names the file)."""
    from mtorlab._api import library as load_library

    paths = tuple(str(p) for p in library or ())
    for f in paths:
        load_library(f)
    return paths


def load_planned(path: Path, libs: tuple[str, ...] = ()) -> tuple[Scenario, Plan]:
    """The scenario file ``path`` with the ``--library`` entries it uses, and its plan (an
    unknown drug, route or dose time is one line naming the file)."""
    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.scenario import check_plan

    sc = mt.load_scenario(path, library_files=libs)
    return sc, check_plan(mt.model(), sc, library(), str(path))
