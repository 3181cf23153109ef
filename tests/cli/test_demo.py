"""``mtorlab demo`` writes a report whose every image link resolves."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from mtorlab.cli import main


def test_demo_writes_a_linked_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"report: {(out / 'index.html').resolve()}" in printed
    page = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'src="([^"]+)"', page)
    assert len(links) >= 8
    for link in links:
        target = out / link
        assert target.is_file() and target.stat().st_size > 1000, link
        if link.endswith(".svg"):
            ElementTree.parse(target)  # well-formed SVG
        else:
            assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for claim in ("KET-04", "KET-05", "KET-06", "RAPA-04", "RAPA-05", "TCM-01"):
        assert claim in page
    for href in re.findall(r'href="([^"]+)"', page):
        assert (out / href).is_file(), href
    claims = (out / "claims.html").read_text(encoding="utf-8")
    assert "KET-04" in claims and "claims suite:" in printed
    assert "图1" in (out / "fig1_zh.svg").read_text(encoding="utf-8")
