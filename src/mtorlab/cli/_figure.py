"""``mtorlab figure``: the review's Figures 1 and 2 drawn from the knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mtorlab.cli._output import write_atomic
from mtorlab.cli._scenario import ExtensionOption, LibraryOption

if TYPE_CHECKING:
    from mtorlab.figures._spec import Lang

#: The figures of the review, with the help line of their command.
FIGURES = {
    "fig1": "Figure 1: upstream signals and downstream pathways of mTORC1 and mTORC2.",
    "fig2": "Figure 2: rapamycin's action on mTORC1/mTORC2, upstream and downstream.",
}


def draw(
    name: str,
    output: Path,
    lang: str,
    legend: bool,
    values: dict[str, float] | None = None,
) -> Path:
    """Draw figure ``name`` into ``output`` (format by suffix); return the path written.

    ``values`` (entity id to log2 fold change) colours the nodes blue (down) to red (up).
    """
    from mtorlab._api import knowledge_base
    from mtorlab.figures import figure_dot, load_figures, render

    fmt = check_figure_options(output, lang)
    label: Lang = "zh" if lang == "zh" else "en"  # checked above
    kb = knowledge_base()
    dot = figure_dot(kb, load_figures(kb), name, lang=label, legend=legend, values=values)
    return write_atomic(output, render(dot, fmt))


def check_figure_options(output: Path, lang: str) -> str:
    """``--lang`` and ``-o`` (its folder and format), checked before any work; the format."""
    from mtorlab.cli._output import check_output_path
    from mtorlab.errors import MtorlabError
    from mtorlab.figures import LANGS, format_for

    if lang not in LANGS:
        raise MtorlabError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    check_output_path(output, "-o")
    fmt: str = format_for(output)
    return fmt


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

    @fig_app.command("scenario")
    def _scenario(
        scenario: Path = typer.Argument(..., help="Scenario YAML file."),  # noqa: B008
        output: str = typer.Option(..., "-o", "--output", help="Output .svg, .png or .pdf."),
        at: str | None = typer.Option(
            None, "--at", help="Time to compare, e.g. 24h (default: end)."
        ),
        figure: str = typer.Option("fig1", "--figure", help="fig1 or fig2."),
        lang: str = typer.Option("en", "--lang", help="Label language: en or zh."),
        library: LibraryOption = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Figure 1 (or 2) coloured by a scenario's change vs its untreated control (both
        run on the model with the scenario's extensions; the figure's entities are the
        review's)."""
        import mtorlab as mt
        from mtorlab._api import library as builtin
        from mtorlab.claims._assertions import hours
        from mtorlab.cli._scenario import extension_paths, library_paths
        from mtorlab.errors import MtorlabError
        from mtorlab.figures._scenario import entity_changes
        from mtorlab.scenario import check_plan

        if figure not in FIGURES:
            raise MtorlabError(f"--figure must be one of {', '.join(FIGURES)}, not {figure!r}")
        check_figure_options(Path(output), lang)
        try:
            at_h = hours(at) if at is not None else None
        except ValueError as exc:
            raise MtorlabError(f"--at: {exc}") from None
        sc = mt.load_scenario(scenario, library_files=library_paths(library),
                              extension_files=extension_paths(extension))  # fmt: skip
        if not sc.interventions:
            raise MtorlabError(f"{scenario}: the scenario has no interventions to compare")
        if at_h is not None and not 0 <= at_h <= sc.duration_h:
            raise MtorlabError(f"--at {at}: outside the scenario's 0 h to {sc.duration}")
        check_plan(mt.model(), sc, builtin(), str(scenario))
        values = entity_changes(sc, at_h)
        path = draw(figure, Path(output), lang, True, values)
        top = sorted(values.items(), key=lambda kv: -abs(kv[1]))[:5]
        print("largest changes (log2 fold vs control): "
              + ", ".join(f"{k} {v:+.2f}" for k, v in top))  # fmt: skip
        print(f"wrote {path}")
