"""``mtorlab model params|species|reactions`` and ``mtorlab export``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mtorlab.cli._output import print_json, write_atomic
from mtorlab.cli._scenario import ExtensionOption

if TYPE_CHECKING:
    from mtorlab.ode import Model

JSON_HELP = "Print JSON (for scripts) instead of a table."


def _table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _params(as_json: bool) -> None:
    import mtorlab as mt

    params = mt.model().parameters.values()
    if as_json:
        print_json([p.model_dump(mode="json") for p in params])
        return
    rows = []
    for p in params:
        rows.append(_param_row(p.id, p.value, p.unit, p.range, p.provenance))
        for sp, v in (p.by_species or {}).items():  # a species' own value, on its own line
            rows.append(_param_row(f"  {p.id} ({sp})", v.value, p.unit, v.range or p.range,
                                   v.provenance))  # fmt: skip
    _table(rows, ["id", "value", "unit", "range", "provenance", "detail"])


def _param_row(
    name: str, value: float, unit: str, bounds: tuple[float, float], prov: Any
) -> list[str]:
    detail = getattr(prov, {"literature": "source", "review": "claim"}.get(prov.kind, ""), "")
    detail = detail or getattr(prov, "target", "") or getattr(prov, "reason", "")
    rng = f"[{_fmt(bounds[0])}, {_fmt(bounds[1])}]"
    return [name, _fmt(value), unit, rng, prov.kind, detail[:60]]


def _species(as_json: bool) -> None:
    import mtorlab as mt

    species = mt.model().species.values()
    if as_json:
        print_json([s.model_dump(mode="json") for s in species])
        return
    rows = [[s.id, s.context, s.kind, _fmt(s.initial), s.entity or "", s.name] for s in species]
    _table(rows, ["id", "context", "kind", "healthy", "entity", "name"])


def _reactions(as_json: bool) -> None:
    import mtorlab as mt

    reactions = mt.model().reactions.values()
    if as_json:
        print_json([r.model_dump(mode="json") for r in reactions])
        return
    rows = [[r.id, r.equation, ", ".join(r.mechanisms)] for r in reactions]
    _table(rows, ["id", "equation", "mechanisms"])


#: Formats generated from the knowledge base rather than the ODE model.
KB_FORMATS = ("sbgn", "sbml-qual", "graphml", "json", "sif")


def _kb_export(fmt: str) -> str:
    from mtorlab._api import knowledge_base

    kb = knowledge_base()
    if fmt == "sbgn":
        from mtorlab.io.sbgn import to_sbgn

        return to_sbgn(kb)
    if fmt == "sbml-qual":
        from mtorlab.io.qual import to_sbml_qual

        return to_sbml_qual(kb)
    from mtorlab.kb._export import export

    return export(kb, fmt)


#: Formats of a scenario (``--scenario``): its model with doses as events, its simulation.
SCENARIO_FORMATS = ("sbml", "omex")


def _export(
    fmt: str,
    output: Path,
    scenario: Path | None = None,
    library: Sequence[Path] = (),
    extension: Sequence[Path] = (),
) -> None:
    from mtorlab.cli._output import check_output_path
    from mtorlab.errors import MtorlabError, UnknownIdError
    from mtorlab.io import EXPORTERS

    known = (*EXPORTERS, *KB_FORMATS, "omex")
    if fmt not in known:
        raise UnknownIdError("export format", fmt, known)
    if scenario is not None:
        if fmt not in SCENARIO_FORMATS:
            raise MtorlabError(
                f"--scenario: a scenario exports as {' or '.join(SCENARIO_FORMATS)}, not {fmt}"
            )
        _export_scenario(fmt, output, scenario, library, extension)
        return
    if fmt == "omex":
        raise MtorlabError("export omex: give --scenario FILE (the archive holds its simulation)")
    if library:
        raise MtorlabError("--library: only with --scenario (the drugs of a scenario)")
    check_output_path(output, "-o")
    if extension and fmt in KB_FORMATS:
        raise MtorlabError(f"--extension: {fmt} exports the knowledge base; use sbml or antimony")
    if fmt in KB_FORMATS:
        text = _kb_export(fmt)
    elif fmt in EXPORTERS:
        text = EXPORTERS[fmt](_model_with(extension))
    else:
        raise UnknownIdError("export format", fmt, (*EXPORTERS, *KB_FORMATS))
    write_atomic(output, text)
    print(f"wrote {fmt} to {output}")


def _model_with(extension: Sequence[Path]) -> Model:
    """The base model, with the ``--extension`` files merged into a copy."""
    import mtorlab as mt
    from mtorlab.scenario._extension import extended_model, read_extension_file

    return extended_model(mt.model(), [read_extension_file(f) for f in extension])


def _export_scenario(
    fmt: str, output: Path, scenario: Path, library: Sequence[Path], extension: Sequence[Path] = ()
) -> None:
    """``export sbml|omex --scenario``: the scenario's model (with its extensions), start,
    doses (and SED-ML)."""
    import mtorlab as mt
    from mtorlab._api import library as load_library
    from mtorlab._api import reference_engine
    from mtorlab.cli._output import check_output_path
    from mtorlab.cli._scenario import extension_paths, library_paths
    from mtorlab.io import consistency_report, scenario_model, to_omex
    from mtorlab.scenario import check_plan, resolve_scenario

    check_output_path(output, "-o")
    libs = library_paths(list(library))  # validate --library files before anything runs
    exts = extension_paths(list(extension))
    # the --library entries it uses join its drugs: block, as in a run
    sc = resolve_scenario(scenario, libs, extensions=exts)
    lib = load_library()
    check_plan(mt.model(), sc, lib, str(scenario))  # errors name the file
    sm = scenario_model(mt.model(), sc, lib, reference_engine)
    errors, _ = consistency_report(sm.document)
    if errors:  # a bug, not a user error: say so rather than write a broken file
        raise RuntimeError(f"the scenario's SBML fails libsbml's checks: {errors[0]}")
    write_atomic(output, sm.sbml if fmt == "sbml" else to_omex(sm))
    print(f"wrote {fmt} of scenario {sc.name!r} to {output}")
    if sc.nonspecific is not None:
        print(
            f"note: madrs_expected (nonspecific: {sc.nonspecific}) is left out: it is the "
            "clinical layer's arithmetic on madrs after the run, not part of the model"
        )


def register(app: typer.Typer) -> None:
    """Add ``model`` and ``export`` to ``app``."""

    model_app = typer.Typer(help="The model: parameters, species, reactions.", no_args_is_help=True)

    @model_app.command("params")
    def params(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
        """Parameters with value, unit, range and provenance."""
        _params(as_json)

    @model_app.command("species")
    def species(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
        """Species (state variables) with context, kind and healthy value."""
        _species(as_json)

    @model_app.command("reactions")
    def reactions(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
        """Reactions with their equation and knowledge-base mechanisms."""
        _reactions(as_json)

    app.add_typer(model_app, name="model")

    @app.command("export")
    def export(
        fmt: Annotated[
            str,
            typer.Argument(
                metavar="FORMAT",
                help="sbml, antimony, sbgn, sbml-qual, graphml, json, sif, or omex (--scenario).",
            ),
        ],
        output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
        scenario: Annotated[
            Path | None,
            typer.Option(
                "--scenario",
                help="Export this scenario (sbml: its model with PK, condition and doses as "
                "events; omex: that SBML and its SED-ML simulation in a COMBINE archive).",
            ),
        ] = None,
        library: Annotated[
            list[Path] | None,
            typer.Option("--library", help="Extra intervention-library file (repeatable)."),
        ] = None,
        extension: ExtensionOption = None,
    ) -> None:
        """Export the model (SBML L3V2, Antimony), a scenario (SBML with events, OMEX) or the
        mechanism graph (SBGN-ML, SBML-qual…)."""
        _export(fmt, output, scenario, library or [], extension or [])
