"""``mtorlab figure``: the review's Figures 1 and 2 drawn from the knowledge base."""

from __future__ import annotations

from pathlib import Path

import typer

from mtorlab.cli._output import write_atomic

#: The figures of the review, with the help line of their command.
FIGURES = {
    "fig1": "Figure 1: upstream signals and downstream pathways of mTORC1 and mTORC2.",
    "fig2": "Figure 2: rapamycin's action on mTORC1/mTORC2, upstream and downstream.",
}


def draw(name: str, output: Path, lang: str, legend: bool) -> Path:
    """Draw figure ``name`` into ``output`` (format by suffix); return the path written."""
    from mtorlab._api import knowledge_base
    from mtorlab.errors import MtorlabError
    from mtorlab.figures import LANGS, figure_dot, format_for, load_figures, render

    if lang not in LANGS:
        raise MtorlabError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    fmt = format_for(output)
    kb = knowledge_base()
    dot = figure_dot(kb, load_figures(kb), name, lang=lang, legend=legend)
    return write_atomic(output, render(dot, fmt))


def _command(fig_app: typer.Typer, name: str, help_text: str) -> None:
    @fig_app.command(name=name, help=help_text)
    def _draw(
        output: str = typer.Option(
            ..., "-o", "--output", help="Output file: .svg, .png, .pdf or .dot."
        ),
        lang: str = typer.Option("en", "--lang", help="Label language: en or zh."),
        legend: bool = typer.Option(True, "--legend/--no-legend", help="Draw the legend."),
    ) -> None:
        path = draw(name, Path(output), lang, legend)
        print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``mtorlab figure …`` to ``app``."""
    fig_app = typer.Typer(
        help="The review's figures drawn from the knowledge base (Graphviz).", no_args_is_help=True
    )
    app.add_typer(fig_app, name="figure")
    for name, help_text in FIGURES.items():
        _command(fig_app, name, help_text)
