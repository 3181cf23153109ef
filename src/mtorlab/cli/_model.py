"""``mtorlab simulate``, ``mtorlab model params|species|reactions`` and ``mtorlab export``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any

import typer

from mtorlab.cli._output import print_json, write_atomic

JSON_HELP = "Print JSON (for scripts) instead of a table."


def _table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _write_frame(frame: Any, path: Path) -> None:
    from mtorlab.errors import MtorlabError

    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomic(path, frame.to_csv(index=False))
    elif suffix == ".parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        write_atomic(path, buf.getvalue())
    else:
        raise MtorlabError(
            f"output file {str(path)!r}: suffix {suffix or '(none)'!r}; use .csv or .parquet"
        )


def _simulate(scenario: Path, output: Path | None, outputs: str | None) -> None:
    import mtorlab as mt

    chosen = [o.strip() for o in outputs.split(",") if o.strip()] if outputs else None
    frame = mt.simulate(mt.load_scenario(scenario), outputs=chosen)
    if output is not None:
        _write_frame(frame, output)
        print(f"wrote {len(frame)} time points x {frame.shape[1] - 1} readouts to {output}")
        return
    rows = []
    for col in frame.columns[1:]:
        s = frame[col]
        rows.append([col, _fmt(s.iloc[0]), _fmt(s.min()), _fmt(s.max()), _fmt(s.iloc[-1])])
    print(
        f"{frame.attrs.get('scenario')}: {frame['time_h'].iloc[-1]:g} h, {len(frame)} time points"
    )
    _table(rows, ["readout", "t=0", "min", "max", "end"])


def _params(as_json: bool) -> None:
    import mtorlab as mt

    params = mt.model().parameters.values()
    if as_json:
        print_json([p.model_dump(mode="json") for p in params])
        return
    rows = []
    for p in params:
        prov = p.provenance
        detail = getattr(prov, {"literature": "source", "review": "claim"}.get(prov.kind, ""), "")
        detail = detail or getattr(prov, "target", "") or getattr(prov, "reason", "")
        rows.append(
            [
                p.id,
                _fmt(p.value),
                p.unit,
                f"[{_fmt(p.range[0])}, {_fmt(p.range[1])}]",
                prov.kind,
                detail[:60],
            ]
        )
    _table(rows, ["id", "value", "unit", "range", "provenance", "detail"])


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


def _export(fmt: str, output: Path) -> None:
    import mtorlab as mt
    from mtorlab.errors import UnknownIdError
    from mtorlab.io import EXPORTERS

    if fmt not in EXPORTERS:
        raise UnknownIdError("export format", fmt, tuple(EXPORTERS))
    write_atomic(output, EXPORTERS[fmt](mt.model()))
    print(f"wrote {fmt} to {output}")


def register(app: typer.Typer) -> None:
    """Add ``simulate``, ``model`` and ``export`` to ``app``."""

    @app.command("simulate")
    def simulate(
        scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Write .csv or .parquet.")
        ] = None,
        outputs: str | None = typer.Option(None, "--outputs", help="Readouts, comma-separated."),
    ) -> None:
        """Simulate a scenario: time_h then one column per readout."""
        _simulate(scenario, output, outputs)

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
        fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="sbml or antimony.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    ) -> None:
        """Export the model (SBML Level 3 Version 2, or Antimony text)."""
        _export(fmt, output)
