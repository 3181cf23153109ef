"""``mtorlab trial``: simulate a virtual trial design, analyse it, record it, write its results."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mtorlab.cli._scenario import ExtensionOption, LibraryOption
from mtorlab.cli._simulate import STORE_HELP, record_run

if TYPE_CHECKING:
    from mtorlab.clinical import Trial, TrialTables


def _pct(rate: float, lo: float, hi: float) -> str:
    return f"{100 * rate:5.1f}% (95% CI {100 * lo:.1f}-{100 * hi:.1f})"


def _summary_lines(trial: Trial, tables: TrialTables) -> list[str]:
    """The primary visit per arm, then each contrast against the control."""
    primary = trial.endpoints.primary_visit.value
    v = tables.visits[tables.visits["visit_h"] == primary]
    lines = [f"primary visit: day {primary / 24:g}"]
    for arm in trial.arms:
        r = v[v["arm"] == arm.id].iloc[0]
        lines.append(
            f"  {arm.id:16s} n={int(r['n']):4d}  change {r['change_mean']:+6.1f} "
            f"({r['change_ci_low']:+.1f} to {r['change_ci_high']:+.1f})  response "
            f"{_pct(r['response_rate'], r['response_ci_low'], r['response_ci_high'])}  "
            f"remission {100 * r['remission_rate']:.1f}%"
        )
    c = tables.contrasts
    if not c.empty:
        for _, r in c[c["visit_h"] == primary].iterrows():
            lines.append(
                f"  {r['arm']} - {r['control']}: MADRS {r['change_diff']:+.2f} "
                f"({r['change_diff_ci_low']:+.2f} to {r['change_diff_ci_high']:+.2f}); response "
                f"{100 * r['response_diff']:+.1f} points ({100 * r['response_diff_ci_low']:+.1f} "
                f"to {100 * r['response_diff_ci_high']:+.1f}); {r['nnt_text']}"
            )
    for _, r in tables.time_to_response.iterrows():
        med = f"day {r['median_d']:g}" if r["median_d"] == r["median_d"] else "not reached"
        lines.append(f"  {r['arm']}: median time to response {med}")
    return lines


def _with_n(trial: Trial, n: int | None, seed: int | None) -> Trial:
    if n is not None:
        trial = trial.model_copy(
            update={"population": trial.population.model_copy(update={"n_per_arm": n})}
        )
    if seed is not None:
        trial = trial.model_copy(update={"seed": seed})
    return trial


def with_extensions(trial: Trial, files: tuple[str, ...], source: str) -> Trial:
    """``trial`` with the content of the ``--extension`` files after its own extensions,
    validated (a problem names the extension's file)."""
    import mtorlab as mt
    from mtorlab.scenario._extension import extend, read_extension_file

    exts = (*trial.extensions, *(read_extension_file(f) for f in files))
    extend(mt.model(), exts, source)
    return trial.model_copy(update={"extensions": exts})


def _progress() -> Any:
    from rich.progress import Progress

    from mtorlab.cli._cohort import _progress_columns

    return Progress(*_progress_columns(), transient=True)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add ``mtorlab trial`` to ``app``."""

    @app.command("trial")
    def trial_cmd(
        trial_file: Annotated[Path, typer.Argument(help="Trial design YAML.")],
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="Results folder (tables, figure, report)."),
        ] = None,
        seed: int | None = typer.Option(None, "--seed", help="Trial seed (default: the file's)."),
        n: int | None = typer.Option(
            None, "--n", min=1, help="Patients per arm (overrides the file)."
        ),
        scheduler: str | None = typer.Option(
            None, "--scheduler", help="Dask: 'local' or tcp://HOST:8786 (default: in-process)."
        ),
        force: bool = typer.Option(
            False, "--force", help="Replace an -o folder of something else."
        ),
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Simulate a virtual trial (arms, visits, endpoints) over the mechanistic model and its
        clinical layer; print the primary endpoints, record the run, write the results."""
        from mtorlab.cli._output import check_store_path
        from mtorlab.cli._scenario import extension_paths, library_paths
        from mtorlab.clinical import analyse, load_trial, run_trial
        from mtorlab.clinical._output import check_trial_target, write_results
        from mtorlab.clinical._report import as_html, figure_png
        from mtorlab.cohort._run import check_scheduler
        from mtorlab.scenario import merged_entries
        from mtorlab.scenario._extension import extension_mechanisms

        check_scheduler(scheduler)
        check_store_path(store)
        if output is not None:
            check_trial_target(output, force)
        started = time.perf_counter()
        trial = _with_n(load_trial(trial_file), n, seed)
        libs = library_paths(library)
        exts = extension_paths(extension)
        if exts:  # the --extension files after the trial's own extensions: block
            trial = with_extensions(trial, exts, str(trial_file))
        if libs:  # the --library entries after the trial's own drugs: block
            mechs = extension_mechanisms(trial.extensions)
            drugs = merged_entries(trial.drugs, libs, mechs)
            trial = trial.model_copy(update={"drugs": drugs})
        with _progress() as bar:
            task = bar.add_task("patients screened", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            run = run_trial(trial, source=str(trial_file), scheduler=scheduler, progress=step)
        for warning in run.warnings:
            print(f"mtorlab: warning: {warning}", file=sys.stderr)
        tables = analyse(trial, run.patients)
        wall = time.perf_counter() - started
        run_id = record_run(
            tables.visits, trial_file, store, wall, command="trial", name=trial.name,
            library=libs, extensions=trial.extensions,
        )  # fmt: skip
        screened = int(run.screening["screened"].sum())
        randomised = int(run.screening["randomised"].sum())
        print(f"{trial.name}: {randomised} randomised of {screened} screened, seed {trial.seed}")
        for line in _summary_lines(trial, tables):
            print(line)
        if output is not None:
            png = figure_png(trial, tables)
            files: dict[str, bytes | str] = {
                "figure.png": png,
                "report.html": as_html(trial, tables, run.screening, png),
                "trial.yaml": trial_file.read_text(encoding="utf-8"),
            }
            frames = {"patients": run.patients, "visits": tables.visits,
                      "contrasts": tables.contrasts, "time_to_response": tables.time_to_response,
                      "screening": run.screening}  # fmt: skip
            meta = {"trial": trial.name, "seed": trial.seed, "randomised": randomised,
                    "run": run_id, "wall_s": round(wall, 2)}  # fmt: skip
            write_results(output, frames, files, meta)
            print(f"wrote {output}/ (report.html, figure.png, tables as .parquet and .csv)")
        print(f"run {run_id} recorded (mtorlab runs show {run_id}); {wall:.1f} s")
