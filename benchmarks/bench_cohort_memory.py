"""Benchmark: peak memory of a virtual cohort streamed to Parquet stays flat as N grows.

Run with ``.venv/bin/python benchmarks/bench_cohort_memory.py [--n 1000 4000 16000]
[--chunk 100] [--no-memory-mode]``.

Each cohort size N runs in a fresh child process (``--one N``), so every peak resident
set size (``ru_maxrss``) belongs to that N alone. The child first runs a warm-up cohort
of a few patients (loads the model and the compiled batch-engine kernels; the first use
on a machine compiles them, ~15-20 s, cached on disk afterwards), notes its peak RSS,
then runs ``run_cohort(CohortSpec(scenario, seed=1), N, chunk_size=..., output=tmp)``
into a temporary folder and reports wall time, peak RSS, the growth of the peak over
the warm-up peak, and the Parquet size on disk. A priming child runs first, so kernel
compilation (if the disk cache is cold) never lands in a measured child.

Workload: a small human scenario (2 days, readouts every day, one 0.5 mg/kg iv
esketamine infusion at 1 h), so per-patient cost is low and the fixed cost (Python,
NumPy, pandas, the model, the kernels) dominates the RSS.

"Flat" means the peak RSS does not grow with N: the ratio of peak RSS at the largest N
to that at the smallest N is ~1.0, and the least-squares slopes of peak RSS (and of its
growth over the warm-up) against N are ~0 MiB per 10,000 patients, because only one
chunk's table, the streaming summary and the Parquet writer are ever held. For contrast,
the in-memory mode (no output folder: the whole table is kept and returned) is run once
at the largest N; it holds ~0.3 KiB per patient with this scenario, so its RSS grows with
N, though by only a few MiB at these sizes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCENARIO: dict[str, Any] = {
    "name": "bench-cohort-memory",
    "species": "human",
    "duration": "2 d",
    "output_step": "1 d",
    "interventions": [
        {"drug": "esketamine", "dose": "0.5 mg/kg", "route": "iv", "at": "1 h", "over": "40 min"}
    ],
}
WARMUP_N = 20
MIB = 1024.0 * 1024.0


def peak_rss_mib() -> float:
    """Peak resident set size of this process, MiB (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024.0


def one(n: int, chunk: int, mode: str) -> dict[str, Any]:
    """Child side: warm up, run one cohort of ``n`` patients, measure it."""
    import mtorlab as mt
    from mtorlab.cohort import CohortSpec, run_cohort
    from mtorlab.scenario import validate_scenario

    sc = validate_scenario(SCENARIO, "bench_cohort_memory", mt.model().readout_ids)
    spec = CohortSpec(sc, seed=1)
    run_cohort(spec, WARMUP_N, chunk_size=min(chunk, WARMUP_N))
    warm_rss = peak_rss_mib()
    with tempfile.TemporaryDirectory(prefix="bench-cohort-memory-") as tmp:
        out = Path(tmp) / "cohort" if mode == "parquet" else None
        t0 = time.perf_counter()
        res = run_cohort(spec, n, chunk_size=chunk, output=out)
        wall = time.perf_counter() - t0
        rss = peak_rss_mib()
        parts = sorted(out.glob("part-*.parquet")) if out is not None else []
        disk = sum(p.stat().st_size for p in parts) / MIB
        table = (
            float(res.table.memory_usage(deep=True).sum()) / MIB if res.table is not None else 0.0
        )
    return {
        "n": n,
        "mode": mode,
        "wall_s": wall,
        "peak_rss_mib": rss,
        "warm_rss_mib": warm_rss,
        "parquet_mib": disk,
        "parts": len(parts),
        "table_mib": table,
        "n_kept": res.summary.n_kept,
        "n_simulated": res.summary.n_simulated,
    }


def spawn(n: int, chunk: int, mode: str) -> dict[str, Any]:
    """Parent side: run :func:`one` in a fresh interpreter and read its JSON line."""
    cmd = [sys.executable, __file__, "--one", str(n), "--chunk", str(chunk), "--mode", mode]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"child for N={n} ({mode}) failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys against xs (0 with fewer than two distinct xs)."""
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def main(argv: list[str] | None = None) -> None:
    """Parse options; run one child (``--one``) or the whole table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 4000, 16000], help="cohort sizes")
    ap.add_argument("--chunk", type=int, default=100, help="patients per chunk / Parquet part")
    ap.add_argument("--no-memory-mode", action="store_true", help="skip the in-memory contrast")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument(
        "--mode", choices=["parquet", "memory"], default="parquet", help=argparse.SUPPRESS
    )
    args = ap.parse_args(argv)

    if args.one is not None:
        print(json.dumps(one(args.one, args.chunk, args.mode)), flush=True)
        return

    ns = sorted(set(args.n))
    print(f"cohort memory: chunk_size={args.chunk}, warm-up {WARMUP_N} patients, streamed")
    print(f"{SCENARIO['duration']} human scenario, one iv esketamine infusion; one process per N")
    spawn(WARMUP_N, args.chunk, "parquet")  # compiles the kernels into the disk cache if needed
    print()
    head = (
        f"{'N':>8} {'wall s':>8} {'µs/patient':>11} {'peak RSS MiB':>13} {'warm-up MiB':>12} "
        f"{'growth MiB':>11} {'Parquet MiB':>12} {'parts':>6} {'kept':>7}"
    )
    print(head)
    print("-" * len(head))
    rows = []
    for n in ns:
        r = spawn(n, args.chunk, "parquet")
        rows.append(r)
        print(
            f"{n:>8} {r['wall_s']:>8.2f} {1e6 * r['wall_s'] / n:>11.0f} "
            f"{r['peak_rss_mib']:>13.1f} {r['warm_rss_mib']:>12.1f} "
            f"{r['peak_rss_mib'] - r['warm_rss_mib']:>+11.1f} "
            f"{r['parquet_mib']:>12.2f} {r['parts']:>6} {r['n_kept']:>7}",
            flush=True,
        )
    print()
    first, last = rows[0], rows[-1]
    xs = [float(r["n"]) for r in rows]
    ratio = last["peak_rss_mib"] / first["peak_rss_mib"]
    per_10k = 1e4 * slope(xs, [r["peak_rss_mib"] for r in rows])
    growth_10k = 1e4 * slope(xs, [r["peak_rss_mib"] - r["warm_rss_mib"] for r in rows])
    print(f"peak RSS ratio N={last['n']} / N={first['n']}: {ratio:.3f}  (flat ~ 1.0)")
    print(f"peak RSS slope: {per_10k:+.2f} MiB per 10,000 patients  (flat ~ 0)")
    print(f"growth slope:   {growth_10k:+.2f} MiB per 10,000 patients  (flat ~ 0)")
    warm = [r["warm_rss_mib"] for r in rows]
    if max(warm) - min(warm) > 10.0:
        print(
            "note: the warm-up peaks differ by more than 10 MiB (kernels compiled in some "
            "child?); the growth column is the fairer comparison"
        )

    if not args.no_memory_mode:
        m = spawn(last["n"], args.chunk, "memory")
        print()
        print(f"contrast, in-memory mode (no output folder) at N={m['n']}:")
        print(
            f"  wall {m['wall_s']:.2f} s, peak RSS {m['peak_rss_mib']:.1f} MiB "
            f"({m['peak_rss_mib'] - m['warm_rss_mib']:+.1f} after warm-up; streamed: "
            f"{last['peak_rss_mib']:.1f} MiB), table held in memory {m['table_mib']:.1f} MiB"
        )


if __name__ == "__main__":
    main()
