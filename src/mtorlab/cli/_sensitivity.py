"""``mtorlab sensitivity``: which parameters (or contexts) a readout depends on (SALib)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from mtorlab.cli._output import write_atomic, write_table
from mtorlab.cli._scenario import ExtensionOption, LibraryOption
from mtorlab.cli._simulate import STORE_HELP, record_run


def _header(name: str, method: str, readout: str, unit: str, at: str, n_rows: int) -> str:
    """The line above the table: what was computed, of which readout (its unit), when."""
    what = (
        "Morris elementary effects (mu_star: mean absolute effect, sigma: its spread, in the "
        "readout's unit) per parameter"
        if method == "morris"
        else "Sobol indices (S1 first order, ST total, with 95% half-widths) per context"
    )
    shown = f"top 15 of {n_rows}" if n_rows > 15 else f"all {n_rows}"
    return f"{name}: {what} of {readout} ({unit}) at {at}; {shown}, most influential first"


def _tornado(table: object, method: str, readout: str, title: str = "") -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mtorlab.plots import png_bytes

    df = table.head(20)  # type: ignore[attr-defined]
    label = "parameter" if method == "morris" else "context"
    value = "mu_star" if method == "morris" else "ST"
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(df) + 1.2))
    ax.barh(df[label][::-1], df[value][::-1], color="#4a78b0")
    ax.set_xlabel(f"{value} ({'Morris' if method == 'morris' else 'Sobol total'}) of {readout}")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=9)
    return png_bytes(fig)


def register(app: typer.Typer) -> None:
    """Add ``mtorlab sensitivity`` to ``app``."""

    @app.command("sensitivity")
    def sensitivity_cmd(
        scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        readout: str = typer.Option("depression_score", "--readout", help="Readout to explain."),
        at: str = typer.Option("7d", "--at", help="Time of the readout, e.g. 24h or 7d."),
        method: str = typer.Option("morris", "--method", help="morris or sobol."),
        n: int = typer.Option(10, "--n", min=2, help="Trajectories (Morris) or base samples."),
        seed: int = typer.Option(1, "--seed", help="Sampling seed."),
        engine: str = typer.Option(
            "batch", "--engine", help="batch (compiled, many samples per call) or reference."
        ),
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Table: .csv or .parquet.")
        ] = None,
        plot: Annotated[Path | None, typer.Option("--plot", help="Tornado plot (PNG).")] = None,
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Global sensitivity of a readout at a time, per parameter (Morris) or context
        (Sobol); the index table is recorded in the run store."""
        from rich.console import Console
        from rich.progress import Progress

        from mtorlab.analysis import check_options, sensitivity
        from mtorlab.claims._assertions import hours
        from mtorlab.cli._output import check_output_path, check_store_path, check_table_path
        from mtorlab.cli._scenario import extension_paths, library_paths, load_planned
        from mtorlab.errors import MtorlabError, UnknownIdError
        from mtorlab.plots import readout_unit

        check_options(method, engine)
        check_table_path(output, "-o")
        check_output_path(plot, "--plot")
        check_store_path(store)
        started = time.perf_counter()
        try:
            at_h = hours(at)
        except ValueError as exc:
            raise MtorlabError(f"--at: {exc}") from None
        libs = library_paths(library)
        sc, plan = load_planned(scenario, libs, extension_paths(extension))
        if at_h > sc.duration_h:
            raise MtorlabError(f"--at {at}: later than the scenario's duration ({sc.duration})")
        if at_h < 0:
            raise MtorlabError(f"--at {at}: give a time from the scenario's start (0 h or later)")
        if readout not in plan.pk_readouts and readout not in plan.model.readouts:
            known = (*plan.model.readout_ids, *plan.pk_readouts)
            raise MtorlabError(f"--readout: {UnknownIdError('readout', readout, known)}")
        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task(f"{method} samples", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            table = sensitivity(
                sc, readout, at_h, method=method, n=n, seed=seed, progress=step, engine=engine
            )
        unit = readout_unit(readout)
        print(_header(sc.name, method, readout, unit, at, len(table)))
        print(table.head(15).to_string(index=False, float_format=lambda x: f"{x:.4g}"))
        wall = time.perf_counter() - started
        label = f"{sc.name}: {method} on {readout} at {at}"
        run_id = record_run(
            table, scenario, store, wall, command="sensitivity", name=label, library=libs,
            extensions=sc.extensions,
        )  # fmt: skip
        if output is not None:
            print(f"wrote {write_table(table, output)}")
        if plot is not None:
            title = f"{sc.name}: {readout} ({unit}) at {at}"
            print(f"wrote {write_atomic(plot, _tornado(table, method, readout, title))}")
        print(f"run {run_id} recorded (mtorlab runs show {run_id})")
