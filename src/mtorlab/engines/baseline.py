"""Normalisation of the model to its healthy steady state.

Levels are normalised to 1 in the healthy state through ``baseline`` parameters (the healthy
steady-state value of an activity, e.g. ``mtorc1_neuron_ref``). This module finds those
values by fixed-point iteration and, with ``--write``, stores them and the healthy steady
state (species ``initial``) back into the model's YAML files::

    python -m mtorlab.engines.baseline            # report the drift
    python -m mtorlab.engines.baseline --write    # rewrite the data files in place
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from mtorlab.engines._roadrunner import RoadRunnerEngine
from mtorlab.ode import Model, load_model


def healthy_baseline(
    model: Model,
    engine: RoadRunnerEngine,
    *,
    tol: float = 1e-11,
    max_iter: int = 20,
    extra: Mapping[str, float] | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Baseline parameter values and the healthy steady state they give.

    ``extra`` are other parameter values in force (e.g. a calibration candidate); the
    baselines are then those of the model with those values.

    Returns
    -------
    refs, state
        ``{baseline parameter: value}`` and ``{species: healthy steady-state value}``.
    """
    ids = [p.id for p in model.parameters.values() if p.role == "baseline"]
    index = {s: i for i, s in enumerate(engine.species_ids)}
    pick = [index[model.parameters[pid].baseline_of or ""] for pid in ids]

    fixed = dict(extra or {})

    def residual(r: np.ndarray) -> np.ndarray:
        return engine.steady_state({**fixed, **dict(zip(ids, r, strict=True))})[pick] - r

    # Newton on  ss(refs)[baseline_of] = refs  (a fixed-point iteration converges too
    # slowly: the BDNF-mTORC1 loops make its contraction factor close to 1).
    r = np.array([model.parameters[pid].value for pid in ids], dtype=float)
    for _ in range(max_iter):
        f = residual(r)
        if np.max(np.abs(f)) < tol:
            break
        jac = np.empty((len(r), len(r)))
        for j in range(len(r)):
            h = 1e-6 * max(r[j], 1e-3)
            step = r.copy()
            step[j] += h
            jac[:, j] = (residual(step) - f) / h
        r = r - np.linalg.solve(jac, f)
    else:  # pragma: no cover
        raise RuntimeError("baseline normalisation did not converge")
    refs = {pid: float(v) for pid, v in zip(ids, r, strict=True)}
    y = engine.steady_state({**fixed, **refs})
    return refs, {s: float(v) for s, v in zip(engine.species_ids, y, strict=True)}


def _rewrite(path: Path, key: str, values: dict[str, float]) -> int:
    """Replace ``key: number`` on the one-line record of each id; return how many changed."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    done = 0
    for i, line in enumerate(lines):
        m = re.search(r"\{id: ([a-z0-9_]+),", line)
        if m and m.group(1) in values:
            new = re.sub(rf"\b{key}: [-+0-9.eE]+", f"{key}: {values[m.group(1)]:.12g}", line)
            done += new != line
            lines[i] = new
    path.write_text("".join(lines), encoding="utf-8")
    return done


def write_baseline(model: Model, refs: dict[str, float], state: dict[str, float]) -> int:
    """Write baseline values and healthy initial values into the model's YAML files."""
    changed = 0
    for path in sorted({Path(model.origin[k]) for k in refs}):
        changed += _rewrite(path, "value", refs)
    for path in sorted({Path(model.origin[k]) for k in state}):
        changed += _rewrite(path, "initial", state)
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: report drift from the stored baseline, optionally rewrite it."""
    from mtorlab.io import to_sbml

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the YAML data files")
    args = parser.parse_args(argv)
    model = load_model()
    engine = RoadRunnerEngine(to_sbml(model))
    refs, state = healthy_baseline(model, engine)
    stored = {
        **{k: model.parameters[k].value for k in refs},
        **{k: model.species[k].initial for k in state},
    }
    new = {**refs, **state}
    drift = max(abs(new[k] - stored[k]) for k in new)
    print(f"largest drift from the stored baseline: {drift:.3g}")
    if args.write:
        print(f"rewrote {write_baseline(model, refs, state)} values")
    return 0 if drift < 1e-6 or args.write else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
