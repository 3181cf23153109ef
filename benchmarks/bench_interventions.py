"""Benchmark: a 28-day scenario with daily dosing, through the Python API and the CLI.

Run with ``.venv/bin/python benchmarks/bench_interventions.py``. Measured side by side in
one run: the Python API (``mt.simulate``, warm: engine compiled, steady state cached),
the same scenario through the CLI end to end (a new process: imports, scenario
validation, PK assembly, JIT compilation, simulation, CSV, run-store record), and
``mtorlab --help`` start-up. Medians of several runs; the machine is noisy, so compare
ratios measured in the same run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = """\
name: bench-28-day-daily-dosing
species: human
duration: 28 d
condition: {chronic_stress: 0.8}
interventions:
  - drug: fluoxetine
    dose: 20 mg
    route: po
    schedule: {start: 0 d, every: 1 d, count: 28}
  - drug: esketamine
    dose: 56 mg
    route: intranasal
    schedule: {start: 0 d, every: 3.5 d, count: 8}
  - intervention: exercise
    dose: 30 min
    schedule: {start: 8 h, every: 1 d, count: 28}
"""


def median_time(fn: object, repeat: int) -> float:
    """Median wall time (s) of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Print the figures."""
    import mtorlab as mt

    tmp = Path(tempfile.mkdtemp())
    path = tmp / "bench.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    sc = mt.load_scenario(path)
    t0 = time.perf_counter()
    mt.simulate(sc)
    first = time.perf_counter() - t0
    api = median_time(lambda: mt.simulate(sc), 20)
    exe = [sys.executable, "-m", "mtorlab"]
    env_store = {"MTORLAB_STORE": str(tmp / "store")}
    import os

    env = {**os.environ, **env_store}

    def cli() -> None:
        cmd = [*exe, "simulate", str(path), "-o", str(tmp / "out.csv")]
        subprocess.run(cmd, check=True, capture_output=True, env=env)

    def helps() -> None:
        subprocess.run([*exe, "--help"], check=True, capture_output=True, env=env)

    cli_t = median_time(cli, 5)
    help_t = median_time(helps, 10)
    print("28-day scenario, daily fluoxetine + twice-weekly esketamine + daily exercise")
    print(f"  Python API, first call (compile + steady state): {first * 1e3:8.1f} ms")
    print(f"  Python API, warm (median of 20):                 {api * 1e3:8.1f} ms")
    print(f"  CLI end to end, new process (median of 5):       {cli_t * 1e3:8.1f} ms")
    print(f"  ratio CLI / warm API:                            {cli_t / api:8.1f}")
    print(f"  mtorlab --help (median of 10):                   {help_t * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
