"""``mtorlab report``: one self-contained HTML page for one or more scenarios."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from mtorlab.cli._scenario import ExtensionOption, LibraryOption


def register(app: typer.Typer) -> None:
    """Add ``mtorlab report`` to ``app``."""

    @app.command("report")
    def report(
        scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
        out: Annotated[Path, typer.Option("-o", "--out", help="Report directory.")] = Path(
            "report"
        ),
        store: str | None = typer.Option(None, "--store", help="Run store directory."),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Simulate scenarios and write a self-contained HTML report with the evidence."""
        import mtorlab as mt
        from mtorlab.cli._output import check_folder_path, check_store_path
        from mtorlab.cli._scenario import extension_paths, library_paths, load_planned
        from mtorlab.cli._simulate import record_run
        from mtorlab.errors import MtorlabError
        from mtorlab.report._html import Run, build_report

        check_store_path(store)
        if out.exists() and not out.is_dir():
            raise MtorlabError(f"-o {out}: is a file; the report is a folder")
        check_folder_path(out, "-o")
        libs, exts = library_paths(library), extension_paths(extension)
        # all valid and planned first (drugs, routes, dose times), each with its drugs:
        # block and the --library entries it uses
        loaded = [(path, load_planned(path, libs, exts)[0]) for path in scenarios]
        done = []
        for path, sc in loaded:  # then all simulated: a failure here has written nothing
            t0 = time.perf_counter()
            done.append((path, sc, mt.simulate(sc), time.perf_counter() - t0))
        runs = []
        for path, sc, frame, wall in done:
            run_id = record_run(
                frame, path, store, wall, command="report", library=libs,
                extensions=sc.extensions,
            )  # fmt: skip
            runs.append(Run(path, path.read_text(encoding="utf-8"), sc, frame, run_id))
        index = build_report(runs, out)
        print(f"report: {index.resolve()}")
