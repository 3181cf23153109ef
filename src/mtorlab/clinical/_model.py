"""The clinical layer as arithmetic: placebo onset, individual draws, rated MADRS.

All of it is numpy on arrays, so one patient or thousands are the same call; the equations
and the reasons for them are in ``data/placebo.yaml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mtorlab.clinical._params import ClinicalParams

Nonspecific = Literal["placebo", "natural_course"]
MADRS_MIN, MADRS_MAX = 0.0, 60.0
HOURS_PER_WEEK = 168.0


def onset(t_h: np.ndarray | float, params: ClinicalParams) -> np.ndarray:
    """Fraction of the plateau reached ``t_h`` hours after the first trial visit:
    ``1 - exp(-(k t)^beta)`` with t in weeks (0 before the first visit)."""
    t = np.maximum(np.asarray(t_h, dtype=float), 0.0) / HOURS_PER_WEEK
    return 1.0 - np.exp(-np.power(params.onset_rate * t, params.shape))


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
    t_h: np.ndarray, baseline: float, params: ClinicalParams, nonspecific: Nonspecific
) -> np.ndarray:
    """The mean nonspecific improvement (MADRS points) of a patient with ``baseline`` over
    time: the population curve the published model describes (tests compare it)."""
    mean = (
        params.placebo_max_fraction if nonspecific == "placebo" else params.natural_course_fraction
    )
    return baseline * mean * onset(t_h, params)
