"""The built model: records by id, condition → input mapping, and evidence tracing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mtorlab.errors import DataFileError, MtorlabError, UnknownIdError
from mtorlab.ode._formula import parse_equation, symbols
from mtorlab.ode._load import check_tables, default_data_dir, read_tables, record_key
from mtorlab.ode._schema import (
    Assignment,
    Compartment,
    Condition,
    Parameter,
    Reaction,
    Readout,
    Species,
)


@dataclass(frozen=True)
class Model:
    """The mTOR-in-depression ODE model as validated data (one source of truth).

    Exporters (:mod:`mtorlab.io`) and engines (:mod:`mtorlab.engines`) are generated from
    it. Species are activity fractions (0..1) or levels normalised to the healthy state
    (1); time is in hours.
    """

    compartments: dict[str, Compartment]
    species: dict[str, Species]
    parameters: dict[str, Parameter]
    reactions: dict[str, Reaction]
    assignments: dict[str, Assignment]
    readouts: dict[str, Readout]
    conditions: dict[str, Condition]
    origin: dict[str, str] = field(default_factory=dict, compare=False)
    #: how a scenario's model was composed (its core and PK layouts; ``pk/_assemble.py``),
    #: so the batch engine can reuse the core's compiled kernels; ``None`` otherwise
    composition: Any = field(default=None, compare=False, repr=False)

    @property
    def readout_ids(self) -> tuple[str, ...]:
        """The public readout ids, in declaration order."""
        return tuple(self.readouts)

    @property
    def input_ids(self) -> tuple[str, ...]:
        """Parameters a scenario may change: condition inputs and intervention inputs."""
        return tuple(p.id for p in self.parameters.values() if p.role in ("input", "condition"))

    def readout_ids_for(self, species: str) -> tuple[str, ...]:
        """The readouts a scenario of ``species`` reports: those not specific to other
        species (a human has no sucrose-preference test, a rat no MADRS)."""
        return tuple(
            r.id for r in self.readouts.values() if r.species is None or species in r.species
        )

    def species_values(self, species: str) -> dict[str, float]:
        """Parameters whose value in ``species`` differs from the default (``by_species``)."""
        return {
            p.id: p.by_species[species].value
            for p in self.parameters.values()
            if p.by_species and species in p.by_species
        }

    def readout(self, readout_id: str) -> Readout:
        """The readout record; raises :class:`UnknownIdError` with the nearest ids."""
        try:
            return self.readouts[readout_id]
        except KeyError:
            raise UnknownIdError("readout", readout_id, self.readout_ids) from None

    def condition_inputs(self, condition: Mapping[str, Any] | None = None) -> dict[str, float]:
        """Values of every condition-input parameter for a scenario's ``condition:`` block.

        Missing fields take the condition's default (healthy). The result always names every
        parameter any condition can set, so switching conditions never leaves a stale value.
        """
        given = dict(condition or {})
        out: dict[str, float] = {}
        for cond in self.conditions.values():
            value = given.pop(cond.id, cond.default)
            if cond.type == "choice":
                for lv in cond.levels.values():
                    for name in lv:
                        out.setdefault(name, self.parameters[name].value)
                if value not in cond.levels:
                    raise UnknownIdError(f"{cond.id} level", str(value), tuple(cond.levels))
                out.update(cond.levels[str(value)])
            else:
                for name in cond.sets:
                    out[name] = float(value)
        if given:
            name = next(iter(given))
            raise UnknownIdError("condition", name, tuple(self.conditions))
        return out

    @cached_property
    def _producers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self.reactions.values():
            reactants, products = parse_equation(r.equation)
            for name, _ in products + reactants:
                out.setdefault(name, []).append(r.id)
        return out

    def _defining(self, name: str) -> list[str]:
        if name in self.assignments:
            return [name]
        return self._producers.get(name, [])

    def _inputs_of(self, element: str) -> list[str]:
        formula = (
            self.assignments[element].formula
            if element in self.assignments
            else self.reactions[element].rate
        )
        return [s for s in symbols(formula) if s in self.species or s in self.assignments]

    def trace(self, readout: str) -> list[tuple[str, tuple[str, ...]]]:
        """Reactions and rules behind a readout, from the readout upstream (breadth first).

        Returns
        -------
        list of (element id, mechanism ids)
            Each reaction (or assignment rule) once, nearest to the readout first, with the
            knowledge-base mechanism ids it implements.
        """
        target = self.readout(readout).target
        seen_nodes = {target}
        queue = [target]
        steps: list[tuple[str, tuple[str, ...]]] = []
        done: set[str] = set()
        while queue:
            node = queue.pop(0)
            for element in self._defining(node):
                if element in done:
                    continue
                done.add(element)
                rec = self.assignments.get(element) or self.reactions[element]
                steps.append((element, tuple(rec.mechanisms)))
                for up in self._inputs_of(element):
                    if up not in seen_nodes:
                        seen_nodes.add(up)
                        queue.append(up)
        return steps

    def extend(self, records: Mapping[str, Iterable[Mapping[str, Any]]], *, source: str) -> Model:
        """A new model with more records (e.g. a drug's PK module), validated like the data.

        Parameters
        ----------
        records
            Lists of plain records by kind (``species``, ``parameters``, ``reactions``, ...),
            in the same shape as the YAML files.
        source
            Where the records come from, for error messages (e.g. ``"ketamine PK module"``).
        """
        from mtorlab.ode._load import KINDS, check_tables, validate_record

        tables: dict[str, dict[str, Any]] = {kind: dict(getattr(self, kind)) for kind in KINDS}
        origin = dict(self.origin)
        for kind, items in records.items():
            if kind not in KINDS:
                raise MtorlabError(f"{source}: unknown record kind {kind!r}")
            for i, item in enumerate(items):
                rec = validate_record(kind, item, source, i)
                rid: str = rec.id  # type: ignore[attr-defined]
                key = record_key(kind, rid)
                if key in origin:
                    msg = f"duplicate id, first defined in {origin[key]}"
                    raise DataFileError(source, msg, entry=rid, field="id")
                origin[key] = source
                tables[kind][rid] = rec
        check_tables(tables, origin)
        return Model(origin=origin, **tables)

    def mechanism_ids(self) -> set[str]:
        """Every knowledge-base mechanism id the model cites."""
        ids = {m for r in self.reactions.values() for m in r.mechanisms}
        return ids | {m for a in self.assignments.values() for m in a.mechanisms}


def load_model(data_dir: str | Path | None = None) -> Model:
    """Load and validate the model data (default: the package's ``model/data``).

    Raises
    ------
    DataFileError
        Naming the file, entry and field of the first problem.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    tables, origin = read_tables(root)
    check_tables(tables, origin)
    if not tables["species"]:
        raise MtorlabError(f"{root}: the model declares no species")
    return Model(origin=origin, **tables)
