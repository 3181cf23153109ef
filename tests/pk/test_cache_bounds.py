"""Per-process caches of built models stay bounded (issue 16: a server sees many user drugs)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from mtorlab._api import library, model
from mtorlab._cache import BoundedCache
from mtorlab.pk import _assemble
from mtorlab.scenario import validate_scenario

OWN_DRUG = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "with_own_drug.yaml"


def test_bounded_cache_drops_the_least_recently_used_entry() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    assert cache.get_or_build("a", lambda: 1) == 1
    assert cache.get_or_build("b", lambda: 2) == 2
    assert cache.get_or_build("a", lambda: 99) == 1  # a hit, and now the most recent
    cache.get_or_build("c", lambda: 3)
    assert "a" in cache and "c" in cache and "b" not in cache and len(cache) == 2
    with pytest.raises(ValueError):
        BoundedCache(0)


def test_distinct_user_drugs_do_not_grow_the_model_cache_without_bound() -> None:
    raw = yaml.safe_load(OWN_DRUG.read_text(encoding="utf-8"))
    lib = library()
    limit = _assemble._MODELS.maxsize
    for i in range(limit + 8):
        data = copy.deepcopy(raw)
        data["drugs"][0]["pk"]["mouse"]["half_life"]["value"] = 2.0 + i / 100  # a new model each
        sc = validate_scenario(data, f"drug #{i}", model().readout_ids)
        extended = lib.extended(sc.drugs, "test")
        _assemble.plan(model(), sc, extended)
        assert len(_assemble._MODELS) <= limit
    assert len(_assemble._MODELS) == limit
