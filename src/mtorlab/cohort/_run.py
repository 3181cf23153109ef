"""Simulate virtual cohorts in chunks, in-process or on Dask, streaming to Parquet.

A chunk is a pure function of (cohort spec, first index, last index): patients draw
their own seeds (see ``_population``), so results never depend on chunking or scheduling.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mtorlab.cohort._dataset import (
    check_target,
    commit,
    discard,
    staging_folder,
    sweep,
)
from mtorlab.cohort._population import CONDITION_FIELDS, Patient, load_population, sample_patient
from mtorlab.errors import MtorlabError

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.scenario import Scenario

READOUTS = (
    "madrs",
    "serum_bdnf",
    "il6_plasma",
    "tnfa_brain",
    "anxiety_risk",
    "immunosuppression",
    "blood_glucose",
    "body_weight",
)
Z95 = 1.959963984540054
WINDOW = 32  # chunks in flight on a Dask cluster at once (keeps memory flat)


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (n may be an effective sample size)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def default_times(duration_h: float) -> tuple[float, ...]:
    """Whole days up to the end, and the end."""
    days = [24.0 * d for d in range(1, int(duration_h // 24) + 1)]
    return tuple(sorted({*days, float(duration_h)}))


def tcol(prefix: str, t_h: float) -> str:
    """Column name of a readout at a time, e.g. ``madrs_72h``."""
    return f"{prefix}_{t_h:g}h"


@dataclass(frozen=True)
class CohortSpec:
    """What to simulate: scenario (condition replaced per patient), seed, subtype, times."""

    scenario: Scenario
    seed: int = 1
    subtype: str | None = None
    times_h: tuple[float, ...] = ()
    engine: str = "batch"  # "batch" (compiled RODAS4, a chunk of patients per call) or "reference"

    def __post_init__(self) -> None:
        if self.engine not in ("batch", "reference"):
            raise MtorlabError(f"--engine must be 'batch' or 'reference', not {self.engine!r}")

    def times(self) -> tuple[float, ...]:
        """Report times in hours."""
        return self.times_h or default_times(self.scenario.duration_h)


def _with(scenario: Scenario, patient: Patient, treated: bool, baseline: bool = False) -> Scenario:
    from mtorlab.scenario import ConditionBlock

    update: dict[str, Any] = {"condition": ConditionBlock(**patient.condition)}
    if not treated:
        update["interventions"] = ()
    if baseline:
        from mtorlab.scenario import parse_quantity

        update.update(
            interventions=(),
            duration=parse_quantity("1 h", "time"),
            output_step=parse_quantity("1 h", "time"),
        )
    return scenario.model_copy(update=update)


def simulate_patient(spec: CohortSpec, patient: Patient) -> dict[str, Any]:
    """One row: the patient, its baseline, and (if kept) treated and untreated outcomes."""
    import mtorlab as mt
    from mtorlab.scenario import parameter_overrides

    pop = load_population()
    row = _empty_row(spec, patient)
    times = spec.times()
    try:
        with parameter_overrides(patient.overrides()):
            base = mt.simulate(_with(spec.scenario, patient, False, True), outputs=list(READOUTS))
            row.update({f"baseline_{r}": float(base[r].iloc[0]) for r in READOUTS})
            madrs0 = row["baseline_madrs"]
            if patient.subtype == "healthy":
                row["status"] = "healthy" if madrs0 <= pop.healthy_madrs_max else "not_healthy"
                return row
            if madrs0 < pop.depressed_min:
                row["status"] = "not_depressed"
                return row
            for treated, pre in ((True, ""), (False, "untreated_")):
                df = mt.simulate(_with(spec.scenario, patient, treated), outputs=list(READOUTS))
                values = df[list(READOUTS)].to_numpy(float)
                _arm_columns(row, pre, df["time_h"].to_numpy(), values, times)
    except MtorlabError:
        row["status"] = "failed"
        return row
    row["status"] = "kept"
    return row


def _empty_row(spec: CohortSpec, patient: Patient) -> dict[str, Any]:
    from mtorlab.scenario import ConditionBlock

    row: dict[str, Any] = {"patient": patient.index, "subtype": patient.subtype}
    full = ConditionBlock(**patient.condition).model_dump()
    row.update({f"cond_{k}": full[k] for k in CONDITION_FIELDS})
    row.update({f"mult_{k}": v for k, v in patient.multipliers.items()})
    times = spec.times()
    nan_cols = [f"baseline_{r}" for r in READOUTS]
    nan_cols += [tcol("madrs", t) for t in times] + [tcol("untreated_madrs", t) for t in times]
    nan_cols += [f"end_{r}" for r in READOUTS] + ["anxiety_peak", "immunosuppression_peak"]
    nan_cols += ["untreated_anxiety_peak", "untreated_immunosuppression_peak"]
    row.update(dict.fromkeys(nan_cols, math.nan))
    return row


def _interp_rows(t: np.ndarray, y: np.ndarray, at: tuple[float, ...]) -> np.ndarray:
    """``np.interp(at, t, y[b])`` for every row ``b`` at once (same formula, same clamping)."""
    x = np.asarray(at, dtype=float)
    if len(t) == 1:
        return np.repeat(y[:, :1], len(x), axis=1)
    j = np.clip(np.searchsorted(t, x, side="right") - 1, 0, len(t) - 2)
    x = np.clip(x, t[0], t[-1])
    with np.errstate(all="ignore"):
        slope = (y[:, j + 1] - y[:, j]) / (t[j + 1] - t[j])
        out = slope * (x - t[j]) + y[:, j]
    exact = x == t[j]  # np.interp returns the sample itself there (and at the last time)
    out[:, exact] = y[:, j[exact]]
    last = x == t[-1]
    out[:, last] = y[:, -1:]
    return out


def _arm_columns(
    row: dict[str, Any],
    pre: str,
    t: np.ndarray,
    values: np.ndarray,
    times: tuple[float, ...],
    madrs: np.ndarray | None = None,
) -> None:
    """Fill one arm's columns from its time course ``values[time, READOUTS]`` (``madrs``: its
    MADRS at ``times`` if already interpolated)."""
    col = {r: values[:, k] for k, r in enumerate(READOUTS)}
    if madrs is None:
        madrs = _interp_rows(t, col["madrs"][None], times)[0]
    row.update({tcol(f"{pre}madrs", th): v for th, v in zip(times, madrs.tolist(), strict=True)})
    row[f"{pre}anxiety_peak"] = float(np.max(col["anxiety_risk"]))
    row[f"{pre}immunosuppression_peak"] = float(np.max(col["immunosuppression"]))
    if not pre:
        row.update({f"end_{r}": float(col[r][-1]) for r in READOUTS})


def run_chunk_batch(spec: CohortSpec, start: int, stop: int) -> pd.DataFrame:
    """:func:`run_chunk` on the batch engine: the chunk's patients in one call per arm.

    The untreated arm (no interventions) starts each patient from its steady state, so
    its first row is the patient's baseline; the treated arm starts from the same state.
    Rows are identical in shape to the reference path's.
    """
    import pandas as pd

    import mtorlab as mt

    pop = load_population()
    patients = [sample_patient(spec.seed, i, spec.subtype) for i in range(start, stop)]
    params = [p.parameters() for p in patients]
    rows = [_empty_row(spec, p) for p in patients]
    untreated_sc = spec.scenario.model_copy(update={"interventions": ()})
    untreated = mt.simulate_batch(untreated_sc, params, outputs=list(READOUTS))
    depressed = []
    for b, (p, row) in enumerate(zip(patients, rows, strict=True)):
        if untreated.status[b] != 0:
            row["status"] = "failed"
            continue
        row.update(
            {f"baseline_{r}": float(untreated.values[b, 0, k]) for k, r in enumerate(READOUTS)}
        )
        madrs0 = row["baseline_madrs"]
        if p.subtype == "healthy":
            row["status"] = "healthy" if madrs0 <= pop.healthy_madrs_max else "not_healthy"
        elif madrs0 < pop.depressed_min:
            row["status"] = "not_depressed"
        else:
            depressed.append(b)
    if depressed:
        times = spec.times()
        # the treated arm's steady-state search starts at the untreated one
        treated = mt.simulate_batch(
            spec.scenario, [params[b] for b in depressed], outputs=list(READOUTS),
            warm_start=untreated.take(depressed),
        )  # fmt: skip
        k = READOUTS.index("madrs")
        madrs = _interp_rows(treated.times_h, treated.values[:, :, k], times)
        madrs_u = _interp_rows(untreated.times_h, untreated.values[depressed, :, k], times)
        for j, b in enumerate(depressed):
            row = rows[b]
            if treated.status[j] != 0:
                row["status"] = "failed"
                continue
            _arm_columns(row, "", treated.times_h, treated.values[j], times, madrs[j])
            _arm_columns(row, "untreated_", untreated.times_h, untreated.values[b], times,
                         madrs_u[j])  # fmt: skip
            row["status"] = "kept"
    return pd.DataFrame(rows)


def run_chunk(spec: CohortSpec, start: int, stop: int) -> pd.DataFrame:
    """Patients ``start`` to ``stop - 1`` as a table (one row each)."""
    import pandas as pd

    from mtorlab._api import reference_engine

    if spec.engine == "batch":
        return run_chunk_batch(spec, start, stop)
    rows = [
        simulate_patient(spec, sample_patient(spec.seed, i, spec.subtype))
        for i in range(start, stop)
    ]
    reference_engine()._steady.clear()  # patients never repeat: keep memory flat
    return pd.DataFrame(rows)


@dataclass
class _Moments:
    n: int = 0
    s: float = 0.0
    ss: float = 0.0

    def add(self, x: np.ndarray) -> None:
        x = x[np.isfinite(x)]
        self.n += len(x)
        self.s += float(x.sum())
        self.ss += float((x * x).sum())

    def mean_var(self) -> tuple[float, float]:
        if self.n < 2:
            return (math.nan, math.nan)
        m = self.s / self.n
        return (m, max(self.ss - self.n * m * m, 0.0) / (self.n - 1))


def cohens_d(a: _Moments, b: _Moments) -> float:
    """Cohen's d of group a vs group b (pooled standard deviation)."""
    (ma, va), (mb, vb) = a.mean_var(), b.mean_var()
    pooled = ((a.n - 1) * va + (b.n - 1) * vb) / (a.n + b.n - 2) if a.n + b.n > 2 else math.nan
    return (ma - mb) / math.sqrt(pooled) if pooled > 0 else math.nan


