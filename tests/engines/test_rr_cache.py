"""libRoadRunner models compiled once and kept on disk (``engines/_rr_cache.py``): a state
from the cache runs exactly as a model compiled from the SBML; a damaged, foreign or
shared-writable file is never loaded; an unusable cache directory only costs the compile."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import mtorlab as mt
from mtorlab.engines import RoadRunnerEngine
from mtorlab.engines import _rr_cache as cache
from mtorlab.io import to_sbml


@pytest.fixture(scope="module")
def sbml() -> str:
    return to_sbml(mt.model(), miriam=False)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MTORLAB_CACHE", str(tmp_path))
    return cache._folder()


def _states(folder: Path) -> list[Path]:
    return sorted(folder.glob("rr_*.state"))


def _course(engine: RoadRunnerEngine) -> np.ndarray:
    """A steady state, then a switch away from it: two days, every species."""
    params = mt.model().condition_inputs({"chronic_stress": 0.8})
    return engine.simulate(params, t_end=48.0, n_points=25, selections=engine.species_ids,
                           changes=[(6.0, {"in_stress": 0.2})])  # fmt: skip


def test_the_second_load_comes_from_the_cache_and_runs_the_same(sbml: str, folder: Path) -> None:
    assert cache._from_cache(folder, cache._key(sbml), sbml) is None
    compiled = RoadRunnerEngine(sbml)
    [state] = _states(folder)
    assert state.stat().st_mode & 0o077 == 0  # private
    assert cache._from_cache(folder, cache._key(sbml), sbml) is not None
    loaded = RoadRunnerEngine(sbml)
    assert _states(folder) == [state]  # nothing compiled or written again
    np.testing.assert_array_equal(_course(loaded), _course(compiled))
    assert loaded.species_ids == compiled.species_ids


def test_another_sbml_is_another_entry(sbml: str, folder: Path) -> None:
    cache.load_roadrunner(sbml)
    other = sbml.replace('name="', 'name="x ', 1)
    assert cache._key(other) != cache._key(sbml)
    assert cache._from_cache(folder, cache._key(other), other) is None


def test_a_damaged_file_is_not_loaded_and_is_replaced(sbml: str, folder: Path) -> None:
    cache.load_roadrunner(sbml)
    [state] = _states(folder)
    data = bytearray(state.read_bytes())
    data[len(data) // 2] ^= 0xFF  # libRoadRunner itself would load this without a word
    state.write_bytes(bytes(data))
    assert cache._from_cache(folder, cache._key(sbml), sbml) is None
    rr = cache.load_roadrunner(sbml)  # compiled again, and a good copy stored
    assert rr.getSBML() == sbml
    assert cache._from_cache(folder, cache._key(sbml), sbml) is not None


def test_a_file_others_may_write_is_not_loaded(sbml: str, folder: Path) -> None:
    cache.load_roadrunner(sbml)
    [state] = _states(folder)
    os.chmod(state, 0o664)
    assert cache._from_cache(folder, cache._key(sbml), sbml) is None


def test_an_unusable_cache_directory_only_costs_the_compile(
    sbml: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("MTORLAB_CACHE", str(blocker))
    rr = cache.load_roadrunner(sbml)
    assert rr.getSBML() == sbml


def test_pruning_keeps_the_most_recently_used(folder: Path) -> None:
    for k in range(5):
        p = folder / f"rr_{k:024d}_{k:032d}.state"
        p.write_bytes(b"x")
        os.utime(p, (1000.0 + k, 1000.0 + k))
    removed = cache.prune(folder, keep=2)
    assert sorted(p.name[3:7] for p in removed) == ["0000"] * 3
    assert [p.name for p in _states(folder)] == [f"rr_{k:024d}_{k:032d}.state" for k in (3, 4)]
