"""The acute expectancy of supervised sessions (an infusion, a nasal spray in the clinic).

Placebo arms of ketamine and esketamine trials improve within hours of each session, long
before the slow placebo course of pill trials has moved (``data/placebo.yaml``,
``session_fraction`` and ``session_half_life``). These tests pin the form: bounded, decaying,
shared by every blinded arm of a trial, absent without treatment contact or sessions.
"""

from __future__ import annotations

import numpy as np
import pytest

from mtorlab import model
from mtorlab.clinical import clinical_params, onset, validate_trial
from mtorlab.clinical._model import course, nonspecific_curve, session_boost, session_times
from mtorlab.clinical._simulate import trial_sessions
from mtorlab.scenario import validate_scenario


def ketamine_vs_midazolam(n: int, seed: int) -> object:
    """One ketamine infusion against a midazolam infusion at 0 h, rated at 0 h and day 1."""
    return validate_trial(
        {"name": "ket-mid", "duration": "3 d",
         "population": {"subtypes": "all", "inclusion": {"madrs_min": 20}, "n_per_arm": n},
         "arms": [
             {"id": "ketamine", "interventions": [
                 {"drug": "ketamine", "dose": "0.5 mg/kg", "route": "iv", "at": "0 h", "over": "40 min"}]},
             {"id": "midazolam", "interventions": [
                 {"placebo": "midazolam", "dose": "0.045 mg/kg", "route": "iv", "at": "0 h"}]},
         ],
         "visits": ["0 h", "1 d"], "endpoints": {"primary_visit": "1 d"},
         "analysis": {"control": "midazolam"}, "seed": seed},
        "test",
    )  # fmt: skip


def test_boost_starts_at_the_session_and_halves_each_half_life() -> None:
    p = clinical_params()
    h = p.session_half_life
    b = session_boost(np.array([-1.0, 0.0, 1e-9, h, 2 * h]), [0.0], p)[[0, 1, 2, 3, 4]]
    assert b[0] == 0.0 and b[1] == 0.0  # the session's own visit is rated before the dose
    b = b[1:]
    assert b[1] == pytest.approx(p.session_fraction)
    assert b[2] == pytest.approx(p.session_fraction / 2)
    assert b[3] == pytest.approx(p.session_fraction / 4)


def test_repeated_sessions_do_not_add_up() -> None:
    """Twice-weekly sessions for a month stay bounded by one session's boost."""
    p = clinical_params()
    sessions = [84.0 * i for i in range(8)]
    t = np.linspace(0, 28 * 24, 2000)
    b = session_boost(t, sessions, p)
    assert b.max() <= p.session_fraction and b.max() == pytest.approx(p.session_fraction, rel=0.01)
    assert b[np.searchsorted(t, 85.0)] > session_boost(np.array([85.0]), [0.0], p)[0]


def test_no_sessions_and_no_treatment_contact_leave_the_slow_course() -> None:
    p = clinical_params()
    t = np.array([2.0, 24.0, 168.0])
    assert np.array_equal(course(t, p), onset(t, p))
    assert np.array_equal(course(t, p, [0.0], "natural_course"), onset(t, p))
    with_session = course(t, p, [0.0], "placebo")
    assert np.all(with_session > onset(t, p))
    mean = nonspecific_curve(t, 30.0, p, "placebo", [0.0])
    slow = nonspecific_curve(t, 30.0, p, "placebo")
    assert np.allclose(mean, np.maximum(slow, 30.0 * session_boost(t, [0.0], p)))
    late = np.array([12 * 168.0])  # the slow course has caught up: the session adds nothing
    assert np.array_equal(course(late, p, [0.0]), onset(late, p))


def test_session_times_are_the_supervised_doses() -> None:
    sc = validate_scenario(
        {"name": "x", "species": "human", "duration": "8 d",
         "interventions": [
             {"drug": "esketamine", "dose": "56 mg", "route": "intranasal",
              "schedule": {"start": "0 d", "every": "3 d", "count": 2}},
             {"drug": "fluoxetine", "dose": "20 mg", "route": "po",
              "schedule": {"start": "0 d", "every": "1 d", "count": 8}},
             {"drug": "ketamine", "dose": "0.5 mg/kg", "route": "iv", "at": "5 d", "over": "40 min"},
         ]},
        "test",
        model().readout_ids,
    )  # fmt: skip
    assert session_times(sc.interventions) == [0.0, 72.0, 120.0]
    assert session_times(sc.interventions, offset_h=10.0) == [10.0, 82.0, 130.0]


