"""Rank treatment strategies for one patient profile over a conditioned virtual population.

Conditioning is importance weighting. The population is ``n`` depressed virtual patients
drawn from all subtypes (categorical profile facts, genotype, high-fat diet or BMI >= 30,
TBI, fix the matching condition fields for every draw). Each patient ``i`` gets weight

    w_i = exp(-1/2 * sum_k ((y_ik - y_k) / h_k)^2)

over the profile's measured readouts ``k`` (MADRS, serum BDNF, plasma IL-6), with
``y_ik`` the patient's baseline readout and ``h_k`` the kernel bandwidth of ``BANDWIDTH``
(a measurement-error scale). Prior SSRI non-response multiplies the weight of patients
whom the model has responding to fluoxetine at the horizon by ``SSRI_RESPONDER_WEIGHT``.
A strategy's expected response is the weighted mean of response indicators; its 95%
interval is Wilson's with the Kish effective sample size (sum w)^2 / sum w^2.

Each strategy is explained by the mechanistic readouts (behavioural scores and adverse
indices left out) whose weighted mean relative change against the untreated arm at the
horizon is largest in size, each with one or two knowledge-base mechanisms (the step
that sets the readout in the model's trace, and the strategy's entry point upstream of
it) and their evidence (review section and reference numbers, or the paper cited).

Arms run on the batch engine (all patients of an arm in one call) by default, or patient
by patient on the reference engine (``engine="reference"``); both give the same table up
to solver tolerance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mtorlab.cohort._population import Patient, load_population, sample_patient
from mtorlab.cohort._run import READOUTS, wilson
from mtorlab.errors import DataFileError, MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.interventions import Drug
    from mtorlab.kb import KnowledgeBase
    from mtorlab.kb._schema import Mechanism
    from mtorlab.ode import Model
    from mtorlab.scenario import Scenario

BANDWIDTH = {"madrs": 5.0, "serum_bdnf": 0.05, "il6_plasma": 0.5}
SSRI_RESPONDER_WEIGHT = 0.1
PROFILE_READOUT = {"madrs": "madrs", "serum_bdnf": "serum_bdnf", "il6": "il6_plasma"}
ENGINES = ("batch", "reference")
SSRI_ARM = "\0ssri"  # the prior-SSRI check's arm (no strategy id can be this)
#: Readouts left out of the explanation: behavioural scores (what is being explained) and
#: the adverse indices (their own columns; 0 untreated, so no relative change).
NOT_MECHANISTIC = frozenset(
    {
        "madrs",
        "depression_score",
        "sucrose_preference",
        "fst_immobility",
        "anxiety_risk",
        "immunosuppression",
    }
)
TOP_READOUTS = 3
REL_FLOOR = 1e-9  # |untreated| below this: relative change undefined, patient skipped


class Profile(BaseModel):
    """A patient profile (``species: human``); every field but species is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    species: Literal["human"] = "human"
    madrs: float | None = Field(default=None, ge=0, le=60)
    serum_bdnf: float | None = Field(default=None, gt=0, description="1 = healthy mean")
    il6: float | None = Field(default=None, gt=0, description="plasma IL-6, 1 = healthy mean")
    bdnf_genotype: Literal["val/val", "val/met", "met/met", "bdnf_het"] | None = None
    high_fat_diet: bool | None = None
    bmi: float | None = Field(default=None, gt=10, lt=80)
    tbi: bool | None = None
    prior_ssri_nonresponse: bool = False

    def fixed_condition(self) -> dict[str, Any]:
        """Condition fields the profile fixes for every virtual patient."""
        fixed: dict[str, Any] = {}
        if self.bdnf_genotype is not None:
            fixed["bdnf_genotype"] = self.bdnf_genotype
        hfd = self.high_fat_diet
        if hfd is None and self.bmi is not None:
            hfd = self.bmi >= 30
        if hfd is not None:
            fixed["high_fat_diet"] = hfd
        if self.tbi is not None:
            fixed["tbi"] = self.tbi
        return fixed

    def measured(self) -> dict[str, float]:
        """Measured readouts (model readout id → value)."""
        return {
            PROFILE_READOUT[k]: float(v)
            for k in PROFILE_READOUT
            if (v := getattr(self, k)) is not None
        }


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile YAML; a bad field gives one line naming it."""
    from mtorlab._yaml import read_yaml

    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(str(path), "a profile is a mapping (species, madrs, serum_bdnf, ...)")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        fld = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(Profile.model_fields)
            msg = f"unknown field; allowed: {allowed}"
        raise DataFileError(str(path), f"{msg} (got {err.get('input')!r})", field=fld) from None


@dataclass(frozen=True)
class Strategy:
    """A candidate treatment: an id, a description and scenario interventions."""

    id: str
    description: str
    interventions: tuple[dict[str, Any], ...]


def _parse_strategies(data: Any, source: str) -> tuple[Strategy, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("strategies"), list):
        raise DataFileError(source, "expected `strategies:` with a list of entries")
    out = []
    for i, s in enumerate(data["strategies"]):
        if not isinstance(s, dict) or "id" not in s or "interventions" not in s:
            raise DataFileError(source, "each strategy needs id and interventions", entry=str(i))
        out.append(Strategy(str(s["id"]), str(s.get("description", "")), tuple(s["interventions"])))
    return tuple(out)


@cache
def _default_strategies() -> tuple[Strategy, ...]:
    import yaml

    text = resources.files("mtorlab.cohort").joinpath("data", "strategies.yaml").read_text("utf-8")
    return _parse_strategies(yaml.safe_load(text), "mtorlab/cohort/data/strategies.yaml")


def load_strategies(path: str | Path | None = None) -> tuple[Strategy, ...]:
    """The default strategies, or those of a file in the same format."""
    if path is None:
        return _default_strategies()
    from mtorlab._yaml import read_yaml

    return _parse_strategies(read_yaml(path), str(path))


def _clip(iv: dict[str, Any], horizon_h: float) -> dict[str, Any] | None:
    """The intervention with doses after the horizon dropped (None: nothing left)."""
    from mtorlab.scenario import parse_quantity

    iv = dict(iv)
    if "schedule" in iv:
        sch = dict(iv["schedule"])
        start = parse_quantity(sch["start"], "time").value
        every = parse_quantity(sch["every"], "time").value
        count = min(int(sch["count"]), math.floor((horizon_h - start) / every - 1e-9) + 1)
        if count < 1:
            return None
        sch["count"] = count
        iv["schedule"] = sch
    elif parse_quantity(iv["at"], "time").value >= horizon_h:
        return None
    return iv


def strategy_scenario(strategy: Strategy, horizon_h: float, step_h: float) -> Scenario:
    """The strategy as a human scenario up to the horizon (condition set per patient)."""
    import mtorlab as mt
    from mtorlab.scenario import validate_scenario

    ivs = [c for iv in strategy.interventions if (c := _clip(iv, horizon_h)) is not None]
    data = {
        "name": f"strategy-{strategy.id}",
        "species": "human",
        "duration": f"{horizon_h} h",
        "output_step": f"{step_h} h",
        "interventions": ivs,
    }
    return validate_scenario(data, f"strategy {strategy.id!r}", mt.model().readout_ids)


def _population(profile: Profile, n: int, seed: int) -> list[Patient]:
    fixed = profile.fixed_condition()
    out = []
    for i in range(n):
        p = sample_patient(seed, i, None)
        out.append(Patient(p.index, p.subtype, {**p.condition, **fixed}, p.multipliers))
    return out


def _run(sc: Scenario, patient: Patient, outputs: list[str]) -> pd.DataFrame | None:
    """One patient on the reference engine (None: the simulation failed)."""
    import mtorlab as mt
    from mtorlab.scenario import ConditionBlock, parameter_overrides

    with parameter_overrides(patient.overrides()):
        try:
            return mt.simulate(
                sc.model_copy(update={"condition": ConditionBlock(**patient.condition)}),
                outputs=outputs,
            )
        except MtorlabError:
            return None


@dataclass
class _Runs:
    """Time courses ``[patient, time, readout]`` of the untreated arm and of every arm.

    ``arms`` hold the depressed patients only (``depressed`` indexes them); a failed
    simulation is a False in the matching ``ok`` mask (its values are NaN).
    """

    base: np.ndarray
    base_ok: np.ndarray
    depressed: list[int]
    arms: dict[str, tuple[np.ndarray, np.ndarray]]


def _simulate_batch(
    patients: list[Patient],
    base_sc: Scenario,
    arms: dict[str, Scenario],
    outputs: list[str],
    tick: Callable[[int], None],
) -> _Runs:
    """Every arm for all patients at once on the batch engine (one call per arm)."""
    import mtorlab as mt

    rows = [p.parameters() for p in patients]
    shape = (base_sc.n_points(), len(outputs))

    def run(sc: Scenario, idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
        if not idx:
            return np.empty((0, *shape)), np.zeros(0, bool)
        try:
            res = mt.simulate_batch(sc, [rows[i] for i in idx], outputs=outputs)
        except MtorlabError:  # e.g. a strategy the human PK cannot give: all fail
            return np.full((len(idx), *shape), math.nan), np.zeros(len(idx), bool)
        return res.values, res.status == 0

    base, base_ok = run(base_sc, list(range(len(patients))))
    depressed = _depressed(base, base_ok, outputs)
    tick(len(patients) + (len(patients) - len(depressed)) * len(arms))
    out = {}
    for key, sc in arms.items():
        out[key] = run(sc, depressed)
        tick(len(depressed))
    return _Runs(base, base_ok, depressed, out)


def _simulate_reference(
    patients: list[Patient],
    base_sc: Scenario,
    arms: dict[str, Scenario],
    outputs: list[str],
    tick: Callable[[int], None],
) -> _Runs:
    """Every arm patient by patient on the reference engine (libRoadRunner)."""
    from mtorlab._api import reference_engine

    shape = (base_sc.n_points(), len(outputs))
    base = np.full((len(patients), *shape), math.nan)
    base_ok = np.zeros(len(patients), bool)
    values = {k: np.full((len(patients), *shape), math.nan) for k in arms}
    ok = {k: np.zeros(len(patients), bool) for k in arms}
    depressed: list[int] = []
    for i, p in enumerate(patients):
        df = _run(base_sc, p, outputs)
        if df is not None:
            base[i], base_ok[i] = df[outputs].to_numpy(float), True
        if _depressed(base[i : i + 1], base_ok[i : i + 1], outputs):
            depressed.append(i)
            tick(1)
            for key, sc in arms.items():
                df = _run(sc, p, outputs)
                if df is not None:
                    values[key][i], ok[key][i] = df[outputs].to_numpy(float), True
                tick(1)
        else:
            tick(1 + len(arms))
        reference_engine()._steady.clear()  # patients never repeat: keep memory flat
    arm_runs = {k: (values[k][depressed], ok[k][depressed]) for k in arms}
    return _Runs(base, base_ok, depressed, arm_runs)


def _depressed(base: np.ndarray, ok: np.ndarray, outputs: list[str]) -> list[int]:
    """Patients whose simulation ran and whose baseline MADRS is in the depressed range."""
    k = outputs.index("madrs")
    cut = load_population().depressed_min
    return [i for i in range(len(base)) if ok[i] and not float(base[i, 0, k]) < cut]


def _entity_kind(kb: KnowledgeBase, entity: str) -> str:
    e = kb.entities.get(entity)
    return e.kind.value if e is not None else ""


def _evidence_summary(m: Mechanism) -> dict[str, Any]:
    """Where a mechanism's evidence comes from: review sections and references, or papers."""
    review = [e for e in m.evidence if e.source == "review"]
    if review:
        sections = list(dict.fromkeys(str(e.section) for e in review))
        refs = sorted({r for e in review for r in e.refs})
        text = "review " + ", ".join(f"§{x}" if x[:1].isdigit() else x for x in sections)
        if refs:
            text += f" [{', '.join(map(str, refs))}]"
        return {"source": "review", "sections": sections, "refs": refs, "text": text}
    cites = [str(e.citation) for e in m.evidence if e.citation]
    short = []
    for c in cites:  # "Wong DT, Bymaster FP, Engleman EA 1995, Life Sci …" → "Wong DT et al. 1995"
        found = re.match(r"^(.*?)\s*\b((?:19|20)\d{2}[a-z]?)\b", c)
        if found is None:
            short.append(c)
            continue
        authors = [a for a in found.group(1).split(",") if a.strip()]
        first = authors[0].strip() if authors else ""
        more = " et al." if len(authors) > 1 else ""
        short.append(f"{first}{more} {found.group(2)}".strip())
    return {"source": "literature", "citations": cites, "text": "; ".join(short)}


