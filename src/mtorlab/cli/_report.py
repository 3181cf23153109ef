"""``mtorlab report``: one self-contained HTML page for one or more scenarios."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add ``mtorlab report`` to ``app``."""

    @app.command("report")
    def report(
        scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
        out: Annotated[Path, typer.Option("-o", "--out", help="Report directory.")] = Path(
            "report"
        ),
        store: str | None = typer.Option(None, "--store", help="Run store directory."),
    ) -> None:
        """Simulate scenarios and write a self-contained HTML report with the evidence."""
        import mtorlab as mt
        from mtorlab.cli._simulate import record_run
        from mtorlab.report._html import Run, build_report

        runs = []
        for path in scenarios:
            t0 = time.perf_counter()
            sc = mt.load_scenario(path)
            frame = mt.simulate(sc)
            run_id = record_run(frame, path, store, time.perf_counter() - t0, command="report")
            runs.append(Run(path, path.read_text(encoding="utf-8"), sc, frame, run_id))
        index = build_report(runs, out)
        print(f"report: {index.resolve()}")