def test_every_blinded_arm_shares_the_drug_arm_sessions() -> None:
    """A placebo infusion mirrors the drug's: the midazolam arm gets the ketamine arm's
    session, and a pill trial has none."""
    assert trial_sessions(ketamine_vs_midazolam(n=2, seed=1)) == [0.0]
    pills = validate_trial(
        {"name": "ssri", "duration": "3 d",
         "population": {"subtypes": "all", "inclusion": {"madrs_min": 20}, "n_per_arm": 2},
         "arms": [
             {"id": "ssri", "interventions": [
                 {"drug": "fluoxetine", "dose": "20 mg", "route": "po",
                  "schedule": {"start": "0 d", "every": "1 d", "count": 3}}]},
             {"id": "placebo", "interventions": [{"placebo": "pill", "route": "po"}]},
         ],
         "visits": ["0 d", "1 d"], "endpoints": {"primary_visit": "1 d"},
         "analysis": {"control": "placebo"}, "seed": 1},
        "test",
    )  # fmt: skip
    assert trial_sessions(pills) == []


def test_session_fraction_follows_its_formula() -> None:
    """The data file's value recomputes from Su et al. 2023's 5/42 midazolam responders."""
    from scipy.stats import norm

    p = clinical_params()
    z = norm.isf(5 / 42)
    b48 = 0.5 * p.placebo_max_fraction / (p.placebo_max_fraction + z * p.between_patient_sd)
    assert p.session_fraction == pytest.approx(b48 * 2 ** (48 / p.session_half_life), abs=2e-3)


def test_a_synthetic_midazolam_arm_responds_as_the_trial_it_came_from() -> None:
    """20,000 synthetic patients with one infusion session and no drug effect, rated with the
    layer's noise: responders (>= 50% drop) at day 2 near Su 2023's 11.9% (5 of 42; the
    binomial SE of that is 5 points, allow 3), and far fewer without the session."""
    from mtorlab.clinical import draw, rated

    p = clinical_params()
    rng = np.random.default_rng(11)
    t = np.array([0.0, 48.0])
    base = rng.normal(38.3, 3.8, 20000)  # Su 2023 midazolam arm baseline 38.26 (3.83)
    hits = {True: 0, False: 0}
    for b in base:
        d = draw(rng, 2, p)
        for with_session in (True, False):
            shape = course(t, p, [0.0] if with_session else [])
            y = rated(np.full(2, b), np.zeros(2), b, d.fraction, shape, d.noise)
            hits[with_session] += bool(y[1] <= 0.5 * y[0])
    assert hits[True] / base.size == pytest.approx(0.119, abs=0.03)
    assert hits[False] / base.size < 0.01


def test_a_virtual_infusion_trial_rates_the_session_in_both_arms() -> None:
    """End to end: in a small ketamine-vs-midazolam trial every rating is the layer's sum with
    the session course, and the midazolam arm has improved by day 1 (it had not before the
    sessions: the slow course gives 1% of baseline by then)."""
    from mtorlab.clinical import run_trial

    trial = ketamine_vs_midazolam(n=6, seed=2)
    p = run_trial(trial).patients  # type: ignore[arg-type]
    expect = np.rint(np.clip(p["mechanistic_untreated"] + p["mechanistic_effect"]
                             - p["nonspecific"] + p["rating_error"], 0, 60))  # fmt: skip
    assert np.array_equal(p["madrs_rated"].to_numpy(), expect.to_numpy())
    base = p[p["visit_h"] == 0].set_index(["arm", "patient"])["mechanistic_untreated"]
    day1 = p[p["visit_h"] == 24].set_index(["arm", "patient"])
    per_unit = day1["nonspecific"] / (day1["nonspecific_fraction"] * base.loc[day1.index])
    shape = course(np.array([24.0]), clinical_params(), [0.0])[0]
    assert np.allclose(per_unit, shape)  # both arms: the midazolam arm shares the session
    assert shape > 10 * float(onset(24.0, clinical_params()))
