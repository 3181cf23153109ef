"""Issue 13's credibility criteria: behaviour with its own time, no credit beyond healthy,
an SSRI whose benefit builds over weeks, ketamine's mTORC1 transient at rodent timescales,
honest provenance. Each of these failed on the model before the revision."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import pytest

import mtorlab as mt
from mtorlab.claims._simulate import simulate_mapping


def run(**scenario: Any) -> pd.DataFrame:
    return simulate_mapping({"name": "credibility", **scenario}).set_index("time_h")


def rapamycin_cums(every: str, count: int) -> pd.DataFrame:
    return run(species="mouse", duration="28 d", output_step="1 h",
               condition={"chronic_stress": 0.8},
               interventions=[{"drug": "rapamycin", "dose": "1 mg/kg", "route": "ip",
                               "schedule": {"start": "0 d", "every": every, "count": count}}],
               outputs=["depression_score", "neuronal_survival"])  # fmt: skip


@pytest.mark.parametrize(("every", "count", "period_h"), [("1 d", 28, 24), ("7 d", 4, 168)])
def test_rapamycin_moves_behaviour_little_within_a_dosing_interval(
    every: str, count: int, period_h: int
) -> None:
    score = rapamycin_cums(every, count)["depression_score"]
    swings = [
        score.loc[t : t + period_h].max() - score.loc[t : t + period_h].min()
        for t in range(168, 672 - period_h + 1, period_h)
    ]
    assert max(swings) < 15, swings  # was 10 <-> 75 inside each week


def test_no_readout_earns_credit_beyond_healthy() -> None:
    f = rapamycin_cums("1 d", 28)
    # was 1.10 under rapamycin; the smooth cap allows at most 0.005 (half its 0.01 corner)
    assert f["neuronal_survival"].max() <= 1.0 + 0.006
    # a healthy mouse cannot be made better than healthy: rapamycin pushes brain cytokines
    # below healthy, which used to lower the score through an unbounded log term
    healthy = run(species="mouse", duration="14 d", output_step="1 h",
                  interventions=[{"drug": "rapamycin", "dose": "1 mg/kg", "route": "ip",
                                  "schedule": {"start": "0 d", "every": "1 d", "count": 14}}],
                  outputs=["depression_score", "il6_brain"])  # fmt: skip
    assert healthy["il6_brain"].min() < 0.9  # the cytokines do fall below healthy
    assert healthy["depression_score"].min() > 15.0 - 0.5  # healthy scores 15


def test_an_ssri_works_over_weeks_not_days() -> None:
    base = {"species": "human", "duration": "42 d", "output_step": "6 h",
            "condition": {"chronic_stress": 0.8}, "outputs": ["madrs", "serotonin"]}  # fmt: skip
    untreated = run(**base)
    drug = run(**base, interventions=[{"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                                        "schedule": {"start": "0 d", "every": "1 d", "count": 42}}])  # fmt: skip
    change = drug["madrs"] - untreated["madrs"]
    assert change.loc[1008] < -2  # a real benefit by day 42
    assert abs(change.loc[72]) < 0.25 * abs(change.loc[1008])  # was 0.35 (17 points in a week)
    # 5-HT1A autoreceptor feedback: forebrain 5-HT rises less on day 1 than after weeks
    assert drug["serotonin"].loc[24] < drug["serotonin"].loc[1008]


def test_ketamine_mtorc1_peaks_within_ninety_minutes_in_rats() -> None:
    base = {
        "species": "rat",
        "duration": "1 d",
        "output_step": "6 min",
        "outputs": ["mtorc1_neuron"],
    }
    vehicle = run(**base)["mtorc1_neuron"]
    ketamine = run(**base, interventions=[{"drug": "ketamine", "dose": "10 mg/kg",
                                           "route": "ip", "at": "0 h"}])["mtorc1_neuron"]  # fmt: skip
    excursion = ketamine - vehicle
    assert excursion.idxmax() <= 1.5  # was 2.7 h
    assert excursion.max() > 0.05 * vehicle.iloc[0]


def _ketamine_rat(outputs: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = {"species": "rat", "duration": "4 d", "output_step": "30 min",
            "condition": {"chronic_stress": 0.8}, "outputs": outputs}  # fmt: skip
    dose = [{"drug": "ketamine", "dose": "10 mg/kg", "route": "ip", "at": "0 h"}]
    return run(**base), run(**base, interventions=dose)


def test_ketamine_synaptic_protein_is_still_raised_at_72_hours() -> None:
    """Issue 13: Li et al. 2010 saw synaptic proteins raised from 2 h to 72 h; the model had
    +1.3% at 72 h (one 14-h pool). New spines now hold them."""
    vehicle, ketamine = _ketamine_rat(["synaptic_protein", "spine_density"])
    rel = ketamine / vehicle - 1
    assert rel.loc[2.0, "synaptic_protein"] > 0.01
    assert rel.loc[72.0, "synaptic_protein"] >= 0.05


def test_ketamine_spines_rise_after_hours_and_last_days() -> None:
    """Moda-Sava et al. 2019: spine formation after ketamine not changed at 3-6 h, raised at
    12-24 h; the new spines sustain the effect. Density at 3 h is still near vehicle, higher at
    24 h, and still above vehicle at 72 h."""
    vehicle, ketamine = _ketamine_rat(["spine_density", "spine_nascent"])
    rel = ketamine / vehicle - 1
    assert rel.loc[3.0, "spine_density"] < 0.5 * rel.loc[24.0, "spine_density"]
    assert rel.loc[24.0, "spine_density"] > 0.05
    assert rel.loc[72.0, "spine_density"] > 0.03
    assert rel["spine_nascent"].idxmax() >= 12.0


def test_ketamine_mtorc1_is_back_below_a_quarter_of_its_peak_by_3_hours() -> None:
    """Issue 13's criterion (Li et al. 2010: back by about 2 h). It kept 79% of its excursion
    before the mGlu2/3 brake and 30% after it; 21% since active TrkB leaves the surface."""
    vehicle, ketamine = _ketamine_rat(["mtorc1_neuron"])
    excursion = (ketamine - vehicle)["mtorc1_neuron"]
    assert excursion.loc[3.0] < 0.25 * excursion.max()


def test_no_model_parameter_claims_the_review_for_an_assumed_number() -> None:
    kinds = Counter(p.provenance.kind for p in mt.model().parameters.values())
    assert kinds["review"] == 0  # 67 before: the review gives directions, not numbers
    assumed_with_claim = [p for p in mt.model().parameters.values()
                          if p.provenance.kind == "assumed" and getattr(p.provenance, "claim", None)]  # fmt: skip
    assert len(assumed_with_claim) >= 60  # the claim that fixes the direction is kept


def test_saturating_bdnf_halves_surface_trkb_within_2_to_3_hours() -> None:
    """Proenca et al. 2016 (J Neurochem 138:397): BDNF for 2-3 h halved the surface pool of
    TrkB in cortical neurons. With every surface receptor held active (TrkB activation made
    near-instant), the model's surface pool must be above half its resting size at 2 h and
    below it at 3 h, and a receptor pool that never left the surface could not do either."""
    from mtorlab._api import reference_engine

    eng = reference_engine()
    out = eng.simulate({}, t_end=4.0, n_points=9, selections=["trkb_surface", "trkb"],
                       changes=[(0.0, {"k_trkb_on": 1.0e4})])  # fmt: skip
    t, surface, active = out[:, 0], out[:, 1], out[:, 2]
    rel = surface / surface[0]
    assert active[1] > 0.95 * surface[1]  # saturated: (almost) every surface receptor active
    assert rel[t == 2.0][0] > 0.5 > rel[t == 3.0][0]
