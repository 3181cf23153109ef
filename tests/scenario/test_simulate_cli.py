"""``mtorlab simulate`` and ``mtorlab model`` / ``export`` through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mtorlab.cli import main

FILES = Path(__file__).resolve().parents[1] / "data" / "scenarios"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run.csv"
    code, text, _ = run(capsys, "simulate", str(FILES / "valid_cums.yaml"), "-o", str(out))
    assert code == 0 and "48 h, 481 time points" in text and f"wrote {out}" in text
    df = pd.read_csv(out)
    assert list(df.columns) == ["time_h", "mtorc1_neuron", "bdnf", "depression_score"]


def test_simulate_writes_parquet_with_chosen_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run.parquet"
    code, _, _ = run(
        capsys,
        "simulate",
        str(FILES / "valid_cums.yaml"),
        "-o",
        str(out),
        "--outputs",
        "p_s6k,fst_immobility",
    )
    assert code == 0
    assert list(pd.read_parquet(out).columns) == ["time_h", "p_s6k", "fst_immobility"]


def test_simulate_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "simulate", str(FILES / "valid_cums.yaml"))
    assert code == 0 and "depression_score" in text and "t=0" in text


def test_failed_simulate_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run.csv"
    code, _, err = run(capsys, "simulate", str(FILES / "bad_readout.yaml"), "-o", str(out))
    assert code != 0 and "bad_readout.yaml" in err and "nearest: bdnf" in err
    assert not out.exists() and not list(tmp_path.iterdir())
    code, _, err = run(
        capsys, "simulate", str(FILES / "valid_cums.yaml"), "-o", str(tmp_path / "x.xlsx")
    )
    assert code != 0 and ".csv or .parquet" in err
    assert not list(tmp_path.iterdir())


def test_model_listings(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "model", "params")
    assert code == 0 and "k_t308_dephos" in text and "literature" in text
    code, text, _ = run(capsys, "model", "species", "--json")
    species = json.loads(text)
    assert any(s["id"] == "mtorc1_glia" and s["context"] == "glia" for s in species)
    code, text, _ = run(capsys, "model", "reactions", "--json")
    assert any("m_rheb_mtorc1" in r["mechanisms"] for r in json.loads(text))


def test_export_sbml_and_antimony(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sbml, ant = tmp_path / "m.xml", tmp_path / "m.ant"
    assert run(capsys, "export", "sbml", "-o", str(sbml))[0] == 0
    assert run(capsys, "export", "antimony", "-o", str(ant))[0] == 0
    assert "<sbml" in sbml.read_text() and 'level="3"' in sbml.read_text()
    assert "r_rag:" in ant.read_text()
    code, _, err = run(capsys, "export", "sbmll", "-o", str(tmp_path / "m.x"))
    assert code != 0 and "unknown export format 'sbmll'; nearest: sbml" in err
    assert not (tmp_path / "m.x").exists()


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("sbgn", "<sbgn"), ("sbml-qual", "qual:qualitativeSpecies"), ("graphml", "<graphml"),
     ("json", '"mechanisms"'), ("sif", "\tinhibits\t")],
)  # fmt: skip
def test_export_writes_every_knowledge_base_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, marker: str
) -> None:
    out = tmp_path / f"kb.{fmt}"
    code, _, _ = run(capsys, "export", fmt, "-o", str(out))
    assert code == 0 and marker in out.read_text(encoding="utf-8")