@dataclass
class Summary:
    """Streaming totals of a cohort: counts, response/remission, adverse peaks, moments."""

    times_h: tuple[float, ...]
    n_simulated: int = 0
    n_kept: int = 0
    n_failed: int = 0
    response: dict[str, list[int]] = field(default_factory=dict)
    remission: dict[str, list[int]] = field(default_factory=dict)
    adverse: dict[str, _Moments] = field(default_factory=dict)
    adverse_max: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, _Moments] = field(default_factory=dict)

    def add(self, df: pd.DataFrame) -> None:
        """Fold one chunk in."""
        self.n_simulated += len(df)
        self.n_failed += int((df["status"] == "failed").sum())
        kept = df[df["status"].isin(["kept", "healthy"])]
        self.n_kept += len(kept)
        for r in ("serum_bdnf", "il6_plasma", "madrs"):
            self.baseline.setdefault(r, _Moments()).add(kept[f"baseline_{r}"].to_numpy(float))
        kept = kept[kept["status"] == "kept"]
        m0 = kept["baseline_madrs"].to_numpy(float)
        for pre in ("", "untreated_"):
            resp = self.response.setdefault(pre, [0] * len(self.times_h))
            remi = self.remission.setdefault(pre, [0] * len(self.times_h))
            for j, t in enumerate(self.times_h):
                m = kept[tcol(f"{pre}madrs", t)].to_numpy(float)
                resp[j] += int((m <= 0.5 * m0).sum())
                remi[j] += int((m <= 10.0).sum())
            for a in ("anxiety_peak", "immunosuppression_peak"):
                x = kept[f"{pre}{a}"].to_numpy(float)
                self.adverse.setdefault(pre + a, _Moments()).add(x)
                if len(x):
                    prev = self.adverse_max.get(pre + a, -math.inf)
                    self.adverse_max[pre + a] = max(prev, float(np.nanmax(x)))

    def rates(self) -> pd.DataFrame:
        """Response and remission over time, treated and untreated, with 95% Wilson CIs."""
        import pandas as pd

        out = []
        n = self.n_kept
        for pre, arm in (("", "treated"), ("untreated_", "untreated")):
            for j, t in enumerate(self.times_h):
                for what, counts in (("response", self.response), ("remission", self.remission)):
                    k = counts.get(pre, [0] * len(self.times_h))[j]
                    lo, hi = wilson(k, n)
                    out.append(
                        {
                            "arm": arm,
                            "time_h": t,
                            "outcome": what,
                            "n": n,
                            "k": k,
                            "rate": k / n if n else math.nan,
                            "ci_low": lo,
                            "ci_high": hi,
                        }
                    )
        return pd.DataFrame(out)


