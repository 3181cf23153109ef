"""Virtual cohorts and precision ranking (issue 7; batch engine by default).

Subtypes, inter-individual variability and the depressed filter are data
(``data/subtypes.yaml``); default strategies are ``data/strategies.yaml``.
"""

from mtorlab.cohort._dataset import read_cohort
from mtorlab.cohort._population import (
    Patient,
    Population,
    load_population,
    sample_patient,
    subtype_names,
)
from mtorlab.cohort._rank import Profile, Strategy, load_profile, load_strategies, rank
from mtorlab.cohort._run import (
    READOUTS,
    CohortResult,
    CohortSpec,
    Summary,
    cohens_d,
    effect_sizes,
    run_chunk,
    run_cohort,
    simulate_patient,
    wilson,
)

__all__ = [
    "READOUTS",
    "CohortResult",
    "CohortSpec",
    "Patient",
    "Population",
    "Profile",
    "Strategy",
    "Summary",
    "cohens_d",
    "effect_sizes",
    "load_population",
    "load_profile",
    "load_strategies",
    "rank",
    "read_cohort",
    "run_chunk",
    "run_cohort",
    "sample_patient",
    "simulate_patient",
    "subtype_names",
    "wilson",
]
