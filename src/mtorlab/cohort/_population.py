"""Virtual patients: subtypes as data, seeded sampling, the depressed filter.

Every patient ``i`` of a cohort with seed ``s`` draws from its own generator,
``numpy.random.default_rng([s, stream, i])`` (stream 1 for healthy controls), so a
patient is the same whichever chunk, worker or order it is simulated in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from mtorlab.errors import DataFileError, MtorlabError

SUBTYPES_FILE = "subtypes.yaml"
CONDITION_FIELDS = (
    "chronic_stress",
    "inflammation",
    "high_fat_diet",
    "bdnf_genotype",
    "oxidative_stress",
    "tbi",
)


@dataclass(frozen=True)
class Variability:
    """One inter-individual parameter: a log-uniform multiplier in [low, high]."""

    parameter: str
    low: float
    high: float


@dataclass(frozen=True)
class Population:
    """The subtype file: variability, filters and the subtypes' condition distributions."""

    variability: tuple[Variability, ...]
    depressed_readout: str
    depressed_min: float
    healthy: dict[str, Any]
    healthy_madrs_max: float
    subtypes: dict[str, dict[str, Any]]
    descriptions: dict[str, str]


def _check_dist(spec: Any, where: str, source: str) -> None:
    if isinstance(spec, dict):
        if "uniform" in spec:
            lo_hi = spec["uniform"]
            if not (isinstance(lo_hi, list) and len(lo_hi) == 2 and lo_hi[0] <= lo_hi[1]):
                raise DataFileError(
                    source, "uniform needs [low, high] with low <= high", field=where
                )
        elif "choice" in spec:
            p = spec.get("p")
            if p is not None and (len(p) != len(spec["choice"]) or not math.isclose(sum(p), 1)):
                raise DataFileError(source, "p must match choice and sum to 1", field=where)
        else:
            raise DataFileError(
                source, "a distribution is a constant, uniform or choice", field=where
            )


def _parse(data: Any, source: str) -> Population:
    import mtorlab as mt

    if not isinstance(data, dict):
        raise DataFileError(source, "expected a mapping with variability, depressed, subtypes")
    params = mt.model().parameters
    var = []
    for i, v in enumerate(data.get("variability", [])):
        if v["parameter"] not in params:
            raise DataFileError(
                source, f"unknown parameter {v['parameter']!r}", field=f"variability[{i}].parameter"
            )
        if not 0 < v["low"] <= v["high"]:
            raise DataFileError(source, "need 0 < low <= high", field=f"variability[{i}]")
        var.append(Variability(v["parameter"], float(v["low"]), float(v["high"])))
    subtypes: dict[str, dict[str, Any]] = {}
    descriptions: dict[str, str] = {}
    for name, sub in data["subtypes"].items():
        cond = dict(sub.get("condition", {}))
        for k, spec in cond.items():
            if k not in CONDITION_FIELDS:
                raise DataFileError(source, f"unknown condition field {k!r}", entry=name, field=k)
            _check_dist(spec, f"subtypes.{name}.condition.{k}", source)
        subtypes[name] = cond
        descriptions[name] = str(sub.get("description", ""))
    healthy = data["healthy"]
    return Population(
        variability=tuple(var),
        depressed_readout=str(data["depressed"]["readout"]),
        depressed_min=float(data["depressed"]["min"]),
        healthy=dict(healthy["condition"]),
        healthy_madrs_max=float(healthy["madrs_max"]),
        subtypes=subtypes,
        descriptions=descriptions,
    )


@cache
def load_population() -> Population:
    """The packaged subtype file."""
    import yaml

    text = resources.files("mtorlab.cohort").joinpath("data", SUBTYPES_FILE).read_text("utf-8")
    return _parse(yaml.safe_load(text), f"mtorlab/cohort/data/{SUBTYPES_FILE}")


def subtype_names() -> tuple[str, ...]:
    """The subtypes of the packaged file, in file order."""
    return tuple(load_population().subtypes)


def _draw(spec: Any, rng: np.random.Generator) -> Any:
    if isinstance(spec, dict) and "uniform" in spec:
        lo, hi = spec["uniform"]
        return float(rng.uniform(lo, hi))
    if isinstance(spec, dict) and "choice" in spec:
        values = spec["choice"]
        return values[int(rng.choice(len(values), p=spec.get("p")))]
    return spec


@dataclass(frozen=True)
class Patient:
    """One virtual patient: its subtype, condition block and parameter multipliers."""

    index: int
    subtype: str
    condition: dict[str, Any]
    multipliers: dict[str, float]

    def overrides(self) -> dict[str, float]:
        """Model parameter values of this patient (reference value × multiplier)."""
        import mtorlab as mt

        params = mt.model().parameters
        return {k: params[k].value * m for k, m in self.multipliers.items()}


def sample_patient(seed: int, index: int, subtype: str | None) -> Patient:
    """Patient ``index`` of the cohort ``seed``: ``subtype`` None draws one per patient.

    ``subtype == "healthy"`` draws a control from the file's healthy block.
    """
    pop = load_population()
    rng = np.random.default_rng([seed, int(subtype == "healthy"), index])
    names = tuple(pop.subtypes)
    if subtype is None:
        chosen = names[int(rng.integers(len(names)))]
    elif subtype == "healthy" or subtype in pop.subtypes:
        chosen = subtype
    else:
        raise MtorlabError(f"--subtype must be one of {', '.join(names)}, not {subtype!r}")
    specs = pop.healthy if chosen == "healthy" else pop.subtypes[chosen]
    condition = {k: _draw(specs[k], rng) for k in CONDITION_FIELDS if k in specs}
    mult = {
        v.parameter: float(np.exp(rng.uniform(np.log(v.low), np.log(v.high))))
        for v in pop.variability
    }
    return Patient(index, chosen, condition, mult)
