"""Schema-driven fuzz: every operation of the OpenAPI schema, random inputs, never a 5xx.

Parameters and bodies are generated from the schema the app publishes (so a new
endpoint is fuzzed without a new test); scenario bodies mix plausible and hostile
values so that validation and the server's limits are reached. The simulation itself
is a fast stand-in here (a valid 90-day scenario may take seconds on the engine); the
reference engine behind the API is tested in ``test_web_api.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_fakes import fake_frame

from mtorlab.web import create_app

_client = TestClient(create_app(simulate=fake_frame), raise_server_exceptions=False)
SCHEMA = _client.get("/openapi.json").json()
OPERATIONS = [
    pytest.param(path, method, op, id=f"{method.upper()} {path}")
    for path, item in SCHEMA["paths"].items()
    for method, op in item.items()
    if method in ("get", "post", "delete")
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
quantities = st.sampled_from(
    ["0 h", "1 h", "2 d", "28 d", "90 d", "91 d", "10 mg/kg", "5 kg/m", "-1 d", "x", "1e400 d", ""]
)
intervention = st.fixed_dictionaries(
    {
        "drug": st.sampled_from(["ketamine", "esketamine", "rapamycin", "nope", "Bad Id"]),
        "dose": st.sampled_from(["10 mg/kg", "0.5 mg/kg", "2 mg", "0 mg", "1e9 mg/kg", "x"]),
    },
    optional={
        "route": st.sampled_from(["iv", "ip", "po", "intranasal", "icv", "im"]),
        "at": quantities,
        "over": quantities,
        "formulation": st.sampled_from(["peg_liposome", "nope"]),
        "schedule": st.fixed_dictionaries(
            {"start": quantities, "every": quantities, "count": st.integers(-2, 20_000)}
        ),
    },
)
scenario = st.fixed_dictionaries(
    {
        "name": st.text(max_size=30),
        "species": st.sampled_from(["mouse", "rat", "human", "dog"]),
        "duration": quantities,
    },
    optional={
        "condition": st.dictionaries(
            st.sampled_from(["chronic_stress", "inflammation", "tbi", "bdnf_genotype", "zz"]),
            json_values | st.floats(0, 1),
            max_size=3,
        ),
        "interventions": st.lists(intervention, max_size=3) | json_values,
        "outputs": st.lists(st.sampled_from(["bdnf", "mtorc1_neuron", "nope"]), max_size=3),
        "output_step": quantities,
        "extra": json_values,
    },
)


def body_strategy(path: str) -> st.SearchStrategy[Any]:
    if path == "/api/scenario/parse":
        yaml_text = st.text(max_size=200) | st.sampled_from(["a: [1\n", "- 1\n", "name: x\n"])
        return st.fixed_dictionaries({"yaml": yaml_text}) | json_values
    if path == "/api/jobs":
        return st.fixed_dictionaries({"scenarios": st.lists(scenario, max_size=5)}) | json_values
    return scenario | json_values


def param_strategy(param: dict[str, Any]) -> st.SearchStrategy[Any]:
    schema = param.get("schema", {})
    if schema.get("type") == "integer":
        return st.integers(-10, 10) | st.text(max_size=5)
    if "enum" in schema or "anyOf" in schema:
        return st.sampled_from(["en", "zh", "fr", ""])
    names = st.sampled_from(["ketamine", "bdnf", "fig1", "m_mtor_forms_mtorc1", "氯胺酮"])
    return names | st.text(max_size=30)


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS)
def test_no_server_errors(path: str, method: str, op: dict[str, Any]) -> None:
    params = op.get("parameters", [])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        values=st.fixed_dictionaries({p["name"]: param_strategy(p) for p in params}),
        body=body_strategy(path) if "requestBody" in op else st.none(),
    )
    def run(values: dict[str, Any], body: Any) -> None:
        url = path
        query = {}
        for p in params:
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", quote(str(values[p["name"]]), safe=""))
            elif p["in"] == "query":
                query[p["name"]] = values[p["name"]]
        kwargs: dict[str, Any] = {"params": query}
        if body is not None or "requestBody" in op:
            kwargs["json"] = body
        resp = _client.request(method.upper(), url, **kwargs)
        graphviz_missing = resp.status_code == 503 and "Graphviz" in resp.text
        assert resp.status_code < 500 or graphviz_missing, (method, url, query, body, resp.text)
        if resp.status_code >= 400:
            assert resp.json()["error"]

    run()
