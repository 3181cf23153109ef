"""Shared set-up of the bad-input corpus runners: the case's folders and placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import Workspace


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """Folders for one case; the run store and the working directory inside them."""
    ws = Workspace(tmp_path)
    monkeypatch.setenv("MTORLAB_STORE", str(ws.store))
    monkeypatch.chdir(ws.cwd)
    return ws


@pytest.fixture(scope="module")
def warm() -> None:
    """Load the model, the library and the knowledge base once, so that a case's time limit
    is the case's own (used by the CLI and Python runners)."""
    import mtorlab as mt
    from mtorlab._api import library

    mt.model()
    library()
    mt.knowledge_base()