@dataclass
class CohortResult:
    """A cohort's summary, and its table when it was kept in memory (no ``output``)."""

    summary: Summary
    table: pd.DataFrame | None
    output: Path | None


def _bounds(n: int, chunk: int) -> list[tuple[int, int]]:
    return [(a, min(a + chunk, n)) for a in range(0, n, chunk)]


#: batch-engine chunks in flight at once in this process (see ``_local``)
LOCAL_IN_FLIGHT = 2


def _local(spec: CohortSpec, bounds: list[tuple[int, int]]) -> Iterator[tuple[int, pd.DataFrame]]:
    """The chunks in this process, in order.

    On the batch engine, two chunks run at once on threads after the first: a chunk's
    integration runs on threads that release the GIL, and between its calls (sampling the
    patients, the Newton polish, building its rows) one core idled; the other chunk's
    integration now fills it. Each chunk is a pure function of its bounds, so the rows
    are the same. The first runs alone, so the models, engines and kernels every chunk
    uses are built once; the reference engine (libRoadRunner) runs one chunk at a time.
    """
    if spec.engine != "batch" or len(bounds) < 3:
        for k, (a, b) in enumerate(bounds):
            yield k, run_chunk(spec, a, b)
        return
    import contextvars
    from concurrent.futures import Future, ThreadPoolExecutor

    yield 0, run_chunk(spec, *bounds[0])
    with ThreadPoolExecutor(LOCAL_IN_FLIGHT, thread_name_prefix="mtorlab-chunk") as pool:
        pending: list[Future[pd.DataFrame]] = []
        todo = iter(range(1, len(bounds)))

        def submit() -> None:
            k = next(todo, None)
            if k is not None:  # the caller's context: parameter_overrides, numpy's errstate
                a, b = bounds[k]
                ctx = contextvars.copy_context()
                pending.append(pool.submit(ctx.run, run_chunk, spec, a, b))

        for _ in range(LOCAL_IN_FLIGHT):
            submit()
        k = 1
        try:
            while pending:
                df = pending.pop(0).result()
                submit()
                yield k, df
                k += 1
        finally:
            for fut in pending:  # a failed or abandoned run: start nothing more
                fut.cancel()


