"""``mtorlab runs``: list, show and export recorded runs."""

from __future__ import annotations

from typing import Any

import typer

from mtorlab.cli._output import print_json, write_table

STORE_HELP = "Run store directory (default: $MTORLAB_STORE or the user's data directory)."


def _store(path: str | None) -> Any:
    from mtorlab.cli._output import check_store_path
    from mtorlab.store import RunStore

    check_store_path(path)
    return RunStore(path)


def register(app: typer.Typer) -> None:
    """Add ``mtorlab runs …`` to ``app``."""
    runs_app = typer.Typer(help="Recorded runs (an embedded DuckDB catalog with Parquet results).")
    app.add_typer(runs_app, name="runs")

    @runs_app.command("list")
    def runs_list(
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Every recorded run, newest first."""
        runs = _store(store).list()
        if as_json:
            print_json([r.as_dict() for r in runs])
            return
        if not runs:
            print("no runs recorded")
        for r in runs:
            when = f"{r.created:%Y-%m-%d %H:%M}"
            print(f"{r.id}  {when}  {r.command:<9} {r.name or '-'}  ({r.n_rows} rows)")

    @runs_app.command("show")
    def runs_show(
        run_id: str = typer.Argument(..., help="Run id (a unique prefix is enough)."),
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """A run's metadata and scenario text."""
        rec = _store(store).get(run_id).as_dict()
        if as_json:
            print_json(rec)
            return
        text = rec.pop("scenario_text")
        for k, v in rec.items():
            print(f"{k}: {', '.join(v) if isinstance(v, list) else v}")
        if text:
            print("scenario:\n  " + text.rstrip().replace("\n", "\n  "))

    @runs_app.command("export")
    def runs_export(
        run_id: str = typer.Argument(..., help="Run id (a unique prefix is enough)."),
        output: str = typer.Option(..., "--output", "-o", help="out.csv or out.parquet"),
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        """Write a run's results table to CSV or Parquet."""
        from mtorlab.cli._output import check_table_path

        check_table_path(output, "-o")
        path = write_table(_store(store).load(run_id), output)
        print(f"wrote {path}")
