"""``mtorlab kb`` commands, run through the CLI entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from mtorlab.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb")
    assert code == 0
    assert "claims: 56 (46 testable)" in out
    assert "testable supported: 46/46" in out
    code, out, _ = run(capsys, "kb", "--json")
    data = json.loads(out)
    assert data["claims"] == 56 and data["tensions"] == 6


def test_show_claim_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    code, zh, _ = run(capsys, "kb", "show", "UP-06", "--lang", "zh")
    assert code == 0 and "Rag" in zh and "溶酶体" in zh
    code, en, _ = run(capsys, "kb", "show", "UP-06", "--lang", "en")
    assert code == 0 and "lysosom" in en.lower() and "溶酶体" not in en


def test_show_entity_by_hgnc_symbol(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "show", "DDIT4", "--json")
    assert code == 0
    assert json.loads(out)["record"]["id"] == "ddit4"


def test_path_prints_chain_with_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "path", "ketamine", "synaptic_protein_synthesis")
    assert code == 0
    chain = out.splitlines()[1]
    for node in ("nmdar", "glutamate_burst", "ampar", "bdnf", "ntrk2", "pi3k", "akt", "mtorc1"):
        assert node in chain
    assert out.count("evidence:") >= chain.count("→") + chain.count("⊣")


def test_tensions_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "tensions", "--json")
    assert code == 0
    assert [t["id"] for t in json.loads(out)] == [f"CX-{i}" for i in range(1, 7)]


@pytest.mark.parametrize("fmt", ["json", "graphml", "sif"])
def test_export_formats_parse(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"kb.{fmt}"
    code, _, _ = run(capsys, "kb", "export", "--format", fmt, "-o", str(target))
    assert code == 0
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert len(data["claims"]) == 56
        n_mech = len(data["mechanisms"])
    elif fmt == "graphml":
        g = nx.read_graphml(target)
        assert g.has_edge("ketamine", "nmdar")
    else:
        rows = [line.split("\t") for line in text.splitlines()]
        assert all(len(r) == 3 and r[1] in ("activates", "inhibits") for r in rows)
        assert ["ketamine", "inhibits", "nmdar"] in rows
    if fmt == "json":
        assert n_mech > 100


def test_unknown_entity_is_one_line_and_nonzero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "kb", "show", "ketamin")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "unknown" in err and "ketamine" in err


def test_bad_export_format_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "kb.xml"
    code, _, err = run(capsys, "kb", "export", "--format", "xml", "-o", str(target))
    assert code == 2 and "allowed: json, graphml, sif" in err
    assert not target.exists()


def test_console_script_error_has_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mtorlab.cli", "kb", "path", "ketamine", "nowhere"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("mtorlab: error: unknown")


def test_trace_goes_from_a_readout_back_to_the_review(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "trace", "synaptic_strength", "--json")
    assert code == 0
    steps = json.loads(out)
    mech_ids = {m["id"] for s in steps for m in s["mechanisms"]}
    # the chain from spines back to mTORC1 and the BDNF loop is reached
    assert {
        "m_spines_synaptic_strength",
        "m_mtorc1_synaptic_protein_synthesis",
        "m_bdnf_trkb",
    } <= mech_ids
    assert steps[0]["element"] in {"r_synaptic_strength", "synaptic_strength"}
    assert all(m["evidence"] for s in steps for m in s["mechanisms"])
    code, _, err = run(capsys, "kb", "trace", "synaptic_strenght")
    assert code == 2 and "nearest: synaptic_strength" in err


def test_model_is_callable_after_its_subpackage_is_imported() -> None:
    import mtorlab as mt
    import mtorlab.ode

    assert "depression_score" in mt.model().readout_ids