def _upstream_step(model: Model, steps: list[tuple[str, tuple[str, ...]]], name: str) -> int:
    """Index of the nearest trace step whose rate law or rule uses ``name`` (-1: none)."""
    from mtorlab.ode._formula import symbols

    for j, (element, _) in enumerate(steps):
        if element in model.assignments:
            formula = model.assignments[element].formula
        else:
            formula = model.reactions[element].rate
        if name in symbols(formula):
            return j
    return -1


def _strategy_drugs(strategy: Strategy) -> list[Drug]:
    from mtorlab._api import library

    lib = library()
    out = []
    for iv in strategy.interventions:
        name = iv.get("drug", iv.get("intervention"))
        if name is None:
            continue
        try:
            out.append(lib.get(str(name)))
        except MtorlabError:  # a drug the scenario defines itself: no library targets
            continue
    return out


def _mechanisms_for(readout: str, strategy: Strategy) -> list[str]:
    """One or two knowledge-base mechanisms that explain a readout's change under a strategy.

    The mechanism nearest the readout in the model's trace (the step that sets it),
    skipping steps of other drugs, interventions or conditions: the one the strategy's
    entry point acts through if the readout's own step has it (e.g. SERT → serotonin
    under fluoxetine), else the first with review evidence. Then the strategy's entry point
    upstream of the readout (a drug target's mechanism, or a trace step the strategy's
    entity drives), the one nearest the readout.
    """
    import mtorlab as mt

    kb, model = mt.knowledge_base(), mt.model()
    steps = model.trace(readout)
    drugs = _strategy_drugs(strategy)
    own_entities = {d.kb_entity for d in drugs if d.kb_entity} | {d.id for d in drugs}
    entries: list[tuple[int, int, str]] = []  # (trace step, order, mechanism)
    for j, (_, mids) in enumerate(steps):
        for m in mids:
            if m in kb.mechanisms and kb.mechanisms[m].subject in own_entities:
                entries.append((j, len(entries), m))
    for d in drugs:
        for t in d.targets:
            j = _upstream_step(model, steps, t.input)
            if j >= 0:
                entries.extend((j, len(entries), m) for m in t.mechanisms if m in kb.mechanisms)
    entry = min(entries)[2] if entries else None

    def usable(m: str) -> bool:
        return (
            m in kb.mechanisms
            and _entity_kind(kb, kb.mechanisms[m].subject)
            not in ("drug", "intervention", "condition")
            and kb.mechanisms[m].type.value != "complex_formation"
        )

    candidates = list(dict.fromkeys(m for _, mids in steps for m in mids if usable(m)))
    nearest = [m for m in (steps[0][1] if steps else ()) if usable(m)]
    target = kb.mechanisms[entry].object if entry is not None else None
    via_entry = [
        m for m in nearest if target not in (None, readout) and kb.mechanisms[m].subject == target
    ]
    reviewed = [
        m for m in candidates if any(e.source == "review" for e in kb.mechanisms[m].evidence)
    ]
    picked = (via_entry or reviewed or candidates)[:1]
    if entry is not None and entry not in picked:
        picked.append(entry)
    return picked


