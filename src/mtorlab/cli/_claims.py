"""``mtorlab claims``: run the review's testable claims on the model and report."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import typer

from mtorlab.cli._output import print_json, print_split_summary, write_atomic
from mtorlab.cli._scenario import ExtensionOption, LibraryOption

if TYPE_CHECKING:
    from mtorlab.claims._runner import CheckResult

_MARK = {"pass": "PASS", "fail": "FAIL", "xfail": "XFAIL", "error": "ERROR"}


def _print_result(result: CheckResult, record: dict[str, Any], verbose: bool) -> None:
    c = result.check
    print(f"{c.id:8s} {_MARK[result.status]:5s} [{c.split}] {record['claim_text']}")
    if result.error:
        print(f"    error: {result.error}")
    for o in result.outcomes:
        if verbose or not o.passed:
            mark = "ok  " if o.passed else "FAIL"
            print(f"    {mark} measured {o.measured:+.4g}; expected {o.expected}")
            print(f"         {o.detail}")
    if c.xfail and result.status == "xfail":
        print(f"    xfail: {c.xfail}")
    ev = record["evidence"]
    if ev:
        where = "; ".join(
            dict.fromkeys(
                f"§{e['section']}" + (f" [{','.join(map(str, e['refs']))}]" if e["refs"] else "")
                for e in ev
            )
        )
        print(f"    evidence: review {where}")


def _print_summary(summ: dict[str, dict[str, Any]], wall: float) -> None:
    print()
    print_split_summary(summ, wall)


def register(app: typer.Typer) -> None:
    """Add ``mtorlab claims`` to ``app``."""

    @app.command("claims")
    def claims(
        only: str = typer.Option(
            "", "--only", help="Comma-separated check or claim ids (e.g. KET-04,RAPA-03)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        html_path: str = typer.Option(
            "", "--html", help="Also write a self-contained HTML report to this file."
        ),
        lang: str = typer.Option(
            "en", "--lang", help="Claim text: en (English) or zh (the review's Chinese quote)."
        ),
        split: str = typer.Option(
            "", "--split", help="Only checks of this split: training or held_out."
        ),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Show passing assertions too."),
        checks_file: str = typer.Option(
            "", "--checks", help="A claims file to run instead of the packaged one."
        ),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Run the claims suite; exit code 1 if any check fails (an xfail does not fail)."""
        from mtorlab._api import knowledge_base
        from mtorlab.claims._report import as_html, record, run_suite, summary
        from mtorlab.claims._runner import load_checks, plan_checks, select
        from mtorlab.cli._output import check_output_path
        from mtorlab.cli._scenario import extension_paths, library_paths
        from mtorlab.errors import MtorlabError

        if lang not in ("en", "zh"):
            raise MtorlabError(f"--lang must be en or zh, not {lang!r}")
        if split not in ("", "training", "held_out"):
            raise MtorlabError(f"--split must be training or held_out, not {split!r}")
        if html_path:
            check_output_path(html_path, "--html")
        wanted = [s.strip() for s in only.split(",") if s.strip()]
        checks = load_checks(
            checks_file or None, library_paths(library), extension_paths(extension)
        )
        chosen = select(checks, wanted)
        chosen = [c for c in chosen if not split or c.split == split]
        plan_checks(chosen, checks_file or "claims")  # an unknown drug: one line, nothing run
        kb = knowledge_base()
        start = time.perf_counter()
        results = run_suite(chosen)
        wall = time.perf_counter() - start
        records = [record(r, kb, lang) for r in results]
        summ = summary(results)
        if html_path:
            write_atomic(html_path, as_html(results, kb))
        if as_json:
            print_json({"summary": summ, "wall_s": round(wall, 2), "checks": records})
        else:
            for r, rec in zip(results, records, strict=True):
                _print_result(r, rec, verbose)
            _print_summary(summ, wall)
            if html_path:
                print(f"HTML report: {html_path}")
        if any(r.status in ("fail", "error") for r in results):
            raise typer.Exit(1)
