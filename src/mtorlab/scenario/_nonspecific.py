"""A scenario's expected rating in a trial arm: the clinical layer's mean nonspecific course.

The mechanistic model's ``madrs`` holds what the model's biology does: an untreated patient
stays where they started and a drug's effect is all of the change. A patient rated in a
trial also improves for reasons the biology does not hold (expectancy, regression, natural
course). With ``nonspecific: placebo`` (any blinded arm, and open-label treatment) or
``nonspecific: natural_course`` (no treatment contact) a human scenario also reports

    madrs_expected(t) = clip(madrs(t) - madrs(0) * fraction * course(t), 0, 60)

with the clinical layer's mean fraction and course (``mtorlab/clinical/data/placebo.yaml``;
t = 0, the scenario's start, is the first trial visit): the slow onset, plus with
``placebo`` the acute expectancy after each of the scenario's supervised doses (iv or
intranasal). It is the expected value over the
between-patient spread of that fraction, without rating noise: the same addition a virtual
trial makes for each of its patients (:func:`mtorlab.clinical.rated`), for one patient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

#: The derived readout a scenario with ``nonspecific:`` reports.
EXPECTED = "madrs_expected"
#: Its model readout.
SOURCE = "madrs"
#: What a scenario that asks for it without ``nonspecific:`` is told.
NEEDS_NONSPECIFIC = f"{EXPECTED} needs `nonspecific: placebo` or `nonspecific: natural_course`"
UNIT = "MADRS points (0-60), with the mean nonspecific course"


def expected_madrs(
    times_h: np.ndarray, madrs: np.ndarray, nonspecific: str, sessions: Sequence[float] = ()
) -> np.ndarray:
    """``madrs_expected`` over ``times_h`` (last axis of ``madrs``: time; the first report
    time must be the scenario's start, whose value is the baseline); ``sessions``: hours of
    the supervised doses."""
    import numpy as np

    from mtorlab.clinical import clinical_params, nonspecific_curve
    from mtorlab.clinical._model import MADRS_MAX, MADRS_MIN

    t = np.asarray(times_h, dtype=float)
    if t.size == 0 or abs(t[0]) > 1e-9:
        raise MtorlabError(f"{EXPECTED} needs the scenario's start (t = 0) among the report times")
    m = np.asarray(madrs, dtype=float)
    baseline = m[..., :1]
    drop = nonspecific_curve(t, 1.0, clinical_params(), nonspecific, sessions)  # type: ignore[arg-type]
    return np.clip(m - baseline * drop, MADRS_MIN, MADRS_MAX)
