"""Simulation endpoints: one scenario synchronously (JSON or CSV), or a cancellable job."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from mtorlab.errors import MtorlabError
from mtorlab.web._errors import ApiError, simulation_error
from mtorlab.web._runner import Runner
from mtorlab.web._scenario import EXAMPLE, ScenarioBody, validate

router = APIRouter(prefix="/api", tags=["simulate"])

SIMULATE_TIMEOUT_S = 30.0
MAX_ARMS = 4
JobId = Annotated[str, Path(max_length=64)]


def _runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


async def _simulate(request: Request, scenario: dict[str, Any]) -> dict[str, Any]:
    sc = await asyncio.to_thread(validate, scenario)
    cancel = threading.Event()
    fut = _runner(request).submit(sc, cancel)
    try:
        result: dict[str, Any] = await asyncio.wait_for(
            asyncio.wrap_future(fut), SIMULATE_TIMEOUT_S
        )
    except MtorlabError as exc:
        raise simulation_error(exc) from None
    except TimeoutError:
        raise ApiError(
            504, f"the simulation took longer than {SIMULATE_TIMEOUT_S:g} s; use /api/jobs"
        ) from None
    finally:
        if not fut.done():  # timed out, or the client went away: stop it, free the worker
            cancel.set()
            fut.cancel()
    return result


@router.post("/simulate")
async def simulate(request: Request, scenario: ScenarioBody) -> dict[str, Any]:
    """Simulate one scenario (the scenario-file format as JSON).

    Returns ``time_h`` (hours from the scenario's start), ``columns`` (readout ids) and
    ``values`` (one array per readout). Errors are 4xx ``{"error", "field"}``.
    """
    return await _simulate(request, scenario)


def _csv(result: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = result["columns"]
    w.writerow(["time_h", *cols])
    for i, t in enumerate(result["time_h"]):
        w.writerow([t, *(result["values"][c][i] for c in cols)])
    return buf.getvalue()


@router.post(
    "/simulate/csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
async def simulate_csv(request: Request, scenario: ScenarioBody) -> Response:
    """The same table as ``/api/simulate``, as a CSV download."""
    result = await _simulate(request, scenario)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", result["name"])[:60] or "scenario"
    return Response(
        _csv(result),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
    )


class JobRequest(BaseModel):
    """Up to four scenarios to run in turn (e.g. treatments to compare)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scenarios": [EXAMPLE]}]}
    )
    scenarios: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_ARMS)


@router.post("/jobs", status_code=202)
async def job_start(request: Request, body: JobRequest) -> dict[str, Any]:
    """Queue scenarios; poll ``GET /api/jobs/{id}`` for progress and results."""
    scenarios = []
    for i, data in enumerate(body.scenarios):
        try:
            scenarios.append(await asyncio.to_thread(validate, data))
        except ApiError as exc:
            exc.field = f"scenarios[{i}]" + (f".{exc.field}" if exc.field else "")
            raise
    return _runner(request).start_job(scenarios).as_dict()


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: JobId) -> dict[str, Any]:
    """A job's status, progress and (when done) results."""
    return _runner(request).job(job_id).as_dict()


@router.delete("/jobs/{job_id}")
def job_cancel(request: Request, job_id: JobId) -> dict[str, Any]:
    """Cancel a job."""
    return _runner(request).cancel(job_id).as_dict()
