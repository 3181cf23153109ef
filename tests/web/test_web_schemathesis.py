"""A bounded schemathesis run against the API (issue 16, "Done means"): every operation of
the published OpenAPI schema, generated requests (valid and invalid by the schema), and
never a 5xx. The app is the one ``mtorlab serve`` runs, with the reference engine, less the
host check and the rate limit; requests go in-process (ASGI), so it takes seconds.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from mtorlab.web import create_app

APP = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any) -> None:
    response = case.call()
    graphviz_missing = response.status_code == 503 and "Graphviz" in response.text
    if not graphviz_missing:
        case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:  # every error is the API's JSON {error, field}
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith("application/json"), (response.status_code, content_type)
        assert response.json()["error"], response.text
