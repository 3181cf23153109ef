"""Shared fixtures: paths to the review text, the spec and the test data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def _shared() -> Path | None:
    """``shared/`` beside the checkout (CI lays a copy there), if present."""
    for cand in (ROOT.parent / "shared", ROOT / "shared"):
        if (cand / "seed").is_dir():
            return cand
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared folder (review text and spec); skip where it is absent."""
    d = _shared()
    if d is None:
        pytest.skip("../shared (review text and spec) is not beside this checkout")
    return d


@pytest.fixture(scope="session")
def review_text(shared_dir: Path) -> str:
    """The Chinese review text."""
    return (shared_dir / "seed" / "mtor-depression-review.zh.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data."""
    return DATA


@pytest.fixture(autouse=True)
def _run_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI runs record into a temporary store, never the user's data directory."""
    monkeypatch.setenv("MTORLAB_STORE", str(tmp_path_factory.getbasetemp() / "run-store"))


@pytest.fixture(autouse=True)
def _keep_the_locale() -> Iterator[None]:
    """Importing COPASI sets the process's LC_CTYPE to "C", after which text-mode pipes of
    later tests decode as ASCII (a test's result then depended on test order); restore it."""
    import locale

    before = locale.setlocale(locale.LC_CTYPE, None)
    yield
    if locale.setlocale(locale.LC_CTYPE, None) != before:
        locale.setlocale(locale.LC_CTYPE, before)
