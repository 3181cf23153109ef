"""Assemble the typer application from one module per command group."""

from __future__ import annotations

import typer

from mtorlab import __version__


def _version(value: bool) -> None:
    if value:
        print(f"mtorlab {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    """The CLI application; each command module registers its commands on it."""
    from mtorlab.cli import (
        _calibrate,
        _claims,
        _cohort,
        _demo,
        _figure,
        _kb,
        _model,
        _report,
        _runs,
        _sensitivity,
        _serve,
        _simulate,
        _trial,
        _validate,
    )

    app = typer.Typer(
        name="mtorlab",
        help="Run the mTOR-in-depression review: knowledge base, model, scenarios, claims.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(
            False, "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ) -> None:
        """mtorlab: an executable, evidence-linked model of mTOR signalling in depression."""

    _kb.register(app)
    _simulate.register(app)
    _model.register(app)
    _runs.register(app)
    _demo.register(app)
    _figure.register(app)
    _serve.register(app)
    _claims.register(app)
    _calibrate.register(app)
    _report.register(app)
    _sensitivity.register(app)
    _cohort.register(app)
    _validate.register(app)
    _trial.register(app)
    return app
