"""``mtorlab report``: one self-contained page with plots, tables, evidence and provenance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mtorlab.cli import main
from mtorlab.store import RunStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_report_of_two_scenarios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, store = tmp_path / "report", tmp_path / "store"
    files = [EXAMPLES / "ketamine_single_dose_rat.yaml", EXAMPLES / "zhizichi_cums_mouse.yaml"]
    assert main(["report", *map(str, files), "-o", str(out), "--store", str(store)]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "report:" in capsys.readouterr().out
    # self-contained: every image inline, no links to other files
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 3  # two runs + comparison
    assert not re.search(r'(src|href)="(?!data:)', page)
    # the run ids of the store, the scenario text, the evidence and the provenance
    ids = [r.id for r in RunStore(store).list()]
    assert len(ids) == 2 and all(i in page for i in ids)
    assert "dose: 10 mg/kg" in page
    assert "m_ketamine_nmdar" in page and "「" in page  # a mechanism with its Chinese quote
    assert "Zanos P et al. 2018" in page  # a potency with its literature source
    assert "assumed" in page and "calibrated" in page
    # issue 15's glitches: no empty reference lists, PK rows say which field they are
    assert "[]" not in page
    assert "bioavailability.ip" in page and "absorption_half_life.ip" in page
    # a falling readout's extreme is its minimum: the table has min and max, not "peak"
    assert "<th>min</th>" in page and "<th>max</th>" in page and ">peak<" not in page