def format_change(x: float) -> str:
    """A relative change as a signed percentage, e.g. ``+35%``, ``-4.2%``, ``+0.12%``."""
    pct = 100.0 * x
    if abs(pct) >= 10:
        return f"{pct:+.0f}%"
    if abs(pct) >= 1:
        return f"{pct:+.1f}%"
    return f"{pct:+.2g}%"


def _explain(strategy: Strategy, changes: dict[str, float]) -> list[dict[str, Any]]:
    """The top readouts by absolute weighted relative change, with their evidence."""
    import mtorlab as mt

    kb = mt.knowledge_base()
    ranked = sorted(
        ((r, c) for r, c in changes.items() if math.isfinite(c)),
        key=lambda rc: (-abs(rc[1]), rc[0]),
    )
    out = []
    for r, c in ranked[:TOP_READOUTS]:
        mechs = []
        for mid in _mechanisms_for(r, strategy):
            m = kb.mechanisms[mid]
            mechs.append(
                {
                    "id": mid,
                    "subject": m.subject,
                    "object": m.object,
                    "sign": m.sign.value,
                    "evidence": _evidence_summary(m),
                }
            )
        out.append({"readout": r, "change": c, "mechanisms": mechs})
    return out


def explanation_text(items: list[dict[str, Any]]) -> str:
    """One line: ``bdnf +35% (m_…: review §2.4 [30], m_…: review §3.1 [30]); …``."""
    parts = []
    for it in items:
        ev = ", ".join(f"{m['id']}: {m['evidence']['text']}" for m in it["mechanisms"])
        parts.append(f"{it['readout']} {format_change(it['change'])}" + (f" ({ev})" if ev else ""))
    return "; ".join(parts)


