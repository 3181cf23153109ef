"""``mtorlab validate``: the model against published measurements (validation datasets)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import typer

from mtorlab.cli._output import print_json, print_split_summary, write_atomic

if TYPE_CHECKING:
    from mtorlab.validation import DatasetResult

_MARK = {"pass": "PASS", "fail": "FAIL", "xfail": "XFAIL", "error": "ERROR"}


def _print_result(r: DatasetResult, verbose: bool) -> None:
    ds = r.dataset
    print(f"{ds.id:22s} {_MARK[r.status]:5s} [{r.split:8s}] {ds.level:10s} {ds.title}")
    print(f"    {ds.citation.short()}; {ds.observable.readout} {ds.observable.transform} "
          f"({ds.observable.unit})")  # fmt: skip
    if r.error:
        print(f"    error: {r.error}")
    if verbose or r.status != "pass":
        for p in r.points:
            meas = p.direction or f"{p.measured:.4g}"
            print(f"    {p.condition:>16s} t={p.time:<7g} measured {meas:<10s} "
                  f"simulated {p.simulated:.4g}")  # fmt: skip
    for o in r.outcomes:
        if verbose or not o.passed:
            print(f"    {'ok  ' if o.passed else 'FAIL'} {o.rule}: {o.detail}")
    if r.status == "xfail":
        print(f"    xfail: {ds.expected_failure}")


def _print_summary(summ: dict[str, Any], wall: float) -> None:
    print()
    print(f"{'level':12s} {'training':>10s} {'held out':>10s}")
    for level, splits in summ["by_level"].items():
        cells = [f"{r['pass']}/{r['total']}" if r["total"] else "-" for r in splits.values()]
        print(f"{level:12s} {cells[0]:>10s} {cells[1]:>10s}")
    print_split_summary(summ["by_split"], wall)


def register(app: typer.Typer) -> None:
    """Add ``mtorlab validate`` to ``app``."""

    @app.command("validate")
    def validate(
        only: str = typer.Option(
            "", "--only", help="Comma-separated dataset ids or levels (e.g. PK-RAPA-RAT,clinical)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        html_path: str = typer.Option(
            "", "--html", help="Also write one self-contained HTML page with every figure."
        ),
        petab_dir: str = typer.Option(
            "",
            "--petab",
            help="Also write PEtab-style tables (measurements, observables, conditions).",
        ),
        split: str = typer.Option(
            "", "--split", help="Only datasets of this split: training or held_out."
        ),
        verbose: bool = typer.Option(
            False, "--verbose", "-v", help="Show passing rules and points too."
        ),
    ) -> None:
        """Run the validation datasets; exit code 1 if any fails (an xfail does not fail)."""
        from mtorlab.cli._output import check_folder_path, check_output_path
        from mtorlab.errors import MtorlabError
        from mtorlab.validation import (
            as_html,
            load_datasets,
            load_split,
            run_all,
            select,
            summary,
            write_petab,
        )

        if split not in ("", "training", "held_out"):
            raise MtorlabError(f"--split must be training or held_out, not {split!r}")
        if html_path:
            check_output_path(html_path, "--html")
        if petab_dir:
            check_folder_path(petab_dir, "--petab")
        datasets = load_datasets()
        splits = load_split(datasets)
        chosen = select(datasets, [s.strip() for s in only.split(",")])
        chosen = [d for d in chosen if not split or splits[d.id] == split]
        start = time.perf_counter()
        results = run_all(chosen, splits)
        wall = time.perf_counter() - start
        summ = summary(results)
        if html_path:
            write_atomic(html_path, as_html(results))
        if petab_dir:
            write_petab(results, petab_dir)
        if as_json:
            print_json({"summary": summ, "wall_s": round(wall, 2),
                        "datasets": [r.as_dict() for r in results]})  # fmt: skip
        else:
            for r in results:
                _print_result(r, verbose)
            _print_summary(summ, wall)
            if html_path:
                print(f"HTML report: {html_path}")
            if petab_dir:
                print(f"PEtab tables: {petab_dir}")
        if any(r.status in ("fail", "error") for r in results):
            raise typer.Exit(1)
