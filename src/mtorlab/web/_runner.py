"""Simulations off the event loop: one worker thread, a bounded queue, cancellable jobs.

The reference engine is one libRoadRunner instance, which is not thread-safe, and
threads give no speed-up on it (PRODUCT.md, engine notes), so one worker runs every
simulation in turn while the server keeps answering other requests. A job holds up to
four scenarios; cancelling it drops its queued scenarios and stops the running one. A
synchronous request that times out stops its simulation too (between integration
segments, i.e. between doses), so a 504 frees the worker for the requests behind it.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mtorlab._cancel import cancellable, check_cancelled
from mtorlab.errors import Cancelled, MtorlabError
from mtorlab.web._errors import ApiError, error_body, simulation_error

if TYPE_CHECKING:
    import pandas as pd

    from mtorlab.scenario import Scenario

SimulateFn = Callable[["Scenario"], "pd.DataFrame"]

MAX_QUEUE = 64
MAX_JOBS_KEPT = 64
#: Result values (time points x readouts, all scenarios) one job may produce, and all kept
#: jobs together: finished jobs are dropped oldest first beyond it (8 large jobs once held
#: 870 MiB). A float in a JSON-ready list costs about 32 bytes, so this is about 64 MiB.
MAX_KEPT_VALUES = 2_000_000


def expected_values(scenarios: list[Scenario], n_readouts: int) -> int:
    """Result values a job will hold: points x (time + readouts), summed over scenarios."""
    return sum(
        sc.n_points() * ((1 + len(sc.outputs)) if sc.outputs else n_readouts) for sc in scenarios
    )


def _values(job: Job) -> int:
    return sum(len(r["time_h"]) * (1 + len(r["columns"])) for r in job.results)


def frame_json(frame: pd.DataFrame, scenario: Scenario) -> dict[str, Any]:
    """A result table as JSON: ``time_h``, ``columns``, one array per readout, each
    readout's ``units`` and the scenario's ``doses`` (time in hours, drug, dose as written,
    route, infusion length), for the plot's axes and dose markers, and the run's
    ``warnings`` (an anaesthetic dose, a formulation outside its measured species), shown
    under the run in the dashboard's list (``warnings_zh``: the same in Chinese).

    Values that are not finite become ``null`` (JSON has no NaN).
    """
    from mtorlab._api import model
    from mtorlab._bilingual import chinese
    from mtorlab.scenario._extension import extended_model
    from mtorlab.scenario._run import dose_list, readout_unit

    def clean(values: list[float]) -> list[float | None]:
        return [v if math.isfinite(v) else None for v in values]

    columns = [c for c in frame.columns if c != "time_h"]
    warnings = list(frame.attrs.get("warnings", []))
    m = extended_model(model(), scenario.extensions)  # its extensions' readouts have units
    return {
        "name": scenario.name,
        "species": scenario.species,
        "time_h": clean(frame["time_h"].astype(float).round(9).tolist()),
        "columns": columns,
        "values": {c: clean(frame[c].astype(float).tolist()) for c in columns},
        "units": {c: readout_unit(m, c) for c in columns},
        "doses": dose_list(scenario),
        "warnings": [str(w) for w in warnings],
        "warnings_zh": [chinese(w) for w in warnings],
    }


@dataclass
class Job:
    """A batch of scenarios run in turn, with progress and a cancel flag."""

    id: str
    scenarios: list[Scenario]
    status: str = "queued"  # queued | running | done | failed | cancelled
    done: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    created: float = field(default_factory=time.monotonic)
    cancel: threading.Event = field(default_factory=threading.Event)
    future: Future[None] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The job's state as JSON (results only once it is done)."""
        return {
            "id": self.id,
            "status": self.status,
            "progress": {"done": self.done, "total": len(self.scenarios)},
            "names": [s.name for s in self.scenarios],
            "error": self.error,
            "results": self.results if self.status == "done" else None,
        }


