"""The FastAPI application: JSON API under ``/api``, the page at ``/``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from mtorlab import __version__
from mtorlab.web import _catalog, _claims, _kb, _scenario, _simulate
from mtorlab.web._errors import BodyLimit, HostCheck, RateLimit, install_handlers
from mtorlab.web._runner import Runner, SimulateFn

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.scenario import Scenario

WARM_UP: dict[str, Any] = {"name": "warm-up", "species": "mouse", "duration": "1 d"}


def static_dir() -> Path:
    """The page's files (HTML, JS, CSS and the vendored libraries)."""
    return Path(str(resources.files("mtorlab.web") / "static"))


def _reference_simulate(scenario: Scenario) -> pd.DataFrame:
    from mtorlab._api import simulate

    return simulate(scenario)


def create_app(
    *,
    simulate: SimulateFn | None = None,
    warm_up: bool = False,
    allowed_hosts: list[str] | None = None,
    rate_per_minute: int | None = None,
) -> FastAPI:
    """The web dashboard and HTTP API.

    Parameters
    ----------
    simulate
        Runs one validated scenario (default: ``mtorlab.simulate`` on the reference
        engine); tests pass a stand-in.
    warm_up
        Load and compile the engine in the background at start-up, so that the first
        user's simulation is as fast as the rest.
    allowed_hosts
        Host headers the server answers (400 otherwise): ``mtorlab serve`` on loopback
        passes the loopback names, so a web page cannot reach the API through DNS
        rebinding. None answers every host.
    rate_per_minute
        Simulation requests (POST) one client address may make per minute (429 beyond);
        ``mtorlab serve`` sets 120. None: no limit (tests, embedding).
    """
    runner = Runner(simulate or _reference_simulate)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            runner.warm_up(_scenario.validate(WARM_UP))
        yield
        runner.shutdown()

    app = FastAPI(
        title="mtorlab",
        version=__version__,
        description="The mTOR-in-depression review as an API: knowledge base, figures, "
        "scenarios, simulation and claims. Errors are JSON: {error, field}.",
        lifespan=lifespan,
    )
    app.state.runner = runner
    install_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=_scenario.MAX_BODY_BYTES)
    if rate_per_minute is not None:
        app.add_middleware(RateLimit, per_minute=rate_per_minute)
    if allowed_hosts is not None:
        app.add_middleware(HostCheck, allowed=allowed_hosts)
    for module in (_kb, _catalog, _scenario, _simulate, _claims):
        app.include_router(module.router)

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness and version."""
        return {"status": "ok", "version": __version__}

    root = static_dir()

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(root / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=root), name="static")
    return app
