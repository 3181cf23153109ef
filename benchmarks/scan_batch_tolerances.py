"""How close the batch engine comes to the agreement bar at each tolerance (issue 17).

Run with ``.venv/bin/python benchmarks/scan_batch_tolerances.py [RTOL,ATOL[,ATOL_DOSE] ...]``
(default: the old defaults 1e-6,1e-10, then 1e-4,1e-8, 1e-3,1e-8 and 3e-3,1e-8).

The patients and scenarios are those of ``tests/engines/test_batch_agreement.py`` (100
patients of the cohort sampler, seed 7, spread over the 13 example scenarios); the
reference is libRoadRunner at its reference tolerances. For each tolerance it prints the
accepted RODAS4 steps over all patients and, for the six worst readouts, the largest error
as a fraction of the bar (1e-3 relative or the readout's absolute floor): a fraction over
1 fails the agreement test.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
DEFAULT = ["1e-6,1e-10", "1e-4,1e-8", "1e-3,1e-8", "3e-3,1e-8"]


def _engines(cache: dict[tuple[int, tuple[float, ...]], Any], tol: tuple[float, ...]) -> Any:
    """An ``engine_for`` giving each model a batch engine at ``tol`` that counts its steps."""
    from mtorlab.engines.batch import BatchEngine, BatchTolerances

    class Counting(BatchEngine):
        steps = 0

        def simulate(self, *a: Any, **kw: Any) -> Any:
            res = super().simulate(*a, **kw)
            self.steps += int(res.steps[:, 0].sum())
            return res

    def engine_for(m: Any) -> Any:
        key = (id(m), tol)
        if key not in cache:
            extra = {"atol_dose": tol[2]} if len(tol) > 2 else {}
            cache[key] = Counting(m, tolerances=BatchTolerances(rtol=tol[0], atol=tol[1], **extra))
        return cache[key]

    return engine_for


def main() -> None:
    """Print the scan."""
    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.cohort._population import sample_patient
    from mtorlab.engines.batch import agreement_floors
    from mtorlab.errors import MtorlabError
    from mtorlab.scenario import parameter_overrides, run_scenario_batch

    tols = [tuple(float(v) for v in arg.split(",")) for arg in (sys.argv[1:] or DEFAULT)]
    worst: dict[tuple[float, ...], dict[str, tuple[float, str]]] = {t: {} for t in tols}
    steps = dict.fromkeys(tols, 0)
    engines: dict[tuple[int, tuple[float, ...]], Any] = {}
    for k, path in enumerate(EXAMPLES):
        sc = mt.load_scenario(path)
        outputs = [*mt.model().readout_ids_for(sc.species), *[o for o in sc.outputs if ":" in o]]
        floors = agreement_floors(mt.model(), outputs)
        picked = [i for i in range(100) if i % len(EXAMPLES) == k]
        rows = [sample_patient(7, i, None).overrides() for i in picked]
        refs: list[Any] = []
        for row in rows:
            try:
                with parameter_overrides(row):
                    refs.append(mt.simulate(sc, outputs=outputs)[outputs].to_numpy())
            except MtorlabError:
                refs.append(None)
        for t in tols:
            engine_for = _engines(engines, t)
            run = run_scenario_batch(mt.model(), engine_for, sc, rows, outputs, library())
            steps[t] = sum(e.steps for (_, tt), e in engines.items() if tt == t)
            for b, ref in enumerate(refs):
                if ref is None:
                    continue
                err = np.abs(run.values[b] - ref) / np.maximum(floors, 1e-3 * np.abs(ref))
                for j, name in enumerate(outputs):
                    m = float(np.nanmax(err[:, j])) if run.status[b] == 0 else float("inf")
                    if m > worst[t].get(name, (0.0, ""))[0]:
                        worst[t][name] = (m, path.stem)
        print(f"{path.stem}: done", flush=True)
    for t in tols:
        ranked = sorted(((v, n, s) for n, (v, s) in worst[t].items()), reverse=True)
        over = sum(v > 1 for v, _, _ in ranked)
        dose = f" atol_dose {t[2]:g}" if len(t) > 2 else ""
        print(f"rtol {t[0]:g} atol {t[1]:g}{dose}: {steps[t]} steps, {over} readouts over the bar")
        for v, n, s in ranked[:6]:
            print(f"    {n:28s} {v:6.2f} of the bar  ({s})")


if __name__ == "__main__":
    main()
