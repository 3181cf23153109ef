"""The bad-input corpus through the Python API: a typed mtorlab error (a subclass of
``MtorlabError``, the one named in the case) whose message names the argument or field,
within 2 s, with nothing written.

Cases: tests/data/bad_inputs/python.yaml (arguments of ``mt.simulate`` and friends) and
scenarios.yaml (each bad scenario given to ``mt.simulate`` as a mapping, or read with
``mt.load_scenario`` when the case is a file's text).
"""

from __future__ import annotations

import importlib
import math
import time
from typing import Any

import pytest
from corpus import TIME_LIMIT_S, Workspace, expand, generated, load, scenario_of, snapshot

from mtorlab import errors

#: Values YAML cannot write, by name (a case writes "$nan").
SPECIALS: dict[str, Any] = {"$nan": math.nan, "$inf": math.inf}


def _cases() -> list[Any]:
    out = [pytest.param(c, id=c["id"]) for c in load("python.yaml")]
    for c in load("scenarios.yaml"):
        if "python" in c.get("surfaces", ["cli", "python", "http"]):
            call = "load_scenario" if "text" in c else "simulate"
            out.append(pytest.param({**c, "call": call, "as_scenario": True}, id=c["id"]))
    return out


pytestmark = pytest.mark.usefixtures("warm")


def _resolve(call: str) -> Any:
    """``simulate`` (mtorlab's), ``model().readout`` or ``mtorlab.cohort.load_profile``."""
    path = call if call.startswith("mtorlab.") else f"mtorlab.{call}"
    parts = path.split(".")
    for i in range(len(parts), 0, -1):  # the longest importable module prefix
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        break
    for name in parts[i:]:
        called = name.endswith("()")
        obj = getattr(obj, name.removesuffix("()"))
        obj = obj() if called else obj
    return obj


def _value(v: Any) -> Any:
    if isinstance(v, str) and v in SPECIALS:
        return SPECIALS[v]
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    return v


def _arguments(case: dict[str, Any], ws: Workspace) -> tuple[list[Any], dict[str, Any]]:
    places = ws.places()
    if case.get("as_scenario"):
        first = str(ws.scenario) if "text" in case else generated(scenario_of(case))
        return [first], {}
    args = _value(generated(expand(case.get("args", []), places)))
    kwargs = _value(generated(expand(case.get("kwargs", {}), places)))
    if "scenario" in case or "dose" in case:  # the scenario mapping comes first
        args = [generated(scenario_of(case)), *args]
    return args, kwargs


@pytest.mark.parametrize("case", _cases())
def test_python_bad_input(case: dict[str, Any], workspace: Workspace) -> None:
    workspace.write_inputs(case)
    fn = _resolve(case["call"])
    args, kwargs = _arguments(case, workspace)
    before = snapshot(workspace.root)
    expected = getattr(errors, case.get("error", "MtorlabError"))
    start = time.perf_counter()
    with pytest.raises(errors.MtorlabError) as info:
        fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    exc, message = info.value, str(info.value)
    assert isinstance(exc, expected), (type(exc), message)
    assert "\n" not in message.strip(), message
    for fragment in expand(case.get("expect_python", case["expect"]), workspace.places()):
        assert fragment in message, (fragment, message)
    field = case.get("field_python", case.get("field"))
    if field:
        _assert_field(exc, field)
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.2f} s"
    assert snapshot(workspace.root) == before and not workspace.store.exists()


def _assert_field(exc: Exception, field: str) -> None:
    """The error names ``field`` (``interventions[0].dose``): as a DataFileError's entry and
    field, else in its message."""
    entry, rest = None, field
    if field.startswith("interventions["):
        index, rest = field.removeprefix("interventions[").split("]", 1)
        entry, rest = f"interventions #{int(index) + 1}", rest.removeprefix(".") or "(entry)"
    if isinstance(exc, errors.DataFileError) and exc.field is not None:
        assert (exc.entry, exc.field) == (entry, rest) or exc.field == field, (exc, field)
    else:
        assert field in str(exc) or rest in str(exc), (exc, field)
