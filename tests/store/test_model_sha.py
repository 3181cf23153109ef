"""The model hash a run records is the SHA-256 of the model's SBML, cached per content."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

import mtorlab as mt
from mtorlab.io import to_sbml
from mtorlab.store import sha256
from mtorlab.store._model_sha import model_sha256


def test_model_sha256_is_the_sbml_hash_cached_per_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTORLAB_CACHE", str(tmp_path))
    m = mt.model()
    want = sha256(to_sbml(m, miriam=False))
    assert model_sha256(m) == want  # computed
    [entry] = (tmp_path / "model_sha256").iterdir()
    assert entry.stat().st_mode & 0o077 == 0
    assert model_sha256(m) == want  # read back
    # another content is another key: a changed parameter value changes the SBML
    p = next(iter(m.parameters.values()))
    params = {**m.parameters, p.id: p.model_copy(update={"value": p.value * 2 + 1})}
    other = dataclasses.replace(m, parameters=params)
    assert model_sha256(other) == sha256(to_sbml(other, miriam=False)) != want
    # a cache file others may write is not read
    entry.write_text("0" * 64)
    os.chmod(entry, 0o666)
    assert model_sha256(m) == want
