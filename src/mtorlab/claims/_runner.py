"""Load the claims file and run its checks through a simulate function."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from mtorlab._yaml import read_yaml
from mtorlab.claims._assertions import Outcome
from mtorlab.claims._schema import Check
from mtorlab.errors import (
    DataFileError,
    MtorlabError,
    UnknownIdError,
    validation_message,
    verdict,
)

Simulate = Callable[[Mapping[str, Any]], pd.DataFrame]


def default_checks_path() -> Path:
    """The claims file shipped with the package."""
    return Path(str(resources.files("mtorlab.claims") / "data" / "checks.yaml"))


def load_checks(
    path: str | Path | None = None,
    library_files: Sequence[str | Path] | str | Path = (),
    extension_files: Sequence[str | Path] | str | Path = (),
) -> dict[str, Check]:
    """Checks by id from a claims file (top-level key ``checks``; an optional ``drugs:``
    block of library entries its arms may use); ``library_files`` add drugs as
    ``--library`` does, ``extension_files`` model extensions every arm runs with (as
    ``--extension`` does; the library's drugs may cite the mechanisms they add)."""
    from mtorlab.scenario._extension import extension_files as as_paths
    from mtorlab.scenario._extension import extension_mechanisms, read_extension_file

    p = Path(path) if path is not None else default_checks_path()
    doc = read_yaml(p)
    if not isinstance(doc, dict) or not isinstance(doc.get("checks"), list):
        raise DataFileError(str(p), "a claims file holds a list under the key 'checks'")
    exts = tuple(read_extension_file(f) for f in as_paths(extension_files))
    drugs = _file_drugs(doc, str(p), library_files, extension_mechanisms(exts) if exts else ())
    out: dict[str, Check] = {}
    for i, raw in enumerate(doc["checks"]):
        entry = str(raw.get("id", f"#{i + 1}")) if isinstance(raw, dict) else f"#{i + 1}"
        try:
            check = Check.model_validate(raw)
        except ValidationError as exc:
            loc, msg = validation_message(exc)
            raise DataFileError(str(p), msg, entry=entry, field=loc) from None
        if check.id in out:
            raise DataFileError(str(p), "duplicate check id", entry=check.id, field="id")
        if check.drugs:
            from mtorlab.interventions import parse_entries

            parse_entries(check.drugs, f"{p}: check {check.id}: drugs")
        if drugs:  # the file's (and --library) drugs, after which the check's own win
            mine = {str(d.get("id")) for d in check.drugs}
            extra = tuple(d for d in drugs if d["id"] not in mine)
            check = check.model_copy(update={"drugs": (*extra, *check.drugs)})
        if exts:
            check = check.model_copy(update={"extensions": exts})
        out[check.id] = check
    return out


def _file_drugs(
    doc: dict[str, Any],
    source: str,
    files: Sequence[str | Path] | str | Path,
    mechanisms: Collection[str] = (),
) -> tuple[dict[str, Any], ...]:
    """A claims file's ``drugs:`` block (validated) after the ``--library`` entries."""
    from mtorlab.scenario import merged_entries

    own = doc.get("drugs", [])
    if not isinstance(own, list):
        raise DataFileError(source, "`drugs:` holds a list of library entries", field="drugs")
    if own:
        from mtorlab.interventions import parse_entries

        parse_entries(own, f"{source}: drugs")
    return merged_entries(own, files, mechanisms)


def plan_checks(checks: Iterable[Check], source: str) -> None:
    """Validate and plan every arm of ``checks`` before any runs: an unknown drug, route or
    dose time is one line naming the file, the check and the arm."""
    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.scenario import check_plan, validate_scenario

    for check in checks:
        for name, arm in check.scenarios().items():
            where = f"{source}: check {check.id}, arm {name!r}"
            data = {k: v for k, v in arm.items() if k != "manipulate"}
            sc = validate_scenario(data, where, mt.model().readout_ids)
            check_plan(mt.model(), sc, library(), where)


@dataclass
class CheckResult:
    """The outcome of one check: every assertion's result and the verdict."""

    check: Check
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """All assertions passed and nothing failed to run."""
        return self.error is None and all(o.passed for o in self.outcomes)

    @property
    def status(self) -> str:
        """``pass``, ``fail``, ``xfail`` (a documented, expected failure) or ``error``."""
        return verdict(self.error, self.passed, self.check.xfail)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "id": self.check.id,
            "claims": list(self.check.claims),
            "split": self.check.split,
            "status": self.status,
            "statement": self.check.statement,
            "reading": self.check.reading,
            "xfail": self.check.xfail,
            "error": self.error,
            "outcomes": [
                {
                    "passed": o.passed,
                    "measured": o.measured,
                    "expected": o.expected,
                    "detail": o.detail,
                }
                for o in self.outcomes
            ],
        }


class CachedSimulator:
    """Runs each distinct scenario once across all checks (arms are often shared)."""

    def __init__(self, simulate: Simulate) -> None:
        self._simulate = simulate
        self._cache: dict[str, pd.DataFrame] = {}

    def __call__(self, scenario: Mapping[str, Any]) -> pd.DataFrame:
        key = json.dumps({k: v for k, v in scenario.items() if k != "name"}, sort_keys=True)
        if key not in self._cache:
            self._cache[key] = self._simulate(scenario)
        return self._cache[key]


def run_check(check: Check, simulate: Simulate) -> CheckResult:
    """Simulate every arm of ``check`` and evaluate its assertions."""
    result = CheckResult(check)
    try:
        tables = {name: simulate(sc) for name, sc in check.scenarios().items()}
        result.outcomes = [a.evaluate(tables) for a in check.assertions]
    except MtorlabError as exc:
        result.error = str(exc)
    return result


def select(checks: Mapping[str, Check], only: Iterable[str] | None) -> list[Check]:
    """The checks named in ``only`` (check or claim ids), or all of them."""
    if not only:
        return list(checks.values())
    wanted = list(only)
    out = [c for c in checks.values() if c.id in wanted or set(c.claims) & set(wanted)]
    known = {*checks, *(cl for c in checks.values() for cl in c.claims)}
    for w in wanted:
        if w not in known:
            raise UnknownIdError("claim or check", w, tuple(sorted(known)))
    return out
