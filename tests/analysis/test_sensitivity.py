"""Global sensitivity (SALib): Morris per parameter, Sobol per context, seeded and reproducible."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mtorlab as mt
from mtorlab.analysis import parameter_contexts, sensitivity
from mtorlab.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_every_varied_parameter_has_a_context() -> None:
    ctx = parameter_contexts(mt.model())
    assert set(ctx.values()) <= {"neuron", "glia", "cell_fate", "periphery", "phenotype"}
    assert ctx["k_mtorc1_act"] == "neuron" and ctx["k_mtorc1g_act"] == "glia"


def test_morris_is_seeded_and_ranks_the_mtorc1_axis_high() -> None:
    sc = mt.load_scenario(EXAMPLES / "cums_mouse.yaml")
    a = sensitivity(sc, "mtorc1_neuron", 24.0, method="morris", n=2, seed=3)
    b = sensitivity(sc, "mtorc1_neuron", 24.0, method="morris", n=2, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert (a["mu_star"] >= 0).all() and len(a) > 100
    top = set(a["parameter"].head(15))
    assert top & {"k_mtorc1_act", "k_mtorc1_deact", "k_rheb_gap", "amino_acids"}
    # a parameter of the periphery cannot matter to neuronal mTORC1 more than its own activator
    rank = {p: i for i, p in enumerate(a["parameter"])}
    assert rank["k_mtorc1_act"] < rank["k_body_weight"]


def test_cli_sobol_by_context_with_table_and_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table, plot = tmp_path / "s.csv", tmp_path / "s.png"
    code = main(["sensitivity", str(EXAMPLES / "cums_mouse.yaml"), "--readout", "il6_brain",
                 "--at", "24h", "--method", "sobol", "--n", "4", "-o", str(table), "--plot", str(plot),
                 "--store", str(tmp_path / "store")])  # fmt: skip
    assert code == 0
    first = capsys.readouterr().out.splitlines()[0]  # issue 15: the table had no header
    assert first.startswith("cums-untreated: Sobol indices") and "of il6_brain (" in first
    assert "at 24h" in first
    from mtorlab.store import RunStore

    (run,) = RunStore(tmp_path / "store").list()  # issue 16: sensitivity runs were not recorded
    assert run.command == "sensitivity" and "sobol on il6_brain" in (run.name or "")
    df = pd.read_csv(table)
    assert {"neuron", "glia", "cell_fate", "periphery"} <= set(df["context"])
    assert df.iloc[0]["context"] in {"glia", "neuron"}  # brain IL-6 is made by glia
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code = main(["sensitivity", str(EXAMPLES / "cums_mouse.yaml"), "--at", "30d"])
    assert code == 2 and "later than the scenario's duration" in capsys.readouterr().err


def test_batch_and_reference_engines_give_the_same_morris_table() -> None:
    sc = mt.load_scenario(EXAMPLES / "cums_mouse.yaml")
    a = sensitivity(sc, "bdnf", 24.0, method="morris", n=2, seed=5, engine="batch")
    b = sensitivity(sc, "bdnf", 24.0, method="morris", n=2, seed=5, engine="reference")
    assert list(a["parameter"].head(20)) == list(b["parameter"].head(20))
    merged = a.merge(b, on="parameter", suffixes=("_b", "_r"))
    big = merged["mu_star_r"] > 1e-3 * merged["mu_star_r"].max()
    rel = (merged["mu_star_b"] - merged["mu_star_r"]).abs() / merged["mu_star_r"]
    assert (rel[big] < 1e-2).all(), merged[big & (rel >= 1e-2)]
    with pytest.raises(mt.errors.MtorlabError, match="--engine"):  # type: ignore[attr-defined]
        sensitivity(sc, "bdnf", 24.0, n=2, engine="gpu")
