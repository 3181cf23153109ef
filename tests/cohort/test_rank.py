"""``mtorlab rank``: stable with a seed, one-line errors for bad profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtorlab.cli import main
from mtorlab.cohort import Profile, load_strategies, rank

STRATEGIES = """
strategies:
  - id: esketamine_0.5
    interventions:
      - {drug: esketamine, dose: 0.5 mg/kg, route: iv, at: 1 h, over: 40 min}
  - id: exercise
    interventions:
      - {intervention: exercise, dose: 30 min, schedule: {start: 8 h, every: 1 d, count: 28}}
"""


def test_default_strategies_all_validate_for_humans() -> None:
    from mtorlab.cohort._rank import strategy_scenario

    strats = load_strategies()
    assert len(strats) == 12
    for s in strats:
        assert strategy_scenario(s, 14 * 24.0, 24.0).species == "human"


def test_rank_is_stable_with_the_same_seed(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(STRATEGIES, encoding="utf-8")
    strats = load_strategies(f)
    prof = Profile(madrs=40, il6=2.0, prior_ssri_nonresponse=True)
    a, fa = rank(prof, strategies=strats, n=6, horizon_h=48.0, seed=2)
    b, fb = rank(prof, strategies=strats, n=6, horizon_h=48.0, seed=2)
    assert list(a["strategy"]) == list(b["strategy"])
    assert a.equals(b) and fa == fb
    assert set(a["strategy"]) == {"esketamine_0.5", "exercise"}
    assert (a["response_low"] <= a["response"]).all() and (
        a["response"] <= a["response_high"]
    ).all()


def test_rank_cli_and_bad_profile_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(STRATEGIES, encoding="utf-8")
    good = tmp_path / "p.yaml"
    good.write_text("species: human\nmadrs: 35\nbdnf_genotype: val/met\n", encoding="utf-8")
    code = main(
        ["rank", "--profile", str(good), "--strategies", str(f), "--n", "4", "--horizon", "2d"]
    )
    out = capsys.readouterr().out
    assert code == 0 and " 1. " in out and "effective sample size" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("species: human\nmadrs: 30\nil_6: 2\n", encoding="utf-8")
    code = main(["rank", "--profile", str(bad), "--strategies", str(f), "--n", "4"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "il_6" in err and "unknown field" in err
