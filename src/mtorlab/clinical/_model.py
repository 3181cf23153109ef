"""The clinical layer as arithmetic: placebo onset, individual draws, rated MADRS.

All of it is numpy on arrays, so one patient or thousands are the same call; the equations
and the reasons for them are in ``data/placebo.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mtorlab.clinical._params import ClinicalParams

Nonspecific = Literal["placebo", "natural_course"]
MADRS_MIN, MADRS_MAX = 0.0, 60.0
HOURS_PER_WEEK = 168.0
#: Routes whose doses are given in a supervised session (an infusion, or a nasal spray taken
#: in the clinic with observation afterwards): each is a treatment visit that raises
#: expectancy in every blinded arm of a trial (``data/placebo.yaml``, session_*).
SESSION_ROUTES = frozenset({"iv", "intranasal"})


def onset(t_h: np.ndarray | float, params: ClinicalParams) -> np.ndarray:
    """Fraction of the plateau reached ``t_h`` hours after the first trial visit:
    ``1 - exp(-(k t)^beta)`` with t in weeks (0 before the first visit)."""
    t = np.maximum(np.asarray(t_h, dtype=float), 0.0) / HOURS_PER_WEEK
    return 1.0 - np.exp(-np.power(params.onset_rate * t, params.shape))


def session_boost(
    t_h: np.ndarray | float, sessions: Sequence[float], params: ClinicalParams
) -> np.ndarray:
    """The acute expectancy of the latest supervised session, as a fraction of baseline:
    ``session_fraction * 2 ** (-(t - t_s) / session_half_life)`` for the session ``t_s`` that
    gives the largest value (0 up to and at the first, whose visit rating is pre-dose;
    sessions do not add up, so twice-weekly sessions keep it bounded by
    ``session_fraction``)."""
    t = np.asarray(t_h, dtype=float)
    out = np.zeros_like(t)
    for ts in sessions:
        since = t - float(ts)
        decay = np.exp2(-np.maximum(since, 0.0) / params.session_half_life)
        out = np.maximum(out, np.where(since > 0, decay, 0.0))
    return params.session_fraction * out


def course(
    t_h: np.ndarray | float,
    params: ClinicalParams,
    sessions: Sequence[float] = (),
    nonspecific: Nonspecific = "placebo",
) -> np.ndarray:
    """The nonspecific improvement per unit of the patient's placebo fraction. Without
    sessions (or without treatment contact) it is the slow ``onset``. In a blinded arm with
    supervised sessions it is ``max(onset, boost / placebo_max_fraction)``: a session brings
    the same nonspecific response forward (the patient reaches early what the slow course
    reaches later) rather than adding a second one, and a patient who responds more to
    placebo responds more to both."""
    slow = onset(t_h, params)
    if nonspecific != "placebo" or not len(sessions):
        return slow
    return np.maximum(slow, session_boost(t_h, sessions, params) / params.placebo_max_fraction)


@dataclass(frozen=True)
class Draw:
    """One patient's clinical-layer draws: the individual nonspecific fraction, one rating
    error per visit, and the week the patient drops out (``inf``: never)."""

    fraction: float
    noise: np.ndarray
    dropout_week: float


def draw(
    rng: np.random.Generator,
    n_visits: int,
    params: ClinicalParams,
    nonspecific: Nonspecific = "placebo",
    dropout_per_week: float = 0.0,
) -> Draw:
    """Draw a patient's layer from ``rng`` in a fixed order (fraction, visit errors, dropout),
    so adding visits at the end leaves the earlier draws unchanged.

    ``dropout_per_week`` is the probability of leaving within any one week (a constant hazard).
    """
    if nonspecific == "placebo":
        mean, sd = params.placebo_max_fraction, params.between_patient_sd
    else:
        mean, sd = params.natural_course_fraction, params.natural_course_sd
    fraction = float(mean + sd * rng.standard_normal())
    noise = params.rating_noise_sd * rng.standard_normal(n_visits)
    u = float(rng.uniform())
    hazard = -math.log1p(-dropout_per_week)  # per week
    week = -math.log1p(-u) / hazard if hazard > 0 else math.inf
    return Draw(fraction, noise, week)


def rated(
    untreated: np.ndarray,
    effect: np.ndarray,
    baseline: np.ndarray | float,
    fraction: np.ndarray | float,
    onset_at: np.ndarray,
    noise: np.ndarray,
) -> np.ndarray:
    """Rated MADRS: ``round(clip(untreated + effect - baseline * fraction * onset + noise))``.

    ``untreated`` and ``effect`` (treated minus untreated) come from the mechanistic model at
    the visits; ``baseline`` is the untreated model at t = 0; arrays broadcast (patients on the
    first axis, visits on the last).
    """
    base = np.asarray(baseline, dtype=float)
    frac = np.asarray(fraction, dtype=float)
    if base.ndim:
        base = base[..., None]
    if frac.ndim:
        frac = frac[..., None]
    raw = untreated + effect - base * frac * onset_at + noise
    return np.rint(np.clip(raw, MADRS_MIN, MADRS_MAX))


def nonspecific_curve(
    t_h: np.ndarray,
    baseline: float,
    params: ClinicalParams,
    nonspecific: Nonspecific,
    sessions: Sequence[float] = (),
) -> np.ndarray:
    """The mean nonspecific improvement (MADRS points) of a patient with ``baseline`` over
    time (supervised sessions at ``sessions`` hours): the population curve of the layer."""
    mean = (
        params.placebo_max_fraction if nonspecific == "placebo" else params.natural_course_fraction
    )
    return baseline * mean * course(t_h, params, sessions, nonspecific)


def session_times(entries: Iterable[object], offset_h: float = 0.0) -> list[float]:
    """Hours of every supervised-route dose among scenario interventions (``SESSION_ROUTES``),
    shifted by ``offset_h``; other entries (oral drugs, placebo records) are skipped."""
    from mtorlab.scenario._schema import Intervention

    out: set[float] = set()
    for e in entries:
        if not isinstance(e, Intervention) or e.route not in SESSION_ROUTES:
            continue
        out.update(offset_h + float(x) for x in e.dose_times())
    return sorted(out)
