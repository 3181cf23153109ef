"""``mtorlab simulate``: run a scenario (or a sweep), summarise, plot, store the run."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mtorlab.cli._output import write_atomic, write_table
from mtorlab.cli._scenario import LibraryOption

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
) -> str:
    """Record a run's table in the run store; return its id.

    ``name`` defaults to the frame's scenario name, else the file's stem. Only the table is
    stored (its ``attrs``, e.g. a ranking's explanations, are not).
    """
    import json

    import mtorlab as mt
    from mtorlab.io import to_sbml
    from mtorlab.store import RunStore, sha256

    model = mt.model()
    params = {p.id: p.value for p in model.parameters.values()}
    table = frame.copy(deep=False)
    table.attrs = {}
    return RunStore(store).record(
        table,
        command=command,
        name=name or str(frame.attrs.get("scenario", scenario_path.stem)),
        scenario_text=scenario_path.read_text(encoding="utf-8"),
        model_sha256=sha256(to_sbml(model, miriam=False)),
        parameters_sha256=sha256(json.dumps(params, sort_keys=True)),
        wall_s=wall,
    )


def _sweep(sc: Any, spec: str, outputs: list[str] | None) -> tuple[Any, Any]:
    """Run every value of a sweep; return (long table, per-dose summary table)."""
    import pandas as pd
    from rich.progress import Progress

    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.scenario import check_plan
    from mtorlab.scenario._vary import apply_sweep, parse_vary

    sweep = parse_vary(spec)
    swept = [apply_sweep(sc, sweep, value) for value in sweep.values]
    for value, one in zip(sweep.values, swept, strict=True):  # every value planned first
        check_plan(mt.model(), one, library(), f"--vary {sweep.label}={value}")
    frames, summary = [], []
    with Progress(transient=True) as bar:
        task = bar.add_task(f"{sweep.label}", total=len(sweep.values))
        for value, one in zip(sweep.values, swept, strict=True):
            run = mt.simulate(one, outputs=outputs)
            frames.append(run.assign(vary=value))
            row: dict[str, Any] = {"vary": value, "dose": float(value.split()[0])}
            for col in run.columns[1:]:
                dev = run[col] - run[col].iloc[0]
                row[f"{col}_peak_change"] = float(dev.iloc[int(dev.abs().to_numpy().argmax())])
                row[f"{col}_end"] = float(run[col].iloc[-1])
            summary.append(row)
            bar.advance(task)
    long = pd.concat(frames, ignore_index=True)
    long.attrs.update(frames[0].attrs, scenario=f"{sc.name} [{sweep.label} sweep]")
    return long, pd.DataFrame(summary)


def _check_outputs(sc: Any, chosen: list[str] | None, drug_readouts: tuple[str, ...]) -> None:
    """``--outputs``: readouts of the model or of the scenario's drugs, each once."""
    import mtorlab as mt
    from mtorlab.errors import MtorlabError
    from mtorlab.scenario import output_ids

    if not chosen:
        raise MtorlabError("--outputs: give readout ids, comma-separated (e.g. bdnf,mtorc1_neuron)")
    twice = next((o for i, o in enumerate(chosen) if o in chosen[:i]), None)
    if twice is not None:
        raise MtorlabError(f"--outputs: {twice!r} is listed twice; list each readout once")
    try:
        output_ids(mt.model(), sc, chosen, drug_readouts)
    except MtorlabError as exc:
        raise MtorlabError(f"--outputs: {exc}") from None


def run_simulate(
    scenario: Path,
    output: Path | None,
    outputs: str | None,
    plot: Path | None,
    vary: str | None,
    library: list[Path] | None,
    store: str | None,
) -> None:
    """The ``simulate`` command (see its help)."""
    import mtorlab as mt
    from mtorlab.cli._output import check_output_path, check_store_path, check_table_path
    from mtorlab.cli._scenario import library_paths, load_planned
    from mtorlab.plots import dose_response, time_courses

    check_table_path(output, "-o")
    check_output_path(plot, "--plot")
    check_store_path(store)
    start = time.perf_counter()
    sc, plan = load_planned(scenario, library_paths(library))  # drugs: block, --library
    chosen = [o.strip() for o in outputs.split(",") if o.strip()] if outputs else None
    if outputs is not None:
        _check_outputs(sc, chosen, tuple(plan.pk_readouts))
    if vary:
        frame, table = _sweep(sc, vary, chosen)
        readouts = [c for c in frame.columns if c not in ("time_h", "vary")]
        print(f"{frame.attrs['scenario']}: peak change from t = 0 by value")
        cols = ["vary"] + [f"{r}_peak_change" for r in readouts]
        _print_table([[_fmt(v) if isinstance(v, float) else str(v) for v in r] for r in
                      table[cols].itertuples(index=False)], ["value", *readouts])  # fmt: skip
        image = dose_response(table, vary.split("=")[0], readouts) if plot else None
    else:
        frame = mt.simulate(sc, outputs=chosen)
        for warning in frame.attrs.get("warnings", []):
            print(f"mtorlab: warning: {warning}", file=sys.stderr)
        readouts = list(frame.columns[1:])
        print(f"{sc.name}: {frame['time_h'].iloc[-1]:g} h, {len(frame)} time points")
        _print_table(summary_rows(frame), SUMMARY_HEADER)
        image = time_courses({sc.name: frame}, readouts[:12], title=sc.name) if plot else None
    # record first: a store that cannot be written (held by another process) then leaves
    # no output file behind either
    run_id = record_run(frame, scenario, store, time.perf_counter() - start)
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
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        """Simulate a scenario: time_h then one column per readout; the run is recorded."""
        run_simulate(scenario, output, outputs, plot, vary, library, store)
