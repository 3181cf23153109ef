"""Fit fluoxetine's auto-inhibition constant to the label's chronic half-life (4-6 days).

Run ``.venv/bin/python benchmarks/fit_fluoxetine_autoinhibition.py``: 30 days of 20 mg/day
by mouth in a human, then the apparent half-life of fluoxetine over the 4 days after the
last dose, as a function of the auto-inhibition constant (the plasma concentration of
fluoxetine + norfluoxetine that halves fluoxetine's clearance); bisection for 5 days. The
value found is written into the intervention library by hand, with this script named in
its provenance.
"""

from __future__ import annotations

import math

import numpy as np
import yaml


def chronic_half_life(ki: float) -> float:
    """Apparent half-life (h) after 30 days of 20 mg/day at auto-inhibition constant ``ki``."""
    import mtorlab as mt
    from mtorlab._api import library
    from mtorlab.interventions import load_library
    from mtorlab.scenario import validate_scenario

    lib = load_library()
    entry = lib.get("fluoxetine").model_dump(mode="json")
    entry["pk"]["human"]["autoinhibition"]["value"] = ki
    lo, hi = entry["pk"]["human"]["autoinhibition"]["range"]
    entry["pk"]["human"]["autoinhibition"]["range"] = [min(lo, ki), max(hi, ki)]
    sc = validate_scenario(
        {"name": "fit", "species": "human", "duration": "35 d", "output_step": "2 h",
         "drugs": [entry],
         "interventions": [{"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                            "schedule": {"start": "0 d", "every": "1 d", "count": 30}}],
         "outputs": ["conc_plasma:fluoxetine"]},
        "fit", mt.model().readout_ids,
    )  # fmt: skip
    library.cache_clear()
    df = mt.simulate(sc)
    w = df[(df.time_h >= 29 * 24 + 24) & (df.time_h <= 29 * 24 + 24 + 96)]
    slope = np.polyfit(w.time_h, np.log(w["conc_plasma:fluoxetine"]), 1)[0]
    return -math.log(2) / slope


def main() -> None:
    """Bisect in log space for a 120 h chronic half-life."""
    lo, hi = 0.01, 1.0  # smaller constant = stronger inhibition = longer half-life
    for _ in range(14):
        mid = math.sqrt(lo * hi)
        t = chronic_half_life(mid)
        print(f"ki {mid:.4g} mg/L -> chronic half-life {t / 24:.2f} d")
        lo, hi = (mid, hi) if t > 120 else (lo, mid)
    print(yaml.safe_dump({"autoinhibition_mg_per_L": round(math.sqrt(lo * hi), 4)}))


if __name__ == "__main__":
    main()
