"""The bad-input corpus on the command line: exit 2, one line ``mtorlab: error: ...``
naming what is wrong, within 2 s, and nothing written (no output, plot, report, store).

Cases: tests/data/bad_inputs/cli.yaml (options of every command) and scenarios.yaml
(bad scenario files, run as ``mtorlab simulate FILE -o CSV --plot PNG``). Run in-process
through ``mtorlab.cli.main`` to keep the corpus fast.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from corpus import TIME_LIMIT_S, Workspace, all_ids, expand, load, snapshot

from mtorlab.cli import main

SIMULATE = ["simulate", "{scenario}", "-o", "{out}/run.csv", "--plot", "{out}/run.png"]


def _cases() -> list[Any]:
    out = [pytest.param(c, id=c["id"]) for c in load("cli.yaml")]
    for c in load("scenarios.yaml"):
        if "cli" in c.get("surfaces", ["cli", "python", "http"]):
            out.append(pytest.param({**c, "args": SIMULATE}, id=c["id"]))
    return out


pytestmark = pytest.mark.usefixtures("warm")


def test_case_ids_are_unique() -> None:
    ids = all_ids()
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("case", _cases())
def test_cli_bad_input(
    case: dict[str, Any], workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.write_inputs(case)
    places = workspace.places()
    args = [str(a) for a in expand(case["args"], places)]
    before = snapshot(workspace.root)
    capsys.readouterr()
    start = time.perf_counter()
    code = main(args)
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("mtorlab: error: ") and err.count("\n") == 1, err
    for fragment in expand(case.get("expect_cli", case["expect"]), places):
        assert fragment in err, (fragment, err)
    if "scenario" in case or "dose" in case or "drug_entry" in case or "text" in case:
        assert str(workspace.scenario) in err  # the file is named
    field = case.get("field_cli", case.get("field"))
    if field:
        assert _cli_field(field) in err, (field, err)
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.2f} s"
    assert snapshot(workspace.root) == before  # nothing written, no run recorded
    assert not workspace.store.exists()


def _cli_field(field: str) -> str:
    """``interventions[0].dose`` as the CLI names it: ``interventions #1', field 'dose``."""
    if field.startswith("interventions["):
        index, rest = field.removeprefix("interventions[").split("]", 1)
        rest = rest.removeprefix(".")
        where = f"interventions #{int(index) + 1}'"
        return f"{where}, field '{rest}'" if rest else where
    return field
