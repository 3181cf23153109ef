"""The clinical layer over the mechanistic model, and virtual trials (issue 14).

A trial patient's rated MADRS is the mechanistic model's untreated course, plus the drug's
mechanistic effect (treated minus untreated), minus a nonspecific (placebo or natural-course)
improvement with between-patient spread, plus visit-to-visit rating noise, bounded to 0..60
(``data/placebo.yaml`` holds every number and its source). Trials are data
(:func:`load_trial`); :func:`run_trial` simulates one on the cohort machinery and
:func:`analyse` computes its endpoints.
"""

from mtorlab.clinical._analysis import TrialTables, analyse
from mtorlab.clinical._model import draw, nonspecific_curve, onset, rated
from mtorlab.clinical._params import ClinicalParams, clinical_params, parameter_table
from mtorlab.clinical._schema import Trial, load_trial, validate_trial
from mtorlab.clinical._simulate import TrialRun, run_trial
from mtorlab.clinical._validation import trial_frame

__all__ = [
    "ClinicalParams",
    "Trial",
    "TrialRun",
    "TrialTables",
    "analyse",
    "clinical_params",
    "draw",
    "load_trial",
    "nonspecific_curve",
    "onset",
    "parameter_table",
    "rated",
    "run_trial",
    "trial_frame",
    "validate_trial",
]
