"""Read the model's YAML data files into validated records, then check them together.

Each file holds one top-level key (``compartments``, ``species``, ``parameters``,
``reactions``, ``assignments``, ``readouts`` or ``conditions``) with a list of records.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mtorlab._yaml import collect_records
from mtorlab._yaml import validate_record as _validate
from mtorlab.errors import DataFileError, UnknownIdError
from mtorlab.ode._formula import parse_equation, symbols
from mtorlab.ode._schema import (
    Assignment,
    Compartment,
    Condition,
    Parameter,
    Reaction,
    Readout,
    Species,
)

KINDS: dict[str, type[BaseModel]] = {
    "compartments": Compartment,
    "species": Species,
    "parameters": Parameter,
    "reactions": Reaction,
    "assignments": Assignment,
    "readouts": Readout,
    "conditions": Condition,
}


def default_data_dir() -> Path:
    """The directory of the model files shipped with the package."""
    return Path(str(resources.files("mtorlab.ode") / "data"))


def record_key(kind: str, rid: str) -> str:
    """The key of a record in the shared id space (readouts and conditions have their own)."""
    if kind == "readouts":
        return f"readout:{rid}"
    if kind == "conditions":
        return f"condition:{rid}"
    return rid


def validate_record(kind: str, item: Any, source: str, index: int) -> BaseModel:
    """Validate one record of ``kind``; errors name the source, the entry and the field."""
    return _validate(KINDS[kind], item, source, index)


def read_tables(data_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """All records by kind and id, and the file each id came from (ids unique across kinds)."""
    files = sorted(data_dir.rglob("*.yaml"))
    if not files:
        raise DataFileError(str(data_dir), "no model files (*.yaml) found")
    return collect_records(files, KINDS, record_key)


def check_tables(tables: dict[str, dict[str, Any]], origin: dict[str, str]) -> None:
    """Cross-record checks: every id a record names exists, with the right kind."""

    def fail(key: str, rid: str, fld: str, what: str, name: str, known: Any) -> None:
        msg = str(UnknownIdError(what, name, tuple(known)))
        raise DataFileError(origin[key], msg, entry=rid, field=fld)

    comps, species = tables["compartments"], tables["species"]
    symbols_known = {**species, **tables["parameters"], **tables["assignments"], **comps}
    for s in species.values():
        if s.compartment not in comps:
            fail(s.id, s.id, "compartment", "compartment", s.compartment, comps)
    for p in tables["parameters"].values():
        if p.baseline_of is not None and p.baseline_of not in species:
            fail(p.id, p.id, "baseline_of", "species", p.baseline_of, species)
    for r in tables["reactions"].values():
        _check_reaction(r, origin[r.id], species, symbols_known)
    for a in tables["assignments"].values():
        for name in symbols(a.formula):
            if name not in symbols_known or name == a.id:
                fail(a.id, a.id, "formula", "symbol", name, symbols_known)
    for ro in tables["readouts"].values():
        if ro.target not in species and ro.target not in tables["assignments"]:
            fail(f"readout:{ro.id}", ro.id, "target", "species or assignment", ro.target, species)
    for c in tables["conditions"].values():
        names = list(c.sets) + [k for lv in c.levels.values() for k in lv]
        for name in names:
            if name not in tables["parameters"]:
                fail(f"condition:{c.id}", c.id, "sets", "parameter", name, tables["parameters"])


def _check_reaction(r: Reaction, file: str, species: dict[str, Any], known: dict[str, Any]) -> None:
    try:
        reactants, products = parse_equation(r.equation)
    except ValueError as exc:
        raise DataFileError(file, str(exc), entry=r.id, field="equation") from None
    for name, _ in reactants + products:
        if name not in species:
            msg = str(UnknownIdError("species", name, tuple(species)))
            raise DataFileError(file, msg, entry=r.id, field="equation")
    for name in symbols(r.rate):
        if name not in known:
            msg = str(UnknownIdError("symbol", name, tuple(known)))
            raise DataFileError(file, msg, entry=r.id, field="rate")
