"""Benchmark: the web server — page load, a 28-day simulation round trip, and load.

Run by hand (not part of ``make test``)::

    .venv/bin/python benchmarks/bench_web.py [--seconds 30] [--clients 20]

It starts ``mtorlab serve`` in its own process on a free loopback port, then measures:

1. page load: the HTML and every static file over HTTP, and (where Debian's Chromium is
   installed) the time until the page is interactive in a real browser;
2. a 28-day simulation through ``POST /api/simulate``: the first request for a condition
   (the engine computes and caches that condition's steady state) and the median of
   repeated requests;
3. ``--clients`` threads posting 28-day simulations for ``--seconds`` seconds: requests,
   errors, throughput and p50/p95/max latency.

Traffic goes to 127.0.0.1 only; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover - older stacks
    import httpx  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
STATIC = ["app.js", "app.css", "i18n.js", "map.js", "runs.js", "scenario.js", "claims.js"]
VENDOR = ["vendor/cytoscape.min.js", "vendor/plotly-basic.min.js"]


def scenario(stress: float) -> dict[str, Any]:
    return {
        "name": "bench-28d",
        "species": "human",
        "duration": "28 d",
        "condition": {"chronic_stress": stress},
        "interventions": [
            {
                "drug": "fluoxetine",
                "dose": "20 mg",
                "route": "po",
                "schedule": {"start": "0 d", "every": "1 d", "count": 28},
            }
        ],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("mtorlab")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


def page_load(base: str) -> None:
    with httpx.Client(base_url=base) as c:
        t0 = time.perf_counter()
        size = len(c.get("/").content)
        for f in STATIC + VENDOR:
            size += len(c.get(f"/static/{f}").content)
        for api in ("/api/kb/graph", "/api/readouts", "/api/interventions", "/api/claims"):
            size += len(c.get(api).content)
        dt = time.perf_counter() - t0
    print(
        f"page over HTTP (HTML, static, first API calls): {dt * 1000:.0f} ms, {size / 1e6:.2f} MB"
    )
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        print("browser page load: skipped (/usr/bin/chromium missing)")
        return
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args)
        times = []
        for _ in range(3):
            page = browser.new_page()
            t0 = time.perf_counter()
            page.goto(base + "/")
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            times.append(time.perf_counter() - t0)
            page.close()
        browser.close()
    print(f"browser page load to interactive (median of 3): {statistics.median(times):.2f} s")


def round_trip(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as c:
        t0 = time.perf_counter()
        r = c.post("/api/simulate", json=scenario(0.8))
        first = time.perf_counter() - t0
        r.raise_for_status()
        times = []
        for _ in range(10):
            t0 = time.perf_counter()
            c.post("/api/simulate", json=scenario(0.8)).raise_for_status()
            times.append(time.perf_counter() - t0)
    rows = len(r.json()["time_h"])
    print(
        f"28-day simulate round trip ({rows} time points, all readouts): first for this "
        f"condition {first:.3f} s, then median {statistics.median(times) * 1000:.1f} ms"
    )


def load(base: str, clients: int, seconds: float) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        body = scenario(0.8)
        with httpx.Client(base_url=base, timeout=60) as c:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    r = c.post("/api/simulate", json=body)
                    ok = r.status_code == 200
                    err = "" if ok else f"HTTP {r.status_code}: {r.text[:80]}"
                except httpx.HTTPError as exc:
                    err = type(exc).__name__
                dt = time.perf_counter() - t0
                with lock:
                    (errors.append(err) if err else latencies.append(dt))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    n = len(latencies) + len(errors)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    print(
        f"load: {clients} clients x {seconds:g} s: {n} requests, {len(errors)} errors, "
        f"{n / wall:.1f} req/s, p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
        f"max {max(latencies, default=float('nan')) * 1000:.0f} ms"
    )
    for e in sorted(set(errors))[:5]:
        print(f"  error: {e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=20)
    args = ap.parse_args()
    port = free_port()
    proc = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        page_load(base)
        round_trip(base)
        load(base, args.clients, args.seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
