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


VARIABILITY_FIELDS = ("parameter", "low", "high", "lognormal_sigma", "why")


@dataclass(frozen=True)
class Variability:
    """One inter-individual parameter and the distribution of its multiplier.

    Log-uniform in [low, high] (``lognormal_sigma`` None), or log-normal with median 1,
    ``exp(lognormal_sigma * Z)`` for a standard normal Z; ``low``/``high`` are then the
    support, (0, inf).
    """

    parameter: str
    low: float
    high: float
    lognormal_sigma: float | None = None

    def draw(self, rng: np.random.Generator) -> float:
        """One multiplier from ``rng`` (one uniform or one standard-normal draw)."""
        if self.lognormal_sigma is not None:
            return float(np.exp(self.lognormal_sigma * rng.standard_normal()))
        return float(np.exp(rng.uniform(np.log(self.low), np.log(self.high))))


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


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _variability(v: Any, params: Any, source: str, where: str) -> Variability:
    """One entry of the variability block: log-uniform ``low``/``high`` or ``lognormal_sigma``."""
    if not isinstance(v, dict):
        raise DataFileError(source, "an entry is a mapping with parameter and a form", field=where)
    for key in v:
        if key not in VARIABILITY_FIELDS:
            raise DataFileError(
                source,
                f"unknown field {key!r}; allowed: {', '.join(VARIABILITY_FIELDS)} "
                "(a log-uniform entry has low and high, a log-normal one lognormal_sigma)",
                field=f"{where}.{key}",
            )
    if v.get("parameter") not in params:
        raise DataFileError(
            source, f"unknown parameter {v.get('parameter')!r}", field=f"{where}.parameter"
        )
    uniform = "low" in v or "high" in v
    if uniform and "lognormal_sigma" in v:
        raise DataFileError(
            source, "give either low and high or lognormal_sigma, not both", field=where
        )
    if "lognormal_sigma" in v:
        sigma = v["lognormal_sigma"]
        if not (_number(sigma) and sigma > 0):
            raise DataFileError(
                source, "lognormal_sigma must be a number > 0", field=f"{where}.lognormal_sigma"
            )
        return Variability(v["parameter"], 0.0, math.inf, float(sigma))
    if not uniform:
        raise DataFileError(
            source, "needs low and high (log-uniform) or lognormal_sigma (log-normal)", field=where
        )
    lo: Any = v.get("low")
    hi: Any = v.get("high")
    if not (_number(lo) and _number(hi) and 0 < lo <= hi):
        raise DataFileError(source, "need 0 < low <= high", field=where)
    return Variability(v["parameter"], float(lo), float(hi))


def _parse(data: Any, source: str) -> Population:
    import mtorlab as mt

    if not isinstance(data, dict):
        raise DataFileError(source, "expected a mapping with variability, depressed, subtypes")
    params = mt.model().parameters
    var = [
        _variability(v, params, source, f"variability[{i}]")
        for i, v in enumerate(data.get("variability", []))
    ]
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

    def parameters(self) -> dict[str, float]:
        """Every model parameter this patient changes: its condition's inputs and its
        between-person factors (a row for the batch engine)."""
        import mtorlab as mt
        from mtorlab.scenario import ConditionBlock

        inputs = mt.model().condition_inputs(ConditionBlock(**self.condition).as_inputs())
        return {**inputs, **self.overrides()}

    def overrides(self) -> dict[str, float]:
        """Model parameter values of this patient (reference value × multiplier)."""
        import mtorlab as mt

        params = mt.model().parameters
        return {k: params[k].value * m for k, m in self.multipliers.items()}


def sample_patient(
    seed: int, index: int, subtype: str | None, population: Population | None = None
) -> Patient:
    """Patient ``index`` of the cohort ``seed``: ``subtype`` None draws one per patient.

    ``subtype == "healthy"`` draws a control from the file's healthy block.
    ``population`` replaces the packaged subtype file (calibration tries trial widths).
    """
    pop = population if population is not None else load_population()
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
    # One draw per entry, in file order: entries appended at the end leave the draws
    # of the earlier ones (and so every existing patient's multipliers) unchanged.
    mult = {v.parameter: v.draw(rng) for v in pop.variability}
    return Patient(index, chosen, condition, mult)
