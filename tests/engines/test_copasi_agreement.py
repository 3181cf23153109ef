"""The exported SBML gives the same trajectories in libRoadRunner and COPASI (basico)."""

from __future__ import annotations

import libsbml
import numpy as np
import pandas as pd
import pytest

from mtorlab._api import model as get_model
from mtorlab.engines import RoadRunnerEngine
from mtorlab.io import build_document


def test_condition_switch_agrees_with_copasi() -> None:
    """From the healthy steady state, switch on chronic stress and inflammation for 72 h.

    A non-trivial course: fast phosphorylation, hours-scale cytokines and BDNF, days-scale
    spines all move. Every species agrees within rtol 1e-4 at every hour.
    """
    basico = pytest.importorskip("basico")
    model = get_model()
    doc = build_document(model)
    doc.getModel().getParameter("in_stress").setValue(1.0)
    doc.getModel().getParameter("in_inflammation").setValue(0.5)
    sbml = libsbml.writeSBMLToString(doc)

    engine = RoadRunnerEngine(sbml)
    ids = list(engine.species_ids)
    y0 = np.array([model.species[s].initial for s in ids])
    rr = engine.simulate({}, t_end=72.0, n_points=73, selections=ids, y0=y0)

    dm = basico.load_model_from_string(sbml)
    try:
        tc = basico.run_time_course(
            duration=72, intervals=72, model=dm, r_tol=1e-10, a_tol=1e-12,
            max_steps=1_000_000, use_sbml_id=True,
        )  # fmt: skip
    finally:
        basico.remove_datamodel(dm)
    cop = tc[ids].to_numpy()
    np.testing.assert_allclose(tc.index.to_numpy(), rr[:, 0], atol=1e-9)
    np.testing.assert_allclose(cop, rr[:, 1:], rtol=1e-4, atol=1e-9)
    start, end = rr[0, 1:], rr[-1, 1:]
    change = np.abs(end - start) / np.maximum(np.abs(start), 1e-12)  # species starting at 0
    moved = pd.Series(change, index=ids)
    assert (moved > 0.05).sum() >= 10  # the course is not trivial
