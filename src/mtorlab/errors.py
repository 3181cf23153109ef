"""Exceptions that carry a readable, one-line message for users."""

from __future__ import annotations

from typing import Any


class MtorlabError(Exception):
    """Base of every error mtorlab reports to a user (the CLI prints it as one line)."""


class DataFileError(MtorlabError):
    """A data file (knowledge base, scenario, library) is malformed.

    Parameters
    ----------
    file
        The file the bad value is in.
    entry
        The entry (record id or index) holding the bad value, if known.
    field
        The field holding the bad value, if known.
    message
        What is wrong and what is allowed.
    """

    def __init__(
        self, file: str, message: str, *, entry: str | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.message = message
        where = file
        if entry is not None:
            where += f": entry {entry!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


class UnknownIdError(MtorlabError, KeyError):
    """A name (entity, claim, readout, drug…) that is not known, with the nearest valid ones."""

    def __init__(self, what: str, name: str, known: list[str] | tuple[str, ...]) -> None:
        import difflib

        near = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
        hint = f"; nearest: {', '.join(near)}" if near else ""
        self.name = name
        super().__init__(f"unknown {what} {name!r}{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def validation_message(exc: Any) -> tuple[str, str]:
    """The location (``a.b.0``) and a readable message of a pydantic error's first problem."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "(record)"
    msg = str(err["msg"])
    if err["type"] in {"enum", "literal_error"}:
        msg = f"{err['input']!r} is not allowed; expected {err.get('ctx', {}).get('expected')}"
    elif err["type"] == "string_pattern_mismatch":
        msg = f"{err['input']!r} does not match the pattern {err['ctx']['pattern']}"
    elif err["type"] == "extra_forbidden":
        msg = "unknown field"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif err["type"] in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        msg = f"{err['input']!r}: {msg[0].lower()}{msg[1:]}"
    return loc, msg.removeprefix("Value error, ")


def verdict(error: str | None, passed: bool, expected_failure: str | None) -> str:
    """``error``, ``pass``, ``xfail`` (a failure a recorded limitation explains) or ``fail``:
    the status of a claims check or a validation dataset."""
    if error is not None:
        return "error"
    if passed:
        return "pass"
    return "xfail" if expected_failure else "fail"


class Cancelled(MtorlabError):
    """A simulation stopped part-way because its caller gave up (a web request that timed
    out, a cancelled job): see :func:`mtorlab._cancel.cancellable`."""
