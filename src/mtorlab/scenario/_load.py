"""Load a scenario file and turn every problem into one readable :class:`DataFileError`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mtorlab._yaml import read_yaml
from mtorlab.errors import DataFileError, UnknownIdError
from mtorlab.scenario._nonspecific import EXPECTED, NEEDS_NONSPECIFIC
from mtorlab.scenario._schema import Scenario

#: Per-drug readouts: ``conc_plasma:<drug>``, ``conc_brain:<drug>`` (ng/mL) and
#: ``effect:<id>`` (the effect level of an intervention without PK).
PK_KINDS = ("conc_plasma", "conc_brain", "effect")


def _where(loc: tuple[Any, ...]) -> tuple[str | None, str]:
    """Split a pydantic location into (entry, field), e.g. ``interventions #2``, ``dose``."""
    parts = [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    if len(parts) >= 2 and parts[0] == "interventions" and isinstance(parts[1], int):
        rest = ".".join(str(p) for p in parts[2:]) or "(entry)"
        return f"interventions #{parts[1] + 1}", rest
    if len(parts) >= 2 and parts[0] == "outputs" and isinstance(parts[1], int):
        return None, f"outputs[{parts[1]}]"
    return None, ".".join(str(p) for p in parts) or "(scenario)"


#: What a pydantic type error expected, in the words of the scenario format.
_EXPECTED = {
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "string_type": "text",
    "float_type": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "finite_number": "a finite number",
}


def shown(value: Any) -> str:
    """A user's value for a message: its repr, shortened (never a 5,000-digit integer)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(err: Mapping[str, Any]) -> str:
    kind, msg, value = err["type"], str(err["msg"]), err.get("input")
    if kind == "literal_error":
        return f"{shown(value)} is not allowed; expected {err.get('ctx', {}).get('expected')}"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling against the scenario format in the README)"
    if kind == "missing":
        return "required field is missing"
    if kind in {"greater_than_equal", "less_than_equal", "bool_parsing", "float_parsing"}:
        return f"{shown(value)}: {msg[0].lower()}{msg[1:]}"
    if kind == "float_type" and isinstance(value, int) and not isinstance(value, bool):
        return f"{shown(value)} is too large for a number"
    if kind in _EXPECTED:
        return f"{shown(value)} is not {_EXPECTED[kind]}"
    if kind == "string_pattern_mismatch":
        return f"{shown(value)} is not a valid id (lower-case letters, digits and _)"
    return msg.removeprefix("Value error, ")


def validation_error(exc: ValidationError, source: str) -> DataFileError:
    """A scenario's first validation problem as one line naming ``source`` and the field."""
    err = exc.errors()[0]
    entry, fld = _where(tuple(err["loc"]))
    return DataFileError(source, _message(err), entry=entry, field=fld)


def _metabolite_readouts(scenario: Scenario, given: set[str]) -> list[str]:
    """``conc_plasma:<metabolite>`` of the scenario's drugs that form an active metabolite."""
    if not scenario.outputs or not any(":" in o for o in scenario.outputs):
        return []
    from mtorlab.scenario._resolve import scenario_library

    lib = scenario_library(scenario)
    out = []
    for name in sorted(given & set(lib.entries)):
        pk = lib.entries[name].pk.get(scenario.species)
        if pk is not None and pk.metabolite is not None:
            out.append(f"conc_plasma:{pk.metabolite.id}")
    return out


def validate_scenario(data: Any, source: str, readouts: Iterable[str]) -> Scenario:
    """Validate a parsed scenario mapping; ``source`` names it in error messages."""
    if not isinstance(data, dict):
        raise DataFileError(source, "a scenario must be a mapping of fields (name, species, ...)")
    try:
        scenario = Scenario.model_validate(data)
    except DataFileError as exc:  # Scenario.__init__ names itself; this names the source
        raise DataFileError(source, exc.message, entry=exc.entry, field=exc.field) from None
    readouts = tuple(readouts)
    mechanisms: tuple[str, ...] = ()
    if scenario.extensions:
        from mtorlab._api import model
        from mtorlab.scenario._extension import extend, extension_mechanisms

        extended, _ = extend(model(), scenario.extensions, source)
        readouts += tuple(r for r in extended.readout_ids if r not in readouts)
        mechanisms = extension_mechanisms(scenario.extensions)
    if scenario.drugs:
        from mtorlab.interventions import parse_entries

        parse_entries(scenario.drugs, f"{source}: drugs", mechanisms=mechanisms)
    given = {iv.name for iv in scenario.interventions}
    known = (
        *readouts,
        *(f"{kind}:{d}" for d in sorted(given) for kind in PK_KINDS),
        *_metabolite_readouts(scenario, given),
        *((EXPECTED,) if scenario.nonspecific is not None else ()),
    )
    for i, out in enumerate(scenario.outputs or ()):
        if out == EXPECTED and scenario.nonspecific is None:
            raise DataFileError(source, NEEDS_NONSPECIFIC, field=f"outputs[{i}]")
        if out not in known:
            msg = f"{UnknownIdError('readout', out, known)}"
            if ":" in out and out.split(":", 1)[0] in PK_KINDS:
                msg += " (drug readouts need the drug among the scenario's interventions)"
            raise DataFileError(source, msg, field=f"outputs[{i}]")
        problem = _species_problem(out, scenario.species)
        if problem is not None:  # a rodent test in a human, a rating scale in a rat
            raise DataFileError(source, problem, field=f"outputs[{i}]")
    return scenario


def _species_problem(readout: str, species: str) -> str | None:
    from mtorlab._api import model
    from mtorlab.scenario._run import species_problem

    return species_problem(model(), readout, species)


def load_scenario_file(path: str | Path, readouts: Iterable[str]) -> Scenario:
    """Read and validate a scenario YAML file (its ``extensions:`` files are read relative
    to the scenario file's folder)."""
    from mtorlab.scenario._extension import resolve_items

    p = Path(path)
    if not p.is_file():
        raise DataFileError(str(p), "no such scenario file")
    data = read_yaml(p)
    if isinstance(data, dict) and "extensions" in data:
        data = {**data, "extensions": resolve_items(data["extensions"], str(p), p.parent)}
    return validate_scenario(data, str(p), readouts)