_SCHEDULER = re.compile(r"^(?:tcp|tls)://[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def check_scheduler(scheduler: str | None) -> None:
    """Refuse a ``--scheduler`` that is neither ``local`` nor ``tcp://HOST:PORT`` (or tls://).

    Dask unpickles what a scheduler sends, so only give the address of a scheduler you run
    (README: trust model).
    """
    if scheduler is None or scheduler == "local" or _SCHEDULER.match(scheduler):
        return
    raise MtorlabError(
        f"--scheduler {scheduler!r}: give 'local' or a Dask scheduler address such as "
        "tcp://127.0.0.1:8786"
    )


def _dask(
    spec: CohortSpec, bounds: list[tuple[int, int]], scheduler: str
) -> Iterator[tuple[int, pd.DataFrame]]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        todo = list(enumerate(bounds))[::-1]
        pending = as_completed()
        index: dict[Any, int] = {}

        def submit() -> None:
            k, (a, b) = todo.pop()
            fut = client.submit(run_chunk, spec, a, b, pure=False)
            index[fut.key] = k
            pending.add(fut)

        for _ in range(min(WINDOW, len(todo))):
            submit()
        for fut in pending:
            yield index.pop(fut.key), fut.result()
            fut.release()
            if todo:
                submit()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _preflight(spec: CohortSpec) -> tuple[str, ...]:
    """Plan the scenario once before any patient runs, so that a scenario error (an
    unknown drug, a dose after the end) stops the cohort with its message instead of
    marking every patient failed (issue 16: --engine reference gave exit 0 with NaN rates).
    Returns the plan's warnings (an anaesthetic dose, a formulation outside its species)."""
    from mtorlab._api import library, model
    from mtorlab.scenario._run import _prepare

    return _prepare(model(), spec.scenario, None, library())[0].warnings


def run_cohort(
    spec: CohortSpec,
    n: int,
    *,
    chunk_size: int = 100,
    output: str | Path | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
) -> CohortResult:
    """Simulate ``n`` sampled patients in chunks; stream them to a Parquet folder or keep them.

    ``scheduler``: None runs in this process, ``"local"`` on a local Dask cluster, and
    ``"tcp://HOST:8786"`` on that Dask scheduler. With ``output`` each chunk becomes
    ``part-NNNNNN.parquet`` there (patients sorted within a part; parts are chunk order),
    and nothing but the summary is held in memory. The folder is written beside the target
    and renamed into place with a completion marker only when every chunk is done, so a
    failed or killed run leaves any earlier dataset as it was; a folder that is not a
    complete cohort dataset is replaced only with ``force``.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    if n < 1 or chunk_size < 1:
        raise MtorlabError("--n and the chunk size must be at least 1")
    summary = Summary(spec.times())
    bounds = _bounds(n, chunk_size)
    out = Path(output) if output is not None else None
    check_scheduler(scheduler)
    _preflight(spec)
    tmp = None
    if out is not None:
        check_target(out, force)
        sweep(out)
        tmp = staging_folder(out)
    parts: dict[int, pd.DataFrame] = {}
    try:
        chunks = _local(spec, bounds) if scheduler is None else _dask(spec, bounds, scheduler)
        done = 0
        for k, df in chunks:
            summary.add(df)
            if tmp is not None:
                table_k = pa.Table.from_pandas(df, preserve_index=False)
                pq.write_table(table_k, tmp / f"part-{k:06d}.parquet")
            else:
                parts[k] = df
            done += len(df)
            if progress is not None:
                progress(done, n)
        if tmp is not None and out is not None:
            commit(tmp, out, n, len(bounds))
            tmp = None
    finally:
        if tmp is not None:
            discard(tmp)  # a failed run leaves nothing half-written
    table = None
    if out is None:
        table = pd.concat([parts[k] for k in sorted(parts)], ignore_index=True)
    return CohortResult(summary, table, out)


def effect_sizes(
    patients: Summary, seed: int, n: int, scheduler: str | None = None, engine: str = "batch"
) -> dict[str, float]:
    """Cohen's d of the kept patients' baseline serum_bdnf and il6_plasma vs healthy controls.

    The controls are ``n`` draws from the subtype file's ``healthy`` block (same
    inter-individual variability, baseline MADRS at most its ``madrs_max``). Reported
    against Molendijk 2014 (BDNF, d ≈ -0.7) and Haapakoski 2015 (IL-6, d ≈ 0.4-0.5).
    """
    import mtorlab as mt
    from mtorlab.scenario import validate_scenario

    sc = validate_scenario(
        {"name": "healthy-controls", "species": "human", "duration": "1 h"},
        "healthy controls",
        mt.model().readout_ids,
    )
    healthy = run_cohort(
        CohortSpec(sc, seed, "healthy", engine=engine), n, scheduler=scheduler
    ).summary
    return {
        r: cohens_d(patients.baseline[r], healthy.baseline[r]) for r in ("serum_bdnf", "il6_plasma")
    }
