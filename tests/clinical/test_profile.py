"""``mtorlab rank`` profiles in clinical units: conversion with the documented healthy means,
ambiguous bare numbers refused, prior non-response conditions the population, the effective
sample size warns below its threshold, benefit is against placebo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mtorlab.cli import main
from mtorlab.cohort import Profile, load_strategies, rank
from mtorlab.cohort._profile import load_profile, reference_values
from mtorlab.errors import DataFileError

ONE = """
strategies:
  - id: fluoxetine
    interventions:
      - {drug: fluoxetine, dose: 20 mg, route: po, schedule: {start: 0 d, every: 1 d, count: 28}}
"""


def test_clinical_units_convert_with_the_healthy_means() -> None:
    ref = reference_values()["healthy_means"]
    assert (ref["serum_bdnf"]["value"], ref["il6"]["value"]) == (22.4, 2.69)
    p = Profile(serum_bdnf="11.2 ng/mL", il6="5.38 pg/mL", madrs=30)
    assert p.measured() == pytest.approx({"madrs": 30.0, "serum_bdnf": 0.5, "il6_plasma": 2.0})
    assert Profile(serum_bdnf="22400 pg/mL").measured()["serum_bdnf"] == pytest.approx(1.0)
    assert Profile(serum_bdnf="0.8 x healthy").measured()["serum_bdnf"] == pytest.approx(0.8)
    own = Profile(serum_bdnf="15 ng/mL", reference={"serum_bdnf": "30 ng/mL"})
    assert own.measured()["serum_bdnf"] == pytest.approx(0.5)


def test_a_bare_number_is_refused_with_the_way_to_write_it(tmp_path: Path) -> None:
    f = tmp_path / "old.yaml"
    f.write_text("species: human\nmadrs: 30\nserum_bdnf: 0.8\n", encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_profile(f)
    msg = str(exc.value)
    assert "serum_bdnf" in msg and "ambiguous" in msg and "ng/mL" in msg and "README" in msg
    f.write_text("species: human\nil6: 3 kg\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"il6.*not a concentration"):
        load_profile(f)


def test_prior_classes_and_the_old_ssri_flag() -> None:
    p = Profile(prior_treatments=[{"class": "nmda_antagonist"}], prior_ssri_nonresponse=True)
    assert p.nonresponse_classes() == ("nmda_antagonist", "ssri")
    with pytest.raises(ValueError, match="allowed: ssri, nmda_antagonist"):
        Profile(prior_treatments=[{"class": "maoi"}])


def test_prior_nonresponse_excludes_the_model_s_responders() -> None:
    """A prior course that takes the whole baseline off excludes all but the few patients whose
    nonspecific course worsens them (a negative fraction); one that does nothing excludes
    only placebo responders; one that rates everyone 60 excludes nobody."""
    from mtorlab.cohort._population import sample_patient
    from mtorlab.cohort._rank import _layer, _Runs

    n = 400
    patients = [sample_patient(1, i, None) for i in range(n)]
    base = np.full((n, 2, 1), 35.0)
    runs = _Runs(base, np.ones(n, bool), list(range(n)), {})
    ok = np.ones(n, bool)
    u = np.full(n, 35.0)

    def excluded(treated_end: float) -> float:
        prior = {"ssri": (u, np.full(n, treated_end), ok, 8 * 168.0)}
        return float(_layer(patients, runs, 0, 336.0, 1, prior).excluded.mean())

    assert excluded(0.0) > 0.98
    assert excluded(200.0) == 0.0  # rated 60: worse than baseline
    assert 0.2 < excluded(35.0) < 0.5  # placebo responders over 8 weeks


def test_effective_sample_size_warns_below_the_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = tmp_path / "s.yaml"
    s.write_text(ONE, encoding="utf-8")
    broad = tmp_path / "broad.yaml"
    broad.write_text("species: human\n", encoding="utf-8")
    narrow = tmp_path / "narrow.yaml"
    narrow.write_text(
        "species: human\nmadrs: 22\nserum_bdnf: 30 ng/mL\nil6: 2.0 pg/mL\n", encoding="utf-8"
    )
    args = ["rank", "--strategies", str(s), "--n", "24", "--horizon", "1d"]
    assert main([*args, "--profile", str(narrow)]) == 0
    cap = capsys.readouterr()
    assert "effective sample size" in cap.out and "warning: effective sample size" in cap.err
    assert main([*args, "--profile", str(broad)]) == 0
    cap = capsys.readouterr()
    assert "warning" not in cap.err and "placebo response" in cap.out


def test_benefit_is_response_minus_the_same_patients_placebo_response() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        f = Path(d, "s.yaml")
        f.write_text(ONE, encoding="utf-8")
        table, facts = rank(Profile(), strategies=load_strategies(f), n=24, horizon_h=48.0)
    r = table.iloc[0]
    assert r["benefit"] == pytest.approx(r["response"] - r["placebo_response"])
    assert r["benefit_low"] <= r["benefit"] <= r["benefit_high"]
    assert facts["placebo_response"] == pytest.approx(r["placebo_response"])
    assert facts["ess"] == pytest.approx(facts["n_depressed"])  # no measurement: equal weights
    assert facts["ess_warning"] == float(facts["ess"] < facts["ess_threshold"])
