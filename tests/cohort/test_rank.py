"""``mtorlab rank``: stable with a seed, engines agree, explanations cite the knowledge base,
one-line errors for bad profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import mtorlab as mt
from mtorlab.cli import main
from mtorlab.cohort import Profile, Strategy, load_strategies, rank
from mtorlab.errors import MtorlabError

STRATEGIES = """
strategies:
  - id: esketamine_0.5
    human_evidence: "none among this test's sources"
    interventions:
      - {drug: esketamine, dose: 0.5 mg/kg, route: iv, at: 1 h}
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
        assert s.human_evidence  # each default says what is known in patients


def test_a_strategys_human_evidence_must_be_text(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(STRATEGIES.replace('"none among this test\'s sources"', "[1, 2]"),
                 encoding="utf-8")  # fmt: skip
    with pytest.raises(MtorlabError, match=r"s\.yaml.*esketamine_0\.5.*human_evidence.*\[1, 2\]"):
        load_strategies(f)


PROFILE = Profile(madrs=40, il6="2 x healthy", prior_ssri_nonresponse=True)
#: Readouts on the NMDAR → glutamate burst → AMPAR → BDNF → TrkB → mTORC1 chain and its
#: synaptic end (potentiated synapses, new spines and the protein they hold): days after a
#: dose the signalling transient is over and these carry the effect.
CHAIN = {
    "synaptic_strength",
    "synaptic_protein",
    "synaptic_protein_new",
    "spine_density",
    "spine_nascent",
    "spine_stable",
    "glutamate_burst",
    "ampar_surface",
    "bdnf",
    "serum_bdnf",
    "p_erk",
    "p_akt_t308",
    "tsc2_active",
    "rheb_gtp",
    "mtorc1_neuron",
    "p_s6k",
    "p_4ebp1",
}


def _strategies(tmp_path: Path) -> tuple[Strategy, ...]:
    f = tmp_path / "s.yaml"
    f.write_text(STRATEGIES, encoding="utf-8")
    return load_strategies(f)


def _rank(tmp_path: Path, engine: str = "batch") -> tuple[pd.DataFrame, dict[str, float]]:
    """The small case: 6 patients, 48 h, two strategies plus the prior-SSRI arm."""
    strats = _strategies(tmp_path)
    return rank(PROFILE, strategies=strats, n=6, horizon_h=48.0, seed=2, engine=engine)


@pytest.fixture(scope="module")
def batch_rank(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pd.DataFrame, dict[str, float]]:
    return _rank(tmp_path_factory.mktemp("rank"))


def test_rank_is_stable_with_the_same_seed(
    tmp_path: Path, batch_rank: tuple[pd.DataFrame, dict[str, float]]
) -> None:
    a, fa = batch_rank
    b, fb = _rank(tmp_path)
    assert list(a["strategy"]) == list(b["strategy"])
    assert a.equals(b) and fa == fb
    assert a.attrs["explanations"] == b.attrs["explanations"]
    assert set(a["strategy"]) == {"esketamine_0.5", "exercise"}
    assert (a["response_low"] <= a["response"]).all() and (
        a["response"] <= a["response_high"]
    ).all()


def test_batch_and_reference_engines_give_the_same_ranking(
    tmp_path: Path, batch_rank: tuple[pd.DataFrame, dict[str, float]]
) -> None:
    a, fa = batch_rank
    b, fb = _rank(tmp_path, engine="reference")
    assert list(a["strategy"]) == list(b["strategy"])
    assert fa["n_depressed"] == fb["n_depressed"] and fa["ess"] == pytest.approx(fb["ess"], 1e-6)
    for c in ("response", "remission", "madrs_change", "anxiety_peak", "immunosuppression_peak"):
        assert a[c].to_numpy() == pytest.approx(b[c].to_numpy(), abs=1e-3), c
    for sid, items in a.attrs["explanations"].items():
        ref = b.attrs["explanations"][sid]
        assert [x["readout"] for x in items] == [x["readout"] for x in ref]
        assert [x["change"] for x in items] == pytest.approx([x["change"] for x in ref], abs=1e-3)
    with pytest.raises(MtorlabError, match="--engine"):
        _rank(tmp_path, engine="gpu")


def test_esketamine_is_explained_by_the_nmdar_bdnf_mtorc1_chain(
    batch_rank: tuple[pd.DataFrame, dict[str, float]],
) -> None:
    table, _ = batch_rank
    kb = mt.knowledge_base()
    items = table.attrs["explanations"]["esketamine_0.5"]
    assert len(items) == 3
    readouts = [x["readout"] for x in items]
    assert not {"madrs", "depression_score", "sucrose_preference", "fst_immobility"} & set(readouts)
    sizes = [abs(x["change"]) for x in items]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0.01
    on_chain = [x for x in items if x["readout"] in CHAIN]
    assert on_chain, readouts
    for x in items:
        assert 1 <= len(x["mechanisms"]) <= 2
        for m in x["mechanisms"]:
            assert m["id"] in kb.mechanisms
    # the chain readout is explained by review evidence, and the drug's entry point is cited
    cited = [m for x in on_chain for m in x["mechanisms"]]
    assert any(m["evidence"]["source"] == "review" and m["evidence"]["sections"] for m in cited)
    assert "m_esketamine_nmdar" in {m["id"] for m in cited}
    assert kb.mechanisms["m_esketamine_nmdar"].object == "nmdar"
    row = table[table["strategy"] == "esketamine_0.5"].iloc[0]
    assert on_chain[0]["readout"] in row["explanation"] and "review §" in row["explanation"]


def test_rank_cli_and_bad_profile_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(STRATEGIES, encoding="utf-8")
    good = tmp_path / "p.yaml"
    good.write_text("species: human\nmadrs: 35\nbdnf_genotype: val/met\n", encoding="utf-8")
    args = ["rank", "--profile", str(good), "--strategies", str(f), "--n", "4", "--horizon", "2d"]
    code = main(args)
    out = capsys.readouterr().out
    assert code == 0 and " 1. " in out and "effective sample size" in out
    assert "why: " in out and "m_esketamine_nmdar" in out
    assert "in patients: none among this test's sources" in out  # the file's words, printed
    assert "    warning: interventions #1: esketamine 0.5 mg/kg iv in a human" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    code = main([*args, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and {s["strategy"] for s in data["strategies"]} == {
        "esketamine_0.5",
        "exercise",
    }
    assert all(s["explanation"][0]["mechanisms"] for s in data["strategies"])
    evidence = {s["strategy"]: s["human_evidence"] for s in data["strategies"]}
    assert evidence == {"esketamine_0.5": "none among this test's sources", "exercise": ""}
    # a 0.5 mg/kg esketamine iv bolus is an anaesthetic induction dose: the plan's warning is shown
    warnings = {s["strategy"]: s["warnings"] for s in data["strategies"]}
    assert warnings["exercise"] == [] and "anaesthetic range" in warnings["esketamine_0.5"][0]
    bad = tmp_path / "bad.yaml"
    bad.write_text("species: human\nmadrs: 30\nil_6: 2\n", encoding="utf-8")
    code = main(["rank", "--profile", str(bad), "--strategies", str(f), "--n", "4"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "il_6" in err and "unknown field" in err
