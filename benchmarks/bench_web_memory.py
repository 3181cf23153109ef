"""Benchmark: the API's memory stays bounded under many scenarios with distinct user drugs.

Run with ``.venv/bin/python benchmarks/bench_web_memory.py [--requests 200]``.

Each request POSTs ``/api/simulate`` with a scenario whose ``drugs:`` block redefines the
built-in ketamine with a slightly different mouse half-life, so every request builds a new
extended model and a new libRoadRunner engine (issue 16: 60 such POSTs took the server from 366 to
971 MiB when both caches were unbounded). The script reports resident memory after a
warm-up of 10 requests and after all of them, and the growth; the goal is under +150 MiB
for 200 requests. Runs in-process through Starlette's TestClient (same code path as the
server, no network).
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from mtorlab.web import create_app

LIBRARY = Path(__file__).resolve().parents[1] / "src/mtorlab/interventions/data/library.yaml"


def rss_mib() -> float:
    """Current resident set size (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    drugs = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["drugs"]
    ketamine = next(d for d in drugs if d["id"] == "ketamine")
    base = {"name": "mem", "species": "mouse", "duration": "6 h", "drugs": [ketamine],
            "interventions": [{"drug": "ketamine", "dose": "10 mg/kg", "route": "ip", "at": "1 h"}],
            "outputs": ["mtorc1_neuron"]}  # fmt: skip
    client = TestClient(create_app())

    def post(i: int) -> None:
        sc = copy.deepcopy(base)
        sc["drugs"][0]["pk"]["mouse"]["half_life"]["value"] = 0.4 + i * 0.001
        resp = client.post("/api/simulate", json=sc)
        assert resp.status_code == 200, resp.text

    for i in range(10):
        post(i)
    warm = rss_mib()
    t0 = time.perf_counter()
    for i in range(10, args.requests):
        post(i)
    end = rss_mib()
    print(f"{args.requests} requests with distinct user drugs in {time.perf_counter() - t0:.0f} s")
    print(f"RSS after 10: {warm:.0f} MiB; after {args.requests}: {end:.0f} MiB; "
          f"growth {end - warm:+.0f} MiB (goal < +150 MiB)")  # fmt: skip


if __name__ == "__main__":
    main()
