"""The batch engine's parts: generated kernels, sparse LU, steady states, failures, errors."""

from __future__ import annotations

import numpy as np
import pytest

import mtorlab as mt
from mtorlab._api import batch_engine, reference_engine
from mtorlab.engines.batch import BatchEngine, BatchTolerances
from mtorlab.errors import MtorlabError, UnknownIdError


@pytest.fixture(scope="module")
def engines() -> tuple[BatchEngine, object]:
    return batch_engine(), reference_engine()


def _in_batch_order(batch: BatchEngine, ref: object, y_ref: np.ndarray) -> np.ndarray:
    order = [ref.species_ids.index(s) for s in batch.compiled.species]  # type: ignore[attr-defined]
    return y_ref[order]


def test_rhs_and_jacobian_match_the_reference_engine(engines: tuple[BatchEngine, object]) -> None:
    batch, ref = engines
    rng = np.random.default_rng(0)
    params = mt.model().condition_inputs({"chronic_stress": 0.7, "inflammation": 0.4})
    y_ref = ref.steady_state(params) * rng.uniform(0.7, 1.3, len(ref.species_ids))  # type: ignore[attr-defined]
    y = _in_batch_order(batch, ref, y_ref)
    P = batch.parameter_matrix([params])
    f = batch.rhs(y[None], P)[0]
    f_ref = _in_batch_order(batch, ref, ref.rates(y_ref))  # type: ignore[attr-defined]
    np.testing.assert_allclose(f, f_ref, rtol=1e-9, atol=1e-12)
    jac = batch.jac(y[None], P)[0]
    jac_ref = ref.jacobian(y_ref)  # type: ignore[attr-defined]
    order = [ref.species_ids.index(s) for s in batch.compiled.species]  # type: ignore[attr-defined]
    np.testing.assert_allclose(jac, jac_ref[np.ix_(order, order)], rtol=1e-5, atol=1e-6)


def test_sparse_lu_solves_like_numpy(engines: tuple[BatchEngine, object]) -> None:
    batch, _ = engines
    mod = batch.compiled.module
    lu = batch.compiled.lu
    P = batch.parameter_matrix([{}])
    y, _status = batch.steady_states(P)
    J = batch.jac(y, P)[0]
    n = J.shape[0]
    rng = np.random.default_rng(1)
    for h in (1e-3, 1.0, 100.0):
        A = np.eye(n) / (0.25 * h) - J
        M, dinv = A.copy(), np.zeros(n)
        mod.lu_factor(M, dinv, lu.pair_row, lu.pair_piv, lu.upd_start, lu.upd_col)
        B = rng.normal(size=(1, n))
        want = np.linalg.solve(A, B[0])
        mod.lu_solve(M, dinv, B, 0, lu.pivots, lu.pair_row, lu.pair_piv, lu.ustart, lu.ucol)
        np.testing.assert_allclose(B[0], want, rtol=1e-8, atol=1e-10)
    assert lu.nnz_lu < n * n / 4  # the plan stays sparse (fill-in is small)


def test_steady_states_match_the_reference(engines: tuple[BatchEngine, object]) -> None:
    batch, ref = engines
    model = mt.model()
    rows = [
        model.condition_inputs(c)
        for c in ({}, {"chronic_stress": 0.8}, {"high_fat_diet": 1, "bdnf_genotype": "met/met"})
    ]
    y, status = batch.steady_states(batch.parameter_matrix(rows))
    assert (status == 0).all()
    for b, params in enumerate(rows):
        want = _in_batch_order(batch, ref, ref.steady_state(params))  # type: ignore[attr-defined]
        np.testing.assert_allclose(y[b], want, rtol=1e-6, atol=1e-9)


def test_a_failing_patient_is_nan_and_does_not_stop_the_batch(
    engines: tuple[BatchEngine, object],
) -> None:
    batch, _ = engines
    name = next(
        p.id for p in mt.model().parameters.values() if p.id.startswith("k_") and p.value > 0
    )
    P = batch.parameter_matrix([{}, {name: float("nan")}])
    res = batch.simulate(P, t_end=24.0, n_points=3, selections=["depression_score"])
    assert res.status[0] == 0 and res.status[1] != 0
    assert np.isfinite(res.values[0]).all() and np.isnan(res.values[1]).all()
    assert list(res.failed()) == [1]


def test_bad_requests_are_clear_errors(engines: tuple[BatchEngine, object]) -> None:
    batch, _ = engines
    with pytest.raises(UnknownIdError):
        batch.parameter_matrix([{"no_such_parameter": 1.0}])
    with pytest.raises(UnknownIdError):
        batch.simulate(batch.parameter_matrix([{}]), t_end=1.0, selections=["no_such_readout"])
    with pytest.raises(MtorlabError, match="method must be one of"):
        BatchTolerances(method="euler")


def test_kernels_are_generated_once_per_model() -> None:
    first = BatchEngine(mt.model())
    second = BatchEngine(mt.model())
    assert first.compiled.module is second.compiled.module


def test_the_kernel_cache_keeps_the_most_recently_used(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """prune_cache removes the least recently used kernels with their Numba files, never
    the current one."""
    import os
    from pathlib import Path

    from mtorlab.engines._codegen import cache_dir, prune_cache

    monkeypatch.setenv("MTORLAB_CACHE", str(tmp_path))
    d = cache_dir()
    (d / "__pycache__").mkdir()
    for i in range(6):
        files = [d / f"kernels_k{i}.py", d / f"kernels_k{i}.npy",
                 d / "__pycache__" / f"kernels_k{i}.rhs-10.py311.nbi"]  # fmt: skip
        for f in files:
            f.write_text("x", encoding="utf-8")
            os.utime(f, (1000.0 + i, 1000.0 + i))  # k5 is the most recently used
    removed = prune_cache(keep=3, current="k0")
    assert sorted(removed) == ["k1", "k2"]
    left = sorted(Path(p).name.split(".")[0] for p in d.rglob("kernels_*"))
    assert left == sorted(["kernels_k0", "kernels_k3", "kernels_k4", "kernels_k5"] * 3)
