"""``mtorlab validate`` as a user runs it: table, JSON, one HTML page, PEtab tables, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mtorlab.cli import main

PASSING = "PK-KET-HUMAN-IV-40MIN,SIG-KET-RAT-HIPP-PMTOR-DOSE"
EXPECTED_FAILURE = "BDNF-SERUM-AD-SHIMIZU"  # held out, a numeric measurement (LIM-8)


def test_table_json_html_and_petab(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html, petab = tmp_path / "v.html", tmp_path / "petab"
    only = f"{PASSING},{EXPECTED_FAILURE}"
    assert main(["validate", "--only", only, "--html", str(html), "--petab", str(petab)]) == 0
    out = capsys.readouterr().out
    assert "PK-KET-HUMAN-IV-40MIN" in out and "XFAIL" in out and "held_out" in out
    assert "training " in out and "passed" in out  # the summary by split
    page = html.read_text(encoding="utf-8")
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 3  # one figure each
    assert not re.search(r'(src|href)="(?!data:)', page)  # self-contained
    meas = pd.read_csv(petab / "measurements.tsv", sep="\t")
    assert {"observableId", "simulationConditionId", "time", "measurement",
            "noiseParameters"} <= set(meas.columns)  # fmt: skip
    # direction-only findings are not PEtab measurements; the PK numbers are
    assert set(meas["datasetId"]) == {"PK-KET-HUMAN-IV-40MIN", EXPECTED_FAILURE}
    conds = pd.read_csv(petab / "conditions.tsv", sep="\t")
    assert all((petab / f).is_file() for f in conds["scenarioFile"])
    assert set(meas["simulationConditionId"]) <= set(conds["conditionId"])

    assert main(["validate", "--only", "pk", "--split", "held_out", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {d["split"] for d in doc["datasets"]} == {"held_out"}
    assert {d["status"] for d in doc["datasets"]} <= {"pass", "xfail"}


def test_unknown_dataset_and_bad_split_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--only", "PK-NOPE"]) == 2
    assert "unknown dataset or level 'PK-NOPE'" in capsys.readouterr().err
    assert main(["validate", "--split", "test"]) == 2
    assert "training or held_out" in capsys.readouterr().err


def test_a_failing_dataset_makes_the_exit_code_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like `claims`: an expected failure is exit 0, an unexplained one is exit 1."""
    import mtorlab.validation as validation

    real = validation.load_datasets

    def without_limitation() -> dict[str, object]:
        data = real()
        data[EXPECTED_FAILURE] = data[EXPECTED_FAILURE].model_copy(
            update={"expected_failure": None}
        )
        return data  # type: ignore[return-value]

    monkeypatch.setattr(validation, "load_datasets", without_limitation)
    assert main(["validate", "--only", EXPECTED_FAILURE]) == 1
    assert "FAIL " in capsys.readouterr().out
