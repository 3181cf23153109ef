"""``mtorlab calibrate``: fit the calibrated parameters to the training checks, reproducibly."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from mtorlab.cli._output import write_atomic


def _config() -> dict[str, Any]:
    from mtorlab._yaml import read_yaml

    return dict(
        read_yaml(Path(str(resources.files("mtorlab.claims") / "data" / "calibration.yaml")))
    )


def record_path() -> Path:
    """The committed record of the reference calibration run (``make calibrate-check``).

    Today it is the latest run, which was not adopted (see ``calibration.yaml``): it pins
    what the fitting procedure reaches from its seed, so a change that breaks the
    procedure shows up as a loss that is no longer reproduced.
    """
    return Path(str(resources.files("mtorlab.claims") / "data" / "calibration_record.json"))


def adopted(record: dict[str, Any]) -> bool:
    """Whether the model data hold the record's fitted values (its best start)."""
    from mtorlab._api import model

    params = model().parameters
    return all(math.isclose(params[n].value, v, rel_tol=1e-6) for n, v in record["best"].items())


def training_datasets() -> list[Any]:
    """The validation datasets of the training split that calibration fits (held-out ones
    never enter a fit; nor do those marked ``fit: false``, e.g. a trial's absolute change
    that includes the placebo response the model lacks)."""
    from mtorlab.validation import load_datasets, load_split

    datasets = load_datasets()
    split = load_split(datasets)
    return [d for d in datasets.values() if split[d.id] == "training" and d.fit]


def expected_start_loss(record: dict[str, Any]) -> float:
    """The training loss the current model data should have, according to the record."""
    return float(record["best_loss"] if adopted(record) else record["initial_loss"])


def run_calibrate(
    starts: int | None,
    seed: int | None,
    max_nfev: int | None,
    check: bool,
    output: Path | None,
    parameters: str | None = None,
    only: str | None = None,
    workers: int = 1,
) -> int:
    """The command (see its help); returns the exit code."""
    import json

    from mtorlab.claims._calibrate import calibrate
    from mtorlab.claims._runner import load_checks
    from mtorlab.claims._simulate import simulate_mapping

    cfg = _config()
    if parameters:
        cfg["parameters"] = [p.strip() for p in parameters.split(",") if p.strip()]
    wanted = {c.strip() for c in only.split(",")} if only else None
    if wanted is None and cfg.get("checks"):
        wanted = set(cfg["checks"])
    checks = [
        c
        for c in load_checks().values()
        if c.split == "training" and (wanted is None or c.id in wanted)
    ]
    if wanted is not None and len(checks) != len(wanted):
        from mtorlab.errors import MtorlabError

        missing = sorted(wanted - {c.id for c in checks})
        raise MtorlabError(f"--only: {', '.join(missing)} are not training checks")
    datasets = training_datasets() if cfg.get("datasets", False) and not only else []
    rec = calibrate(
        cfg["parameters"],
        checks,
        simulate_mapping,
        datasets=datasets,
        n_starts=starts or int(cfg["n_starts"]),
        seed=cfg["seed"] if seed is None else seed,
        max_nfev=max_nfev or int(cfg["max_nfev"]),
        derived=dict(cfg.get("derived") or {}),
        progress=print,
        workers=workers,
    )
    print(f"training checks: {len(checks)}, training datasets: {len(datasets)}; "
          f"loss at the model's values {rec.initial_loss:.4g}, "
          f"best {rec.best_loss:.4g} ({rec.wall_s:.0f} s)")  # fmt: skip
    for name in rec.parameters:
        print(f"  {name:<28} {rec.best[name]:.4g}   (log10 spread over good starts: "
              f"{rec.spread[name]:.2f})")  # fmt: skip
    if output is not None:
        write_atomic(output, rec.to_json())
        print(f"wrote {output}")
    if check:
        stored = json.loads(record_path().read_text(encoding="utf-8"))
        start = expected_start_loss(stored)
        if not math.isclose(rec.initial_loss, start, rel_tol=1e-6):
            print(
                f"the record says this model's loss is {start:.6g}, it is "
                f"{rec.initial_loss:.6g}: the model changed since it was recorded; re-run "
                "with -o and commit it"
            )
            return 1
        # Convergence is judged on the random starts (the first start is the model's own
        # values, which are the recorded optimum once it is adopted).
        random = [s.loss for s in rec.starts[1:]] or [rec.best_loss]
        ok = min(random) <= stored["best_loss"] * 1.05 + 1e-6
        print(
            f"recorded best loss {stored['best_loss']:.4g}, best from random starts "
            f"{min(random):.4g}: " + ("reproduced" if ok else "NOT reproduced")
        )
        return 0 if ok else 1
    return 0


def register(app: typer.Typer) -> None:
    """Add ``mtorlab calibrate`` to ``app``."""

    @app.command("calibrate")
    def calibrate_cmd(
        starts: int | None = typer.Option(None, "--starts", min=1, help="Multi-start count."),
        seed: int | None = typer.Option(None, "--seed", help="Seed of the random starts."),
        max_nfev: int | None = typer.Option(
            None, "--max-nfev", min=1, help="Evaluations per start."
        ),
        check: bool = typer.Option(False, "--check", help="Compare with the recorded run."),
        parameters: str | None = typer.Option(
            None, "--parameters", help="Fit these (comma-separated) instead of the config's."
        ),
        only: str | None = typer.Option(
            None, "--only", help="Fit to these training checks (comma-separated) only."
        ),
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write the record (JSON).")
        ] = None,
        workers: int = typer.Option(
            1,
            "--workers",
            min=1,
            help="Run the starts in this many processes (same record as one process).",
        ),
    ) -> None:
        """Fit the parameters marked `calibrated` to the training claims and training
        validation datasets; record the run."""
        code = run_calibrate(starts, seed, max_nfev, check, output, parameters, only, workers)
        if code:
            raise typer.Exit(code)
