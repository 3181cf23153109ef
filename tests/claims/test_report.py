"""Presenting the suite: summary by split, JSON, the self-contained HTML page and the CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import mtorlab as mt
from mtorlab.claims._report import as_html, as_json, run_suite, summary
from mtorlab.claims._runner import load_checks
from mtorlab.cli import main

QUICK = ["UP-06", "UP-10", "CX-3"]  # steady-state and short arms: two passes, an xfail


@pytest.fixture(scope="module")
def results() -> list:
    checks = load_checks()
    return run_suite([checks[i] for i in QUICK])


def test_summary_counts_by_split(results: list) -> None:
    s = summary(results)
    assert s["all"]["total"] == 3
    assert s["held_out"]["xfail"] == 1
    assert sum(s[split]["total"] for split in ("training", "held_out")) == 3


def test_json_carries_claim_text_and_evidence(results: list) -> None:
    zh = as_json(results, mt.knowledge_base(), lang="zh")
    by_id = {c["id"]: c for c in zh["checks"]}
    assert re.search(r"[\u4e00-\u9fff]", by_id["UP-10"]["claim_text"])
    assert by_id["UP-10"]["evidence"][0]["quote_zh"]
    assert by_id["CX-3"]["status"] == "xfail"
    json.dumps(zh, ensure_ascii=False)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_with_summary_and_rows(results: list) -> None:
    page = as_html(results, mt.knowledge_base())
    parser = _Tags()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert "style" in tags and "script" not in tags and "link" not in tags
    assert not any(a.get("src") or a.get("href") for _, a in parser.tags)
    rows = [a.get("id") for t, a in parser.tags if t == "tr" and a.get("id")]
    assert rows == QUICK
    assert "Training" in page and "Held out" in page
    assert 'class="st xfail"' in page and 'class="st pass"' in page
    assert "review §1.1" in page and "「" in page


def test_cli_json_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code = main(["claims", "--only", "UP-06,CX-3", "--json", "--html", str(out)])
    data = json.loads(capsys.readouterr().out)
    assert code == 0  # a pass and an xfail: nothing failed
    assert [c["id"] for c in data["checks"]] == ["UP-06", "CX-3"]
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_exits_non_zero_on_a_failing_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "checks.yaml"
    bad.write_text(
        "checks:\n"
        "  - id: UP-11\n"
        "    claims: [UP-11]\n"
        "    statement: A check that cannot pass.\n"
        "    reading: oxidative stress must raise neuronal mTORC1, the opposite of the model.\n"
        "    split: training\n"
        "    arms:\n"
        "      control: {species: mouse, duration: 1 h}\n"
        "      ox: {species: mouse, duration: 1 h, condition: {oxidative_stress: 0.5}}\n"
        "    assertions:\n"
        "      - {type: increases, readout: mtorc1_neuron, arm: ox, vs: control, at: 0 h}\n",
        encoding="utf-8",
    )
    assert main(["claims", "--checks", str(bad), "--lang", "zh"]) == 1
    printed = capsys.readouterr().out
    assert "UP-11" in printed and "FAIL" in printed and "evidence: review §1.1" in printed


def test_cli_rejects_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims", "--split", "test"]) == 2
    assert main(["claims", "--only", "KET-99"]) == 2
    assert "KET-99" in capsys.readouterr().err
