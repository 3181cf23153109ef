"""``mtorlab simulate``: run a scenario (or a sweep), summarise, plot, store the run."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mtorlab.cli._output import write_atomic, write_table
from mtorlab.cli._scenario import ExtensionOption, LibraryOption

if TYPE_CHECKING:
    import pandas as pd

STORE_HELP = "Run store directory (default: $MTORLAB_STORE or the user's data directory)."


def _fmt(x: float) -> str:
    return f"{x:.4g}"


#: Columns of :func:`summary_rows`.
SUMMARY_HEADER = ["readout", "t=0", "min", "max", "largest change at (h)", "end"]


def summary_rows(frame: pd.DataFrame) -> list[list[str]]:
    """Per readout: value at t = 0, minimum, maximum, when it moved furthest from its start,
    and the end (a falling readout's extreme is its minimum, not a "peak")."""
    rows = []
    for col in frame.columns[1:]:
        s = frame[col]
        i = int((s - s.iloc[0]).abs().to_numpy().argmax())
        t_extreme = float(frame["time_h"].iloc[i])
        rows.append([col, _fmt(s.iloc[0]), _fmt(s.min()), _fmt(s.max()), f"{t_extreme:g}",
                     _fmt(s.iloc[-1])])  # fmt: skip
    return rows


def _print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def record_run(
    frame: pd.DataFrame,
    scenario_path: Path,
    store: str | None,
    wall: float,
    *,
    command: str = "simulate",
    name: str | None = None,
    library: Sequence[str] = (),
    extensions: Sequence[Any] = (),
) -> str:
    """Record a run's table in the run store; return its id.

    ``name`` defaults to the frame's scenario name, else the file's stem. Only the table is
    stored (its ``attrs``, e.g. a ranking's explanations, are not). The ``--library`` files
    of the run are stored after the file's text (as YAML comments), so that the record holds
    every drug entry the run used; the content of its model ``extensions`` (resolved) follows
    them, and the model hash is that of the extended model.
    """
    import json

    import mtorlab as mt
    from mtorlab.scenario._extension import extended_model
    from mtorlab.store import RunStore, sha256
    from mtorlab.store._model_sha import model_sha256

    model = extended_model(mt.model(), extensions)
    params = {p.id: p.value for p in model.parameters.values()}
    table = frame.copy(deep=False)
    table.attrs = {}
    return RunStore(store).record(
        table,
        command=command,
        name=name or str(frame.attrs.get("scenario", scenario_path.stem)),
        scenario_text=scenario_path.read_text(encoding="utf-8")
        + _library_text(library)
        + _extension_text(extensions),
        model_sha256=model_sha256(model),  # sha256(to_sbml(model, miriam=False)), cached
        parameters_sha256=sha256(json.dumps(params, sort_keys=True)),
        wall_s=wall,
    )


def _library_text(files: Sequence[str]) -> str:
    """The ``--library`` files of a run, as YAML comments to store after its scenario."""
    parts = []
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        parts.append(f"\n# --library {f}:\n" + "".join(f"# {line}\n" for line in text.splitlines()))
    return "".join(parts)


def _extension_text(extensions: Sequence[Any]) -> str:
    """A run's model extensions (their content), as YAML comments to store after it."""
    import yaml

    if not extensions:
        return ""
    text = yaml.safe_dump({"extensions": list(extensions)}, sort_keys=False, allow_unicode=True)
    return "\n# model extensions (resolved):\n" + "".join(f"# {ln}\n" for ln in text.splitlines())


def _check_outputs(sc: Any, chosen: list[str] | None, drug_readouts: tuple[str, ...]) -> None:
    """``--outputs``: readouts of the model or of the scenario's drugs, each once."""
    import mtorlab as mt
    from mtorlab.errors import MtorlabError
    from mtorlab.scenario import output_ids
    from mtorlab.scenario._extension import extended_model

    if not chosen:
        raise MtorlabError("--outputs: give readout ids, comma-separated (e.g. bdnf,mtorc1_neuron)")
    twice = next((o for i, o in enumerate(chosen) if o in chosen[:i]), None)
    if twice is not None:
        raise MtorlabError(f"--outputs: {twice!r} is listed twice; list each readout once")
    try:
        output_ids(extended_model(mt.model(), sc.extensions), sc, chosen, drug_readouts)
    except MtorlabError as exc:
        raise MtorlabError(f"--outputs: {exc}") from None


def _time_plot(name: str, frame: pd.DataFrame, readouts: list[str]) -> bytes:
    from mtorlab.plots import time_courses

    return time_courses({name: frame}, readouts, title=name)


def _run_vary(
    sc: Any, spec: str, chosen: list[str] | None, metric: str | None, at: str | None, plot: bool
) -> tuple[pd.DataFrame, bytes | None]:
    """Run and print a sweep; return its time courses and, if asked, its plot."""
    from mtorlab.claims._assertions import hours
    from mtorlab.cli._vary import check_metric, is_log, run_sweep, table
    from mtorlab.errors import MtorlabError
    from mtorlab.plots import dose_response

    at_h = None
    if at is not None:
        try:
            at_h = hours(at)
        except ValueError as exc:
            raise MtorlabError(f"--at: {exc}") from None
        if not 0 <= at_h <= sc.duration_h:
            raise MtorlabError(f"--at {at}: give a time within the scenario's 0..{sc.duration}")
    chosen_metric = check_metric(metric, at_h)
    until = at_h if chosen_metric != "at" else None
    result = run_sweep(sc, spec, chosen, at_h, until)
    head, rows = table(result, chosen_metric, at)
    print(head)
    _print_table(rows[1:], rows[0])
    if not plot:
        return result.frame, None
    readouts = list(dict.fromkeys(result.summary["readout"]))
    sweep = result.sweep
    label = f"{sweep.target} {sweep.field}" + (f" in {result.unit}" if result.unit else "")
    image = dose_response(result.summary, readouts[:12], metric=chosen_metric, x_label=label,
                          log_x=is_log(result), at_text=at)  # fmt: skip
    return result.frame, image


def run_simulate(
    scenario: Path,
    output: Path | None,
    outputs: str | None,
    plot: Path | None,
    vary: str | None,
    library: list[Path] | None,
    store: str | None,
    metric: str | None = None,
    at: str | None = None,
    extension: list[Path] | None = None,
) -> None:
    """The ``simulate`` command (see its help)."""
    import mtorlab as mt
    from mtorlab.cli._output import check_output_path, check_store_path, check_table_path
    from mtorlab.cli._scenario import extension_paths, library_paths, load_planned
    from mtorlab.errors import MtorlabError

    check_table_path(output, "-o")
    check_output_path(plot, "--plot")
    check_store_path(store)
    start = time.perf_counter()
    libs = library_paths(library)
    sc, plan = load_planned(scenario, libs, extension_paths(extension))  # drugs, extensions
    chosen = [o.strip() for o in outputs.split(",") if o.strip()] if outputs else None
    if outputs is not None:
        _check_outputs(sc, chosen, tuple(plan.pk_readouts))
    if vary:
        frame, image = _run_vary(sc, vary, chosen, metric, at, plot is not None)
    else:
        if metric is not None or at is not None:
            raise MtorlabError("--metric and --at summarise a sweep: use them with --vary")
        frame = mt.simulate(sc, outputs=chosen)
        for warning in frame.attrs.get("warnings", []):
            print(f"mtorlab: warning: {warning}", file=sys.stderr)
        readouts = list(frame.columns[1:])
        print(f"{sc.name}: {frame['time_h'].iloc[-1]:g} h, {len(frame)} time points")
        _print_table(summary_rows(frame), SUMMARY_HEADER)
        image = _time_plot(sc.name, frame, readouts[:12]) if plot else None
    # record first: a store that cannot be written (held by another process) then leaves
    # no output file behind either
    wall = time.perf_counter() - start
    run_id = record_run(frame, scenario, store, wall, library=libs, extensions=sc.extensions)
    if output is not None:
        write_table(frame, output)
        print(f"wrote {output}")
    if plot is not None and image is not None:
        write_atomic(plot, image)
        print(f"wrote {plot}")
    print(f"run {run_id} recorded (mtorlab runs show {run_id})")


def register(app: typer.Typer) -> None:
    """Add ``mtorlab simulate`` to ``app``."""

    @app.command("simulate")
    def simulate(
        scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write .csv or .parquet.")
        ] = None,
        outputs: str | None = typer.Option(None, "--outputs", help="Readouts, comma-separated."),
        plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG plot.")] = None,
        vary: str | None = typer.Option(
            None, "--vary", help="Sweep, e.g. esketamine.dose=0.1,0.3,1mg/kg (dose-response)."
        ),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
        metric: str | None = typer.Option(
            None,
            "--metric",
            help="With --vary: both (largest rise and fall; default), peak, trough, auc or at.",
        ),
        at: str | None = typer.Option(
            None, "--at", help="With --vary: the time of --metric at (e.g. 24h), else the end."
        ),
    ) -> None:
        """Simulate a scenario: time_h then one column per readout; the run is recorded.

        --vary runs a sweep: a drug's dose (with a vehicle arm, dose 0) or a condition, and
        prints per value and readout the --metric of its change against the vehicle at the
        same time (a condition: against its value at t = 0), with units."""
        run_simulate(scenario, output, outputs, plot, vary, library, store, metric, at, extension)
