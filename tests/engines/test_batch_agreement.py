"""The batch engine agrees with the reference engine (libRoadRunner) on sampled patients.

100 virtual patients (the cohort sampler's parameter variability, seed 7) spread over the
example scenarios; every model readout (and every drug readout a scenario asks for) at
every reported time must lie within 1e-3 relative or 1e-6 absolute (a readout may declare
a larger absolute floor with its reason: ``anxiety_risk``, a ramp of the 5-HT excess) of
libRoadRunner at its reference tolerances, with the batch engine at its default (cohort)
tolerances.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mtorlab as mt
from mtorlab.cohort._population import sample_patient
from mtorlab.engines.batch import agree, agreement_floors
from mtorlab.errors import MtorlabError
from mtorlab.scenario import parameter_overrides

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
N_PATIENTS = 100


def _patients(k: int) -> list[tuple[int, dict[str, float]]]:
    """Patients of example ``k``: every len(EXAMPLES)-th of the 100."""
    return [
        (i, sample_patient(7, i, None).overrides())
        for i in range(N_PATIENTS)
        if i % len(EXAMPLES) == k
    ]


def within(a: np.ndarray, b: np.ndarray, outputs: list[str] | None = None) -> np.ndarray:
    """Element-wise: within 1e-3 relative or the outputs' absolute floors of ``b``."""
    floors = agreement_floors(mt.model(), outputs) if outputs else np.full(b.shape[-1], 1e-6)
    return agree(a, b, floors)


def test_there_are_enough_examples_for_100_patients() -> None:
    assert len(EXAMPLES) >= 10
    assert sum(len(_patients(k)) for k in range(len(EXAMPLES))) == N_PATIENTS


@pytest.mark.parametrize("k", range(len(EXAMPLES)), ids=[p.stem for p in EXAMPLES])
def test_batch_matches_reference(k: int) -> None:
    sc = mt.load_scenario(EXAMPLES[k])
    extra = [o for o in sc.outputs if ":" in o]
    outputs = [*mt.model().readout_ids_for(sc.species), *extra]
    patients = _patients(k)
    batch = mt.simulate_batch(sc, [row for _, row in patients], outputs=outputs)
    assert batch.values.shape[0] == len(patients)
    for b, (i, row) in enumerate(patients):
        try:
            with parameter_overrides(row):
                ref = mt.simulate(sc, outputs=outputs)
        except MtorlabError:
            assert batch.status[b] != 0, f"patient {i}: the reference fails, the batch does not"
            continue
        assert batch.status[b] == 0, f"patient {i}: batch status {batch.status[b]}"
        np.testing.assert_allclose(batch.times_h, ref["time_h"].to_numpy(), rtol=0, atol=1e-9)
        got = batch.values[b]
        want = ref[outputs].to_numpy()
        ok = within(got, want, outputs)
        if not ok.all():
            t, j = np.argwhere(~ok)[0]
            pytest.fail(
                f"{EXAMPLES[k].name}, patient {i}: {outputs[j]} at {batch.times_h[t]:g} h is "
                f"{got[t, j]:.6g}, reference {want[t, j]:.6g} ({(~ok).sum()} values off)"
            )


def test_the_check_can_fail() -> None:
    """The agreement criterion rejects a 0.2% error on a value of order one, and an
    absolute error over a readout's floor on a value near 0."""
    b = np.array([1.0, 0.5])
    assert not within(b * 1.002, b).all()
    assert within(b * 1.0005, b).all()
    near_zero = np.array([3e-4, 3e-4])
    outputs = ["anxiety_risk", "bdnf"]
    assert within(near_zero + 5e-6, near_zero, outputs).tolist() == [True, False]
    assert not within(near_zero + 2e-5, near_zero, outputs).any()


def test_only_ramp_readouts_declare_a_looser_floor() -> None:
    """A floor is for a readout that is a small difference (a ramp ``abs(x - x0)`` of a
    state): the engine finds those states, and every readout with a floor reads one."""
    from mtorlab.engines._codegen import threshold_states

    m = mt.model()
    floored = {r for r in m.readout_ids if m.readouts[r].abs_floor is not None}
    assert floored == {"anxiety_risk"}
    assert threshold_states(m) == {"serotonin": 1.0}
    assert "abs(serotonin - 1)" in m.assignments["anxiety_risk"].formula
