"""The HTTP API: every endpoint, good and bad inputs, limits, jobs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from web_fakes import fake_frame

from mtorlab.web import _runner, _simulate

STRESS = {
    "name": "stress",
    "species": "mouse",
    "duration": "28 d",
    "condition": {"chronic_stress": 0.8},
    "outputs": ["mtorc1_neuron", "bdnf", "depression_score"],
}
KETAMINE = {
    "name": "ketamine",
    "species": "mouse",
    "duration": "2 d",
    "condition": {"chronic_stress": 0.8},
    "interventions": [{"drug": "ketamine", "dose": "10 mg/kg", "route": "ip", "at": "0 h"}],
    "outputs": ["mtorc1_neuron", "synaptic_protein"],
}


def assert_error(resp: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error", "field"} and body["error"]
    if field is not None:
        assert body["field"] == field, body
    return body


# --- knowledge base -----------------------------------------------------------------------


def test_summary_counts(client: TestClient) -> None:
    d = client.get("/api/kb/summary").json()
    assert d["entities"] > 50 and d["mechanisms"] > 100 and d["tensions"] >= 6


def test_graph_nodes_and_signed_edges(client: TestClient) -> None:
    d = client.get("/api/kb/graph").json()
    ids = {n["id"] for n in d["nodes"]}
    ket = next(n for n in d["nodes"] if n["id"] == "ketamine")
    assert ket["name_zh"] == "氯胺酮" and ket["kind"] == "drug" and ket["context"] == "intervention"
    assert {e["sign"] for e in d["edges"]} == {"+", "-"}
    assert all(e["source"] in ids and e["target"] in ids for e in d["edges"])
    assert next(n for n in d["nodes"] if n["id"] == "mtorc1")["readout"] == "mtorc1_neuron"


def test_entity_has_evidence_claims_tensions(client: TestClient) -> None:
    d = client.get("/api/kb/entity/ketamine").json()
    assert d["entity"]["id"] == "ketamine"
    quotes = [ev.get("quote_zh") for m in d["mechanisms"] for ev in m["evidence"]]
    assert any(q and "氯胺酮" in q for q in quotes)
    assert all(ev["text_en"] for m in d["mechanisms"] for ev in m["evidence"])
    assert any(c["id"].startswith("KET-") for c in d["claims"])
    assert any(t["id"] == "CX-4" for t in d["tensions"])


def test_entity_by_chinese_name(client: TestClient) -> None:
    assert client.get("/api/kb/entity/氯胺酮").json()["entity"]["id"] == "ketamine"


def test_unknown_entity_is_404_with_suggestion(client: TestClient) -> None:
    body = assert_error(client.get("/api/kb/entity/ketamin"), 404)
    assert "ketamine" in body["error"]


def test_mechanism(client: TestClient) -> None:
    d = client.get("/api/kb/mechanism/m_mtor_forms_mtorc1").json()
    assert d["mechanism"]["subject_name_zh"] and d["claims"][0]["id"] == "UP-01"
    assert_error(client.get("/api/kb/mechanism/m_nope"), 404, "mechanism_id")


def test_path_ketamine_to_synaptic_proteins(client: TestClient) -> None:
    d = client.get(
        "/api/kb/path", params={"source": "ketamine", "target": "synaptic_protein_synthesis"}
    ).json()
    assert d["paths"] and d["paths"][0]["nodes"][0] == "ketamine"
    assert d["paths"][0]["nodes"][-1] == "synaptic_protein_synthesis"
    assert d["paths"][0]["steps"][0]["evidence"]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"source": "ketamine"}, 422, "target"),
        ({"source": "nope", "target": "bdnf"}, 404, "source"),
        ({"source": "bdnf", "target": "bdnf"}, 422, "target"),
        ({"source": "ketamine", "target": "bdnf", "limit": 99}, 422, "limit"),
    ],
)
def test_path_bad_inputs(
    client: TestClient, params: dict[str, Any], status: int, field: str
) -> None:
    assert_error(client.get("/api/kb/path", params=params), status, field)


def test_tensions(client: TestClient) -> None:
    d = client.get("/api/kb/tensions").json()
    assert [t["id"] for t in d][:2] == ["CX-1", "CX-2"]
    assert d[0]["mechanism_details"][0]["evidence"]


# --- catalogues, figures, claims --------------------------------------------------------------


def test_readouts_and_interventions(client: TestClient) -> None:
    r = {x["id"]: x for x in client.get("/api/readouts").json()}
    assert r["depression_score"]["entity"] == "depression_like_behaviour"
    drugs = {d["id"]: d for d in client.get("/api/interventions").json()}
    assert "peg_liposome" in drugs["rapamycin"]["formulations"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figure_svg(client: TestClient, lang: str) -> None:
    resp = client.get("/api/figures/fig1.svg", params={"lang": lang})
    assert resp.status_code == 200, resp.text  # Graphviz is installed by `make`
    assert resp.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in resp.content
    assert ("mTORC1" if lang == "en" else "雷帕霉素").encode() in client.get(
        "/api/figures/fig2.svg", params={"lang": lang}
    ).content


def test_figure_bad_inputs(client: TestClient) -> None:
    assert_error(client.get("/api/figures/fig9.svg"), 404, "name")
    assert_error(client.get("/api/figures/fig1.svg", params={"lang": "fr"}), 422, "lang")


def test_claims(client: TestClient) -> None:
    d = client.get("/api/claims").json()
    ket = next(c for c in d["claims"] if c["id"] == "KET-01")
    assert ket["mechanisms"] and ket["evidence"][0]["quote_zh"]
    assert isinstance(d["checks"], list)
    assert_error(client.get("/api/claims/checks/NOPE-01/scenarios"), 404, "check_id")


# --- scenarios ---------------------------------------------------------------------------------


def test_render_and_parse_round_trip(client: TestClient) -> None:
    # 15 days: the weekly rapamycin doses fall inside it (a dose after the end is an error)
    sc = {**KETAMINE, "duration": "15 d", "interventions": [{**KETAMINE["interventions"][0]}]}
    sc["interventions"].append(
        {
            "drug": "rapamycin",
            "dose": "2 mg",
            "route": "po",
            "formulation": "peg_liposome",
            "schedule": {"start": "0 d", "every": "7 d", "count": 3},
        }
    )
    out = client.post("/api/scenario/render", json=sc).json()
    assert out["error"] is None
    assert "schedule: {start: 0 d, every: 7 d, count: 3}" in out["yaml"]
    back = client.post("/api/scenario/parse", json={"yaml": out["yaml"]}).json()
    assert back == {"scenario": sc, "error": None}


def test_render_reports_the_invalid_field(client: TestClient) -> None:
    sc = {**KETAMINE, "interventions": [{**KETAMINE["interventions"][0], "dose": "10 kg/m"}]}
    out = client.post("/api/scenario/render", json=sc).json()
    assert out["yaml"] and out["error"]["field"] == "interventions[0].dose"


@pytest.mark.parametrize(
    "text",
    ["a: [1\n", "a: &x [1]\nb: *x\n", "- just\n- a list\n", "[" * 5000],
)
def test_parse_bad_yaml(client: TestClient, text: str) -> None:
    assert_error(client.post("/api/scenario/parse", json={"yaml": text}), 422, "yaml")


# --- simulate ----------------------------------------------------------------------------------


def test_simulate_real_engine(client: TestClient) -> None:
    """The reference engine through the API (not a stand-in)."""
    d = client.post("/api/simulate", json=STRESS).json()
    assert d["columns"] == STRESS["outputs"]
    assert d["time_h"][0] == 0 and d["time_h"][-1] == 28 * 24
    assert all(len(d["values"][c]) == len(d["time_h"]) for c in d["columns"])


def test_simulate_real_engine_with_an_intervention(client: TestClient) -> None:
    resp = client.post("/api/simulate", json=KETAMINE)
    assert resp.status_code == 200, resp.json()
    d = resp.json()
    series = d["values"]["mtorc1_neuron"]
    assert max(series) > series[0]  # ketamine raises neuronal mTORC1 transiently


def test_simulate_returns_the_runs_warnings(client: TestClient) -> None:
    """The warnings `mtorlab simulate` prints reach the dashboard: none for a plain run, one
    for a formulation given outside the species its factors were measured in."""
    plain = client.post("/api/simulate", json=KETAMINE).json()
    assert plain["warnings"] == [] and plain["warnings_zh"] == []
    peg = {"name": "peg", "species": "human", "duration": "6 h", "outputs": ["mtorc1_glia"],
           "interventions": [{"drug": "rapamycin", "dose": "6 mg", "route": "po",
                              "formulation": "peg_liposome", "at": "1 h"}]}  # fmt: skip
    got = client.post("/api/simulate", json=peg).json()
    (warning,), (chinese,) = got["warnings"], got["warnings_zh"]
    assert "peg_liposome in a human" in warning
    # the same warning in Chinese, for the dashboard's Chinese view
    assert "雷帕霉素（peg_liposome）用于人" in chinese and "小鼠和大鼠" in chinese


def test_simulate_csv(client: TestClient) -> None:
    resp = client.post("/api/simulate/csv", json=STRESS)
    assert resp.headers["content-type"].startswith("text/csv")
    assert 'filename="stress.csv"' in resp.headers["content-disposition"]
    lines = resp.text.splitlines()
    assert lines[0] == "time_h,mtorc1_neuron,bdnf,depression_score" and len(lines) == 28 * 24 + 2


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"species": "dog"}, "species"),
        ({"duration": "91 d"}, "duration"),
        ({"duration": "28"}, "duration"),
        ({"duration": "28 d", "output_step": "1 s"}, "output_step"),
        ({"outputs": ["mtorc1"]}, "outputs[0]"),
        ({"condition": {"chronic_stress": 2}}, "condition.chronic_stress"),
        ({"colour": "red"}, "colour"),
        ({"interventions": [{"drug": "ketamine", "dose": "5 kg/m", "at": "0 h"}]}, None),
        ({"interventions": [{"drug": "ketamine", "dose": "5 mg/kg"}]}, "interventions[0]"),
        # unit strings are never evaluated as arithmetic (issue 16: these froze the server)
        ({"duration": "10**10**8 h"}, "duration"),
        ({"duration": "10**10**7 h"}, "duration"),
        ({"duration": "2**2 d"}, "duration"),
        ({"duration": "nan h"}, "duration"),
        ({"duration": "h"}, "duration"),
        ({"interventions": [{"drug": "ketamine", "dose": "9**9**9 mg/kg", "at": "0 h"}]}, None),
        ({"interventions": [{"drug": "ketamine", "dose": "5 mg/kg", "at": "nan h"}]}, None),
    ],
)
def test_simulate_bad_scenarios(client: TestClient, patch: dict[str, Any], field: str) -> None:
    body = assert_error(client.post("/api/simulate", json={**STRESS, **patch}), 422)
    if field is not None:
        assert body["field"] == field
    else:
        assert body["field"].startswith("interventions[0]")


def test_simulate_body_must_be_an_object(client: TestClient) -> None:
    assert_error(client.post("/api/simulate", json=[1, 2]), 422, "body")
    resp = client.post(
        "/api/simulate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 422 and resp.json()["error"]


def test_request_body_cap(client: TestClient) -> None:
    big = {**STRESS, "description": "x" * 70_000}
    assert_error(client.post("/api/simulate", json=big), 413, "body")

    def chunks() -> Any:
        for _ in range(20):
            yield b" " * 4096

    assert_error(
        client.post(
            "/api/scenario/parse", content=chunks(), headers={"content-type": "application/json"}
        ),
        413,
    )


def test_no_file_paths(client: TestClient) -> None:
    """Static files stay inside the package; a scenario is data, never a path."""
    assert client.get("/static/../_app.py").status_code == 404
    assert client.get("/static/%2e%2e/_app.py").status_code == 404
    assert_error(client.post("/api/simulate", json="/etc/passwd"), 422)


def test_page_and_openapi(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "cytoscape.min.js" in page.text
    for asset in ("app.js", "app.css", "vendor/cytoscape.min.js", "vendor/plotly-basic.min.js"):
        assert client.get(f"/static/{asset}").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/simulate", "/api/jobs", "/api/jobs/{job_id}", "/api/kb/path"):
        assert p in paths


# --- jobs, timeouts, queue (stand-in simulation) ------------------------------------------------


def wait_job(c: TestClient, job_id: str, until: Callable[[dict[str, Any]], bool]) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        d = c.get(f"/api/jobs/{job_id}").json()
        if until(d):
            return d
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never reached the state: {d}")


def test_job_runs_all_scenarios(make_client: Callable[..., TestClient]) -> None:
    c = make_client()
    resp = c.post("/api/jobs", json={"scenarios": [STRESS, {**STRESS, "name": "b"}]})
    assert resp.status_code == 202
    d = wait_job(c, resp.json()["id"], lambda d: d["status"] == "done")
    assert d["progress"] == {"done": 2, "total": 2}
    assert [r["name"] for r in d["results"]] == ["stress", "b"]


def test_job_cancel_stops_between_scenarios(make_client: Callable[..., TestClient]) -> None:
    gate = threading.Event()

    def slow(sc: Any) -> pd.DataFrame:
        gate.wait(10)
        return fake_frame(sc)

    c = make_client(slow)
    job = c.post("/api/jobs", json={"scenarios": [STRESS] * 3}).json()
    wait_job(c, job["id"], lambda d: d["status"] == "running")
    assert c.delete(f"/api/jobs/{job['id']}").status_code == 200
    gate.set()
    d = wait_job(c, job["id"], lambda d: d["status"] not in ("queued", "running"))
    assert d["status"] == "cancelled" and d["progress"]["done"] <= 1 and d["results"] is None


def test_job_errors(make_client: Callable[..., TestClient]) -> None:
    def broken(sc: Any) -> pd.DataFrame:
        raise RuntimeError("boom")

    c = make_client(broken)
    job = c.post("/api/jobs", json={"scenarios": [STRESS]}).json()
    d = wait_job(c, job["id"], lambda d: d["status"] == "failed")
    assert d["error"]["error"] == "internal error (RuntimeError)"
    bad = {**STRESS, "species": "dog"}
    assert_error(
        c.post("/api/jobs", json={"scenarios": [STRESS, bad]}), 422, "scenarios[1].species"
    )
    assert_error(c.post("/api/jobs", json={"scenarios": []}), 422, "scenarios")
    assert_error(c.post("/api/jobs", json={"scenarios": [STRESS] * 5}), 422, "scenarios")
    assert_error(c.get("/api/jobs/nope"), 404, "job_id")
    assert_error(c.delete("/api/jobs/nope"), 404, "job_id")


def test_simulate_timeout(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()

    def stuck(sc: Any) -> pd.DataFrame:
        gate.wait(10)
        return fake_frame(sc)

    monkeypatch.setattr(_simulate, "SIMULATE_TIMEOUT_S", 0.2)
    c = make_client(stuck)
    try:
        assert_error(c.post("/api/simulate", json=STRESS), 504)
    finally:
        gate.set()


def test_queue_limit(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()

    def stuck(sc: Any) -> pd.DataFrame:
        gate.wait(10)
        return fake_frame(sc)

    monkeypatch.setattr(_runner, "MAX_QUEUE", 2)
    c = make_client(stuck)
    try:
        for _ in range(2):
            assert c.post("/api/jobs", json={"scenarios": [STRESS]}).status_code == 202
        assert_error(c.post("/api/jobs", json={"scenarios": [STRESS]}), 503)
    finally:
        gate.set()


def test_server_stays_responsive_while_simulating(
    make_client: Callable[..., TestClient],
) -> None:
    gate = threading.Event()

    def stuck(sc: Any) -> pd.DataFrame:
        gate.wait(10)
        return fake_frame(sc)

    c = make_client(stuck)
    try:
        c.post("/api/jobs", json={"scenarios": [STRESS]})
        t0 = time.monotonic()
        assert c.get("/api/kb/summary").status_code == 200
        assert time.monotonic() - t0 < 2
    finally:
        gate.set()


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"drug": "nope"}, "interventions[0].drug"),
        ({"route": "icv"}, "interventions[0].route"),
    ],
)
def test_intervention_errors_name_the_field(
    client: TestClient, patch: dict[str, Any], field: str
) -> None:
    sc = {**KETAMINE, "interventions": [{**KETAMINE["interventions"][0], **patch}]}
    body = assert_error(client.post("/api/simulate", json=sc), 422)
    assert body["field"] == field, body


def test_job_results_are_bounded_in_size(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: 8 large jobs held 870 MiB; one job returned 45 MiB."""
    long = {**STRESS, "duration": "90 d", "output_step": "7.5 min", "outputs": None}
    big = [{**long, "name": f"s{i}"} for i in range(4)]
    c = make_client()
    assert_error(c.post("/api/jobs", json={"scenarios": big}), 413, "scenarios")
    monkeypatch.setattr(_runner, "MAX_KEPT_VALUES", 29 * 4 * 2)  # 29 points x 4 columns, twice
    ids = []
    for i in range(4):
        small = {**STRESS, "name": f"j{i}", "duration": "28 h", "output_step": "1 h"}
        job = c.post("/api/jobs", json={"scenarios": [small]}).json()
        wait_job(c, job["id"], lambda d: d["status"] == "done")
        ids.append(job["id"])
    kept = [i for i in ids if c.get(f"/api/jobs/{i}").status_code == 200]
    assert kept == ids[-len(kept) :] and 1 <= len(kept) <= 2  # the oldest went first


def test_a_loopback_server_refuses_foreign_host_headers() -> None:
    """Issue 16 item 13: DNS rebinding (a page served from evil.example resolving to
    127.0.0.1) must not reach the API of a server bound to loopback."""
    from mtorlab.web import create_app

    app = create_app(simulate=fake_frame, allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8000") as ok:
        assert ok.get("/api/kb/summary").status_code == 200
    with TestClient(app, base_url="http://evil.example:8000") as evil:
        assert evil.get("/api/kb/summary").status_code == 400


def test_simulation_requests_are_rate_limited_per_client() -> None:
    """Issue 16 item 13: no rate limit. Reading stays free; simulations are metered."""
    from mtorlab.web import create_app

    app = create_app(simulate=fake_frame, rate_per_minute=3)
    with TestClient(app) as c:
        codes = [c.post("/api/simulate", json=STRESS).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        limited = c.post("/api/simulate", json=STRESS)
        assert int(limited.headers["retry-after"]) >= 1 and limited.json()["error"]
        assert all(c.get("/api/kb/summary").status_code == 200 for _ in range(10))