def rank(
    profile: Profile,
    *,
    strategies: tuple[Strategy, ...] | None = None,
    n: int = 50,
    horizon_h: float = 14 * 24.0,
    seed: int = 1,
    step_h: float = 24.0,
    progress: Any = None,
    engine: str = "batch",
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Strategies ranked by weighted expected response at the horizon.

    Returns the table (strategy, expected response and remission with 95% intervals,
    weighted mean MADRS change, adverse peaks, and ``explanation``: the mechanistic
    readouts that differ most from the untreated arm at the horizon, with knowledge-base
    mechanisms and their evidence) and facts about the weighting (patients kept,
    effective sample size). The explanations as data (readout, weighted mean relative
    change, mechanisms with evidence) are in ``table.attrs["explanations"]`` by strategy.

    ``engine``: ``"batch"`` (compiled Rodas, every patient of an arm in one call) or
    ``"reference"`` (libRoadRunner, one patient at a time); they agree to solver tolerance.
    """
    import pandas as pd

    import mtorlab as mt

    if engine not in ENGINES:
        raise MtorlabError(f"--engine must be 'batch' or 'reference', not {engine!r}")
    strats = strategies if strategies is not None else load_strategies()
    patients = _population(profile, n, seed)
    base_sc = strategy_scenario(Strategy("untreated", "", ()), horizon_h, step_h)
    scenarios = {s.id: strategy_scenario(s, horizon_h, step_h) for s in strats}
    by_id = {s.id: s for s in strats}
    need_ssri = profile.prior_ssri_nonresponse
    arms = dict(scenarios)
    if need_ssri:
        arms[SSRI_ARM] = strategy_scenario(
            Strategy(
                "ssri",
                "",
                (
                    {
                        "drug": "fluoxetine",
                        "dose": "20 mg",
                        "route": "po",
                        "schedule": {"start": "0 d", "every": "1 d", "count": 60},
                    },
                ),
            ),
            horizon_h,
            step_h,
        )
    outputs = list(dict.fromkeys([*READOUTS, *mt.model().readout_ids]))
    col = {r: k for k, r in enumerate(outputs)}
    mech = [k for k, r in enumerate(outputs) if r not in NOT_MECHANISTIC]
    total = len(patients) * (1 + len(arms))
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, total)

    simulate = _simulate_batch if engine == "batch" else _simulate_reference
    runs = simulate(patients, base_sc, arms, outputs, tick)
    measured = profile.measured()
    weights: list[float] = []
    rows: list[dict[str, Any]] = []
    rel: dict[str, list[tuple[float, np.ndarray]]] = {sid: [] for sid in scenarios}
    for j, i in enumerate(runs.depressed):
        base = runs.base[i]
        m0 = float(base[0, col["madrs"]])
        w = math.exp(
            -0.5
            * sum(((float(base[0, col[k]]) - v) / BANDWIDTH[k]) ** 2 for k, v in measured.items())
        )
        if need_ssri:
            s_vals, s_ok = runs.arms[SSRI_ARM]
            if s_ok[j] and float(s_vals[j, -1, col["madrs"]]) <= 0.5 * m0:
                w *= SSRI_RESPONDER_WEIGHT
        for sid in scenarios:
            vals, ok = runs.arms[sid]
            if not ok[j]:
                continue
            df = vals[j]
            end = float(df[-1, col["madrs"]])
            rows.append(
                {
                    "patient": patients[i].index,
                    "strategy": sid,
                    "w": w,
                    "response": end <= 0.5 * m0,
                    "remission": end <= 10.0,
                    "madrs_change": end - m0,
                    "anxiety_peak": float(df[:, col["anxiety_risk"]].max()),
                    "immunosuppression_peak": float(df[:, col["immunosuppression"]].max()),
                }
            )
            rel[sid].append((w, _relative_change(df[-1, mech], base[-1, mech])))
        weights.append(w)
    wts = np.array(weights)
    facts = {
        "n_sampled": float(len(patients)),
        "n_depressed": float(len(wts)),
        "ess": float(wts.sum() ** 2 / (wts**2).sum()) if wts.sum() > 0 else 0.0,
    }
    if not rows or wts.sum() <= 0:
        raise MtorlabError("no virtual patient matches the profile; relax it or raise --n")
    data = pd.DataFrame(rows)
    out = []
    explanations: dict[str, list[dict[str, Any]]] = {}
    for sid in scenarios:
        d = data[data["strategy"] == sid]
        w = d["w"].to_numpy(float)
        sw = w.sum()
        if sw <= 0:
            continue
        ess = sw**2 / (w**2).sum()
        rec: dict[str, Any] = {"strategy": sid, "ess": ess}
        for what in ("response", "remission"):
            p_hat = float((w * d[what].to_numpy(float)).sum() / sw)
            lo, hi = wilson(p_hat * ess, ess)
            rec.update({what: p_hat, f"{what}_low": lo, f"{what}_high": hi})
        for c in ("madrs_change", "anxiety_peak", "immunosuppression_peak"):
            rec[c] = float((w * d[c].to_numpy(float)).sum() / sw)
        changes = _weighted_changes(rel[sid], [outputs[k] for k in mech])
        explanations[sid] = _explain(by_id[sid], changes)
        rec["explanation"] = explanation_text(explanations[sid])
        out.append(rec)
    table = pd.DataFrame(out).sort_values(
        ["response", "madrs_change", "strategy"], ascending=[False, True, True], ignore_index=True
    )
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs["explanations"] = {sid: explanations[sid] for sid in table["strategy"]}
    return table, facts


def _relative_change(treated: np.ndarray, untreated: np.ndarray) -> np.ndarray:
    """(treated - untreated) / |untreated|, NaN where the untreated value is (nearly) 0."""
    den = np.abs(untreated)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > REL_FLOOR, (treated - untreated) / den, math.nan)


def _weighted_changes(
    items: list[tuple[float, np.ndarray]], readouts: list[str]
) -> dict[str, float]:
    """Importance-weighted mean relative change per readout (patients with a value)."""
    if not items:
        return {}
    w = np.array([x[0] for x in items])[:, None]
    r = np.vstack([x[1] for x in items])
    have = np.isfinite(r)
    sw = (w * have).sum(axis=0)
    num = (w * np.where(have, r, 0.0)).sum(axis=0)
    return {ro: float(num[k] / sw[k]) for k, ro in enumerate(readouts) if sw[k] > 0}
