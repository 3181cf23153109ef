"""The bad-input corpus against the HTTP API: a 4xx answer whose JSON body is
``{"error", "field"}`` (the error holding the case's fragments, the field the one named),
within 2 s; nothing is queued or kept (no job) and nothing is written.

Cases: tests/data/bad_inputs/http.yaml (bodies, query parameters, sizes, methods, headers)
and scenarios.yaml (each bad scenario POSTed to ``/api/simulate``). Requests go through
FastAPI's TestClient to the app with the reference engine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from corpus import (
    TIME_LIMIT_S,
    Workspace,
    generated,
    generated_text,
    load,
    scenario_of,
    snapshot,
)
from fastapi.testclient import TestClient

from mtorlab.web import create_app


def _cases() -> list[Any]:
    out = [pytest.param(c, id=c["id"]) for c in load("http.yaml")]
    for c in load("scenarios.yaml"):
        if "http" in c.get("surfaces", ["cli", "python", "http"]):
            out.append(pytest.param({**c, "path": "/api/simulate"}, id=c["id"]))
    return out


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app as ``mtorlab serve`` runs it, less the host check and the rate limit (cases
    that test those build their own); warmed up so that a case's time is its own."""
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        assert c.post("/api/simulate", json={"name": "w", "species": "mouse",
                                             "duration": "1 h"}).status_code == 200  # fmt: skip
        yield c


def _body(case: dict[str, Any]) -> dict[str, Any]:
    """The request's keyword arguments: a JSON text (markers expanded), raw content, or
    form data, with headers and query parameters."""
    kwargs: dict[str, Any] = {"params": case.get("params"), "headers": case.get("headers", {})}
    if "content" in case:
        kwargs["content"] = generated_text(case["content"]).encode("utf-8")
    elif "form" in case:
        kwargs["data"] = case["form"]
    elif "json" in case or any(k in case for k in ("scenario", "dose", "drug_entry", "raw")):
        data = case["json"] if "json" in case else scenario_of(case)
        kwargs["content"] = generated_text(json.dumps(data)).encode("utf-8")
        kwargs["headers"] = {"content-type": "application/json", **kwargs["headers"]}
    return kwargs


@pytest.mark.parametrize("case", _cases())
def test_http_bad_input(case: dict[str, Any], client: TestClient, workspace: Workspace) -> None:
    own = case.get("app")
    c = TestClient(create_app(**own), raise_server_exceptions=False) if own else client
    runner = c.app.state.runner  # type: ignore[attr-defined]
    jobs = set(runner._jobs)
    before = snapshot(workspace.root)
    kwargs = _body(case)
    method, path = case.get("method", "POST"), generated(case["path"])
    for _ in range(case.get("repeat", 1) - 1):  # e.g. to use up a rate limit
        c.request(method, path, **kwargs)
    start = time.perf_counter()
    resp = c.request(method, path, **kwargs)
    elapsed = time.perf_counter() - start
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
    if "status" in case:
        assert resp.status_code == case["status"], resp.text[:300]
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"error", "field"} and isinstance(body["error"], str), body
    assert "\n" not in body["error"].strip() and "Traceback" not in body["error"], body
    for fragment in case.get("expect_http", case["expect"]):
        assert fragment in body["error"], (fragment, body)
    if "field_http" in case or "field" in case:
        assert body["field"] == case.get("field_http", case.get("field")), body
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.2f} s"
    assert set(runner._jobs) == jobs, "a bad request left a job"
    assert snapshot(workspace.root) == before
