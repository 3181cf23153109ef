"""A request that times out (504) or a job that is cancelled stops its simulation and
frees the single worker (issue 16 item 10: the work went on, so requests behind it timed
out too). Real engine: the stop happens between integration segments (doses)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mtorlab.web import _simulate, create_app

#: 2,000 ketamine doses over 90 days: seconds of integration (one segment per dose).
HEAVY: dict[str, Any] = {
    "name": "heavy",
    "species": "mouse",
    "duration": "90 d",
    "output_step": "1 h",
    "interventions": [
        {"drug": "ketamine", "dose": "1 mg/kg", "route": "ip",
         "schedule": {"start": f"{i} h", "every": "10.8 h", "count": 200}}
        for i in range(10)
    ],
    "outputs": ["bdnf"],
}  # fmt: skip
SHORT: dict[str, Any] = {"name": "short", "species": "mouse", "duration": "1 d",
                         "outputs": ["bdnf"]}  # fmt: skip
WARM: dict[str, Any] = {**HEAVY, "duration": "2 d",
                        "interventions": [{**HEAVY["interventions"][0],
                                           "schedule": {"start": "0 h", "every": "6 h",
                                                        "count": 4}}]}  # fmt: skip


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The real engine, compiled for both scenarios' models before the clock starts."""
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        for body in (WARM, SHORT):
            assert c.post("/api/simulate", json=body).status_code == 200
        yield c


def test_the_heavy_scenario_takes_longer_than_the_timeout_below(client: TestClient) -> None:
    """The premise of the tests below: uncancelled, the heavy run holds the worker > 1 s."""
    start = time.monotonic()
    assert client.post("/api/simulate", json=HEAVY).status_code == 200
    assert time.monotonic() - start > 2.0


def test_a_timed_out_request_frees_the_worker(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_simulate, "SIMULATE_TIMEOUT_S", 1.0)
    start = time.monotonic()
    resp = client.post("/api/simulate", json=HEAVY)
    assert resp.status_code == 504 and "/api/jobs" in resp.json()["error"]
    assert time.monotonic() - start < 2.0
    # the worker is free: had the heavy run gone on, this would wait behind it and time out
    resp = client.post("/api/simulate", json=SHORT)
    assert resp.status_code == 200, resp.text
    assert time.monotonic() - start < 3.0


def test_cancelling_a_running_job_stops_its_scenario(client: TestClient) -> None:
    job = client.post("/api/jobs", json={"scenarios": [HEAVY]}).json()
    deadline = time.monotonic() + 10
    while client.get(f"/api/jobs/{job['id']}").json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.2)  # well inside the heavy run
    cancelled_at = time.monotonic()
    client.delete(f"/api/jobs/{job['id']}")
    while (state := client.get(f"/api/jobs/{job['id']}").json())["status"] == "running":
        assert time.monotonic() - cancelled_at < 1.0, "the scenario went on after the cancel"
        time.sleep(0.02)
    assert state["status"] == "cancelled" and state["results"] is None
    assert client.post("/api/simulate", json=SHORT).status_code == 200