class Runner:
    """The simulation worker and the job table of one app."""

    def __init__(self, simulate: SimulateFn) -> None:
        self._simulate = simulate
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pending = 0
        self._jobs: OrderedDict[str, Job] = OrderedDict()

    def _worker(self) -> ThreadPoolExecutor:
        """The one worker thread (started on first use, again after a shutdown: an app
        whose lifespan runs twice, as under test clients, keeps working)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mtorlab-sim")
            return self._pool

    def _admit(self) -> None:
        with self._lock:
            if self._pending >= MAX_QUEUE:
                raise ApiError(503, "the simulation queue is full; try again shortly")
            self._pending += 1

    def _release(self, _: object = None) -> None:
        with self._lock:
            self._pending -= 1

    def submit(
        self, scenario: Scenario, cancel: threading.Event | None = None
    ) -> Future[dict[str, Any]]:
        """Queue one simulation; the future gives :func:`frame_json`'s result.

        Setting ``cancel`` stops the simulation between integration segments (raising
        :class:`~mtorlab.errors.Cancelled`), so a caller that gave up frees the worker.
        """
        self._admit()
        event = cancel or threading.Event()

        def work() -> dict[str, Any]:
            with cancellable(event):
                check_cancelled()  # given up while it waited in the queue
                return frame_json(self._simulate(scenario), scenario)

        fut = self._worker().submit(work)
        fut.add_done_callback(self._release)
        return fut

    def warm_up(self, scenario: Scenario) -> None:
        """Run one short simulation in the background (loads and compiles the engine)."""
        fut = self.submit(scenario)
        fut.add_done_callback(lambda f: f.exception())  # errors here are not the user's

    # jobs
    def start_job(self, scenarios: list[Scenario]) -> Job:
        """Queue a job of up to four scenarios (refused when its results would be too big)."""
        from mtorlab._api import model

        size = expected_values(scenarios, 1 + len(model().readout_ids))
        if size > MAX_KEPT_VALUES:
            raise ApiError(
                413,
                f"the job would return {size:,} values, more than {MAX_KEPT_VALUES:,}; ask for "
                "fewer outputs, a coarser output_step or fewer scenarios",
                "scenarios",
            )
        self._admit()
        job = Job(uuid.uuid4().hex[:12], scenarios)
        with self._lock:
            self._jobs[job.id] = job
            self._evict()
        job.future = self._worker().submit(self._run_job, job)
        job.future.add_done_callback(self._release)
        return job

    def _evict(self) -> None:
        finished = [j for j in self._jobs.values() if j.status not in ("queued", "running")]
        total = sum(_values(j) for j in self._jobs.values())
        while (len(self._jobs) > MAX_JOBS_KEPT or total > MAX_KEPT_VALUES) and finished:
            gone = self._jobs.pop(finished.pop(0).id, None)
            total -= _values(gone) if gone is not None else 0

    def _run_job(self, job: Job) -> None:
        job.status = "running"
        try:
            for sc in job.scenarios:
                if job.cancel.is_set():
                    job.status = "cancelled"
                    return
                with cancellable(job.cancel):  # a cancel stops the running scenario too
                    job.results.append(frame_json(self._simulate(sc), sc))
                job.done += 1
        except Cancelled:
            job.status = "cancelled"
            return
        except MtorlabError as exc:
            err = simulation_error(exc)
            field = f"scenarios[{job.done}]" + (f".{err.field}" if err.field else "")
            job.error, job.status = error_body(err.error, field), "failed"
            return
        except Exception as exc:  # the job reports it; the worker must survive
            job.error = error_body(f"internal error ({type(exc).__name__})")
            job.status = "failed"
            return
        job.status = "cancelled" if job.cancel.is_set() else "done"
        with self._lock:
            self._evict()  # keep the results of all kept jobs within MAX_KEPT_VALUES

    def job(self, job_id: str) -> Job:
        """The job with ``job_id`` (404 when unknown or evicted)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"unknown job {job_id[:40]!r}", "job_id")
        return job

    def cancel(self, job_id: str) -> Job:
        """Cancel a job: drop it if still queued, stop its running scenario if running."""
        job = self.job(job_id)
        job.cancel.set()
        if job.future is not None and job.future.cancel():
            job.status = "cancelled"
        return job

    def shutdown(self) -> None:
        """Stop the worker (queued work is dropped)."""
        for job in list(self._jobs.values()):
            job.cancel.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
