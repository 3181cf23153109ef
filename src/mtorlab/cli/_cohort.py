"""``mtorlab cohort`` (virtual cohorts) and ``mtorlab rank`` (precision ranking)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from mtorlab.cli._scenario import ExtensionOption, LibraryOption
from mtorlab.cli._simulate import STORE_HELP, record_run

#: The longest ``--horizon`` (a scenario's longest duration: 5 years).
MAX_HORIZON_H = 24 * 365 * 5


def _progress_columns() -> tuple[object, ...]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )


def _ci(p: float, lo: float, hi: float) -> str:
    return f"{100 * p:5.1f}% (95% CI {100 * lo:.1f}-{100 * hi:.1f})"


def register(app: typer.Typer) -> None:
    """Add ``mtorlab cohort`` and ``mtorlab rank`` to ``app``."""

    @app.command("cohort")
    def cohort_cmd(
        scenario: Annotated[Path, typer.Argument(help="Scenario YAML (its treatment plan).")],
        n: int = typer.Option(100, "--n", min=1, help="Virtual patients to sample."),
        subtype: str | None = typer.Option(None, "--subtype", help="One subtype (default: all)."),
        seed: int = typer.Option(1, "--seed", help="Cohort seed."),
        scheduler: str | None = typer.Option(
            None, "--scheduler", help="Dask: 'local' or tcp://HOST:8786 (default: in-process)."
        ),
        chunk: int = typer.Option(100, "--chunk", min=1, help="Patients per chunk."),
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Parquet dataset folder.")
        ] = None,
        rates_out: Annotated[
            Path | None,
            typer.Option("--rates", help="Write response/remission over time (.csv/.parquet)."),
        ] = None,
        engine: str = typer.Option(
            "batch",
            "--engine",
            help="batch (compiled RODAS4, many patients per call) or reference (libRoadRunner).",
        ),
        force: bool = typer.Option(
            False, "--force", help="Replace an -o folder that is not a complete cohort dataset."
        ),
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Simulate a virtual cohort on a scenario's treatment plan, and untreated; the
        response and remission rates are recorded in the run store."""
        from rich.progress import Progress

        from mtorlab.cli._output import check_folder_path, check_store_path, check_table_path
        from mtorlab.cli._scenario import extension_paths, library_paths, load_planned
        from mtorlab.cohort import CohortSpec, effect_sizes, run_cohort
        from mtorlab.cohort._run import check_scheduler

        check_scheduler(scheduler)
        check_folder_path(output, "-o")
        check_table_path(rates_out, "--rates")
        check_store_path(store)
        started = time.perf_counter()
        libs = library_paths(library)
        sc, plan = load_planned(scenario, libs, extension_paths(extension))  # errors name the file
        for warning in plan.warnings:
            print(f"mtorlab: warning: {warning}", file=sys.stderr)
        spec = CohortSpec(sc, seed, subtype, engine=engine)
        with Progress(*_progress_columns(), transient=True) as bar:  # type: ignore[arg-type]
            task = bar.add_task("patients", total=n)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            res = run_cohort(
                spec, n, chunk_size=chunk, output=output, scheduler=scheduler, progress=step,
                force=force,
            )  # fmt: skip
            bar.update(task, description="healthy controls", completed=0)
            d = effect_sizes(res.summary, seed, n, scheduler=scheduler, engine=engine)
        s = res.summary
        print(
            f"{sc.name}: {s.n_simulated} simulated, {s.n_kept} kept (baseline MADRS >= 20), "
            f"{s.n_failed} failed"
        )
        rates = s.rates()
        wall = time.perf_counter() - started
        run_id = record_run(
            rates, scenario, store, wall, command="cohort", name=sc.name, library=libs,
            extensions=sc.extensions,
        )  # fmt: skip
        end = rates[rates["time_h"] == max(s.times_h)]
        for arm in ("treated", "untreated"):
            for what in ("response", "remission"):
                r = end[(end["arm"] == arm) & (end["outcome"] == what)].iloc[0]
                print(
                    f"  {arm:9s} {what:9s} at {r['time_h']:g} h: "
                    f"{_ci(r['rate'], r['ci_low'], r['ci_high'])}"
                )
        treated = rates[(rates["arm"] == "treated") & (rates["outcome"] == "response")]
        step_rows = treated.iloc[:: max(1, len(treated) // 7)]
        pairs = zip(step_rows["time_h"], step_rows["rate"], strict=True)
        over_time = ", ".join(f"{t / 24:g} d {100 * r:.0f}%" for t, r in pairs)
        print(f"  treated response over time: {over_time}")
        print("  (rates of the mechanistic MADRS alone: no placebo or natural-course part, "
              "which `mtorlab trial` adds)")  # fmt: skip
        if rates_out is not None:
            from mtorlab.cli._output import write_table

            print(f"  wrote {write_table(rates, rates_out)}")
        for a in ("anxiety_peak", "immunosuppression_peak"):
            m, _ = s.adverse[a].mean_var() if s.adverse[a].n > 1 else (float("nan"), 0)
            print(f"  {a}: mean {m:.3g}, max {s.adverse_max.get(a, float('nan')):.3g}")
        print(
            f"  Cohen's d vs {n} healthy controls: serum_bdnf {d['serum_bdnf']:.2f} "
            f"(Molendijk 2014: -0.7), il6_plasma {d['il6_plasma']:.2f} "
            f"(Haapakoski 2015: 0.4-0.5)"
        )
        if output is not None:
            print(f"wrote {output}")
        print(f"run {run_id} recorded (mtorlab runs show {run_id})")

    @app.command("rank")
    def rank_cmd(
        profile: Annotated[Path, typer.Option("--profile", help="Patient profile YAML.")],
        strategies: Annotated[
            Path | None, typer.Option("--strategies", help="Strategies YAML (default list).")
        ] = None,
        n: int = typer.Option(50, "--n", min=1, help="Virtual patients."),
        horizon: str = typer.Option("14d", "--horizon", help="Time of the response, e.g. 14d."),
        seed: int = typer.Option(1, "--seed", help="Population seed."),
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Table: .csv or .parquet.")
        ] = None,
        engine: str = typer.Option(
            "batch",
            "--engine",
            help="batch (compiled Rodas4, all patients of an arm at once) or reference.",
        ),
        as_json: bool = typer.Option(
            False, "--json", help="Print JSON (facts, and per strategy the explanation)."
        ),
        store: str | None = typer.Option(None, "--store", help=STORE_HELP),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Rank treatment strategies for a patient profile in clinical units (README: patient
        profile): response with the placebo response included, and against placebo."""
        from rich.progress import Progress

        from mtorlab.claims._assertions import hours
        from mtorlab.cli._output import check_store_path, check_table_path, print_json, write_table
        from mtorlab.cli._scenario import library_paths
        from mtorlab.cohort import load_profile, load_strategies, rank
        from mtorlab.errors import MtorlabError

        check_table_path(output, "-o")
        check_store_path(store)
        started = time.perf_counter()
        try:
            horizon_h = hours(horizon)
        except ValueError as exc:
            raise MtorlabError(f"--horizon: {exc}") from None
        if not 0 < horizon_h <= MAX_HORIZON_H:
            raise MtorlabError(f"--horizon {horizon}: give a time after 0 and at most 5 years")
        prof = load_profile(profile)
        from mtorlab.cli._scenario import extension_contents

        rank_libs = library_paths(library)
        exts = extension_contents(extension)
        strats = load_strategies(strategies, rank_libs, exts)
        with Progress(*_progress_columns(), transient=True) as bar:  # type: ignore[arg-type]
            task = bar.add_task("simulations", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            table, facts = rank(
                prof,
                strategies=strats,
                n=n,
                horizon_h=horizon_h,
                seed=seed,
                progress=step,
                engine=engine,
            )
        explanations = table.attrs.get("explanations", {})
        wall = time.perf_counter() - started
        run_id = record_run(
            table, profile, store, wall, command="rank", name=f"rank {profile.stem}",
            library=rank_libs, extensions=exts,
        )  # fmt: skip
        if as_json:
            records = [
                {**rec, "explanation": explanations.get(rec["strategy"], [])}
                for rec in table.to_dict(orient="records")
            ]
            print_json({"horizon_h": horizon_h, "facts": facts, "strategies": _plain(records)})
        else:
            _print_facts(facts, horizon)
            for _, r in table.iterrows():
                print(
                    f"{int(r['rank']):2d}. {r['strategy']:24s} response "
                    f"{_ci(r['response'], r['response_low'], r['response_high'])}  "
                    f"remission {100 * r['remission']:.1f}%  ΔMADRS {r['madrs_change']:+.1f}"
                )
                print(
                    f"    vs placebo: response {100 * r['benefit']:+.1f} points "
                    f"(95% CI {100 * r['benefit_low']:+.1f} to {100 * r['benefit_high']:+.1f}), "
                    f"MADRS {r['madrs_vs_placebo']:+.1f}"
                )
                print(
                    f"    adverse peaks: anxiety {r['anxiety_peak']:.3g}, "
                    f"immunosuppression {r['immunosuppression_peak']:.3g}"
                )
                if r.get("human_evidence"):
                    print(_evidence_lines(str(r["human_evidence"])))
                for w in r.get("warnings") or []:
                    print(_evidence_lines(str(w), label="warning: "))
                for line in _why_lines(explanations.get(r["strategy"], [])):
                    print(line)
        if output is not None:
            wrote = write_table(table, output)
            if not as_json:
                print(f"wrote {wrote}")
        if not as_json:
            print(f"run {run_id} recorded (mtorlab runs show {run_id})")


def _print_facts(facts: dict[str, float], horizon: str) -> None:
    """Patients, exclusions, the effective sample size (a warning below the threshold) and
    the placebo response of the weighted population."""
    import sys

    excluded = int(facts.get("n_excluded_prior", 0))
    prior = f", {excluded} excluded (responded to a prior class)" if excluded else ""
    print(
        f"{int(facts['n_depressed'])} of {int(facts['n_sampled'])} virtual patients "
        f"depressed{prior}; effective sample size {facts['ess']:.1f}; horizon {horizon}; "
        f"placebo response {100 * facts['placebo_response']:.1f}%"
    )
    if facts.get("ess_warning"):
        print(
            f"warning: effective sample size {facts['ess']:.1f} is below "
            f"{facts['ess_threshold']:g}: few virtual patients match the profile, so the "
            "rates and intervals are rough; raise --n or give fewer measurements",
            file=sys.stderr,
        )


def _plain(x: Any) -> Any:
    """Numpy scalars in nested records as Python numbers (for JSON)."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if hasattr(x, "item"):
        return x.item()
    return x


def _evidence_lines(text: str, width: int = 100, label: str = "in patients: ") -> str:
    """A labelled note under a strategy (what is known in patients, the strategy file's
    ``human_evidence``; or a warning of its plan), wrapped."""
    import textwrap

    indent = " " * (4 + len(label))
    return textwrap.fill(text, width, initial_indent="    " + label, subsequent_indent=indent,
                         break_on_hyphens=False)  # fmt: skip


def _why_lines(items: list[dict[str, Any]], width: int = 100) -> list[str]:
    """One strategy's explanation: a line per readout (wrapped to ``width``), e.g.
    ``bdnf +35%: m_mtor_bdnf_expression §2.4 [30]; m_esketamine_nmdar §3.1 [30]``."""
    import textwrap

    from mtorlab.cohort._rank import format_change

    lines = []
    for k, it in enumerate(items):
        mechs = "; ".join(
            f"{m['id']} {m['evidence']['text'].removeprefix('review ')}" for m in it["mechanisms"]
        )
        text = f"{it['readout']} {format_change(it['change'])}" + (f": {mechs}" if mechs else "")
        lines += textwrap.wrap(
            text,
            width,
            initial_indent="    why: " if k == 0 else " " * 9,
            subsequent_indent=" " * 11,
            break_on_hyphens=False,
        )
    return lines
