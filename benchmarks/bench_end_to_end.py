"""What a user waits for: cohort, trial and rank end to end, and the first use of a drug.

Run with ``.venv/bin/python benchmarks/bench_end_to_end.py [--n 1600] [--n-reference 200]``.

Every command runs as a user runs it, in a fresh process (``python -m mtorlab ...``) with
a scratch run store, side by side: the batch engine (the default) and ``--engine
reference`` (libRoadRunner) where the command has one. Times are wall seconds; the
reference cohort runs fewer patients (its cost is linear in N) and the ratio is per
patient. Then the first use of a drug combination: a user drug no process has seen (an
intervention-library file written here, so a new combination by construction) on a warm
core, and the same with an empty kernel cache (what a model change costs: the core is
generated and compiled once). The last line is the end-to-end cohort ratio per patient.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COHORT = """\
name: fluoxetine 28 days (benchmark)
species: human
duration: 28 d
condition: {chronic_stress: 0.8}
interventions:
  - drug: fluoxetine
    dose: 20 mg
    route: po
    schedule: {start: 0 h, every: 24 h, count: 28}
"""
PROFILE = "species: human\nmadrs: 32\n"
#: a drug no library has: a new drug combination, whatever ran before
USER_DRUG = """\
drugs:
  - id: bench_drug_{tag}
    kind: drug
    name_en: benchmark drug {tag}
    name_zh: benchmark drug {tag}
    kb_entity: ketamine
    routes: [po]
    pk:
      human:
        half_life: {{value: 3.0, unit: h, range: [2.0, 6.0],
                     provenance: &why {{kind: assumed, reason: "benchmark drug"}}}}
        volume: {{value: 3.0, unit: L/kg, range: [2.0, 6.0], provenance: *why}}
        absorption_half_life:
          po: {{value: 1.0, unit: h, range: [0.5, 2.0], provenance: *why}}
        bioavailability:
          po: {{value: 0.5, unit: dimensionless, range: [0.2, 0.8], provenance: *why}}
        brain_partition: {{value: 1.0, unit: dimensionless, range: [0.5, 2.0], provenance: *why}}
        brain_equilibration_half_life: {{value: 0.2, unit: h, range: [0.1, 0.5], provenance: *why}}
    targets:
      - input: nmdar_block
        site: brain
        ec50: {{value: 0.4, unit: mg/L, range: [0.2, 0.8], provenance: *why}}
        emax: 0.8
        hill: 1.0
        mechanisms: [m_ketamine_nmdar]
"""
USER_SCENARIO = """\
name: user drug with fluoxetine (benchmark)
species: human
duration: 7 d
condition: {{chronic_stress: 0.8}}
interventions:
  - drug: bench_drug_{tag}
    dose: 50 mg
    route: po
    schedule: {{start: 0 h, every: 24 h, count: 7}}
  - drug: fluoxetine
    dose: 20 mg
    route: po
    schedule: {{start: 0 h, every: 24 h, count: 7}}
"""


def run(args: list[str], env: dict[str, str], check: bool = True) -> float:
    """Wall seconds of ``python -m mtorlab ARGS`` in a fresh process (fails loudly; with
    ``check`` False, exit code 1 is a result: `claims` and `validate` report failed checks
    that way)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mtorlab", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")  # fmt: skip
    wall = time.perf_counter() - t0
    if proc.returncode not in ((0,) if check else (0, 1)):
        raise SystemExit(f"mtorlab {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1600, help="cohort patients (batch engine)")
    parser.add_argument("--n-reference", type=int, default=200,
                        help="cohort patients on the reference engine")  # fmt: skip
    parser.add_argument("--trial", default="examples/trials/ssri_vs_placebo_8w.yaml")
    a = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mtorlab-bench-"))
    env = {**os.environ, "MTORLAB_STORE": str(tmp / "store"), "PYTHONIOENCODING": "utf-8"}
    scen = tmp / "cohort.yaml"
    scen.write_text(COHORT, encoding="utf-8")
    profile = tmp / "profile.yaml"
    profile.write_text(PROFILE, encoding="utf-8")

    run(["cohort", str(scen), "--n", "20"], env)  # warm: the core's kernels compiled
    t_b = run(["cohort", str(scen), "--n", str(a.n)], env)
    t_r = run(["cohort", str(scen), "--n", str(a.n_reference), "--engine", "reference"], env)
    per_b, per_r = t_b / a.n, t_r / a.n_reference
    print(f"mtorlab cohort, 28 days of daily fluoxetine: batch {a.n} patients {t_b:.1f} s "
          f"({per_b * 1e3:.1f} ms/patient); reference {a.n_reference} patients {t_r:.1f} s "
          f"({per_r * 1e3:.1f} ms/patient)")  # fmt: skip
    t_trial = run(["trial", a.trial, "-o", str(tmp / "trial")], env)
    print(f"mtorlab trial {a.trial}: {t_trial:.1f} s (batch engine)")
    t_rank_b = run(["rank", "--profile", str(profile)], env)
    t_rank_r = run(["rank", "--profile", str(profile), "--engine", "reference"], env)
    print(f"mtorlab rank (default strategies, 50 patients, 14 days): batch {t_rank_b:.1f} s, "
          f"reference {t_rank_r:.1f} s ({t_rank_r / t_rank_b:.1f}x)")  # fmt: skip

    def first_use(tag: str, cache: str | None) -> float:
        lib = tmp / f"drug_{tag}.yaml"
        lib.write_text(USER_DRUG.format(tag=tag), encoding="utf-8")
        sc = tmp / f"user_{tag}.yaml"
        sc.write_text(USER_SCENARIO.format(tag=tag), encoding="utf-8")
        e = {**env, **({"MTORLAB_CACHE": cache} if cache else {})}
        return run(["cohort", str(sc), "--n", "20", "--library", str(lib)], e)

    t_new = first_use(f"w{os.getpid()}", None)
    t_cold = first_use(f"c{os.getpid()}", str(tmp / "empty-cache"))
    t_after = first_use(f"a{os.getpid()}", str(tmp / "empty-cache"))
    print(f"first cohort (20 patients) of a new drug combination, whole command: warm core "
          f"{t_new:.1f} s; empty kernel cache (a model change) {t_cold:.1f} s, then "
          f"{t_after:.1f} s for the next new drug")  # fmt: skip
    # the reference engine's compiled models (libRoadRunner states, engines/_rr_cache.py):
    # a scratch copy of the kernel cache without them, so the first run compiles every
    # model from its SBML and the next loads them
    from mtorlab.engines._codegen import cache_dir

    scratch = tmp / "rr-cache"
    shutil.copytree(cache_dir(), scratch / "batch", ignore=shutil.ignore_patterns("roadrunner"))
    e_rr = {**env, "MTORLAB_CACHE": str(scratch)}
    for label, args in (("claims", ["claims"]), ("validate", ["validate"]),
                        ("simulate", ["simulate", "examples/ketamine_single_dose_rat.yaml",
                                      "-o", str(tmp / "ket.csv")])):  # fmt: skip
        first, nxt = run(args, e_rr, check=False), run(args, e_rr, check=False)
        print(f"mtorlab {label}: {first:.1f} s compiling its models from SBML, {nxt:.1f} s "
              f"loading them compiled ({first / nxt:.1f}x)")  # fmt: skip
    print(f"end-to-end cohort ratio per patient, batch / reference: {per_r / per_b:.1f}x")


if __name__ == "__main__":
    main()
