"""Fixtures for the web tests: API clients (real and stand-in simulation) and a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from web_fakes import fake_frame

from mtorlab.web import create_app

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The app with the reference engine."""
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """Build an app with a stand-in ``simulate`` (closed after the test)."""
    opened: list[TestClient] = []

    def make(simulate: Callable[[Any], pd.DataFrame] = fake_frame) -> TestClient:
        c = TestClient(create_app(simulate=simulate), raise_server_exceptions=False)
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """``mtorlab serve``'s app under uvicorn in a thread, on a free loopback port."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        create_app(warm_up=True), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
