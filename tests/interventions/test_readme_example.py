"""The README's worked example of a new drug is a valid library entry (issue 15: its
provenance reasons were too short to validate, so a user copying it got an error)."""

from __future__ import annotations

from pathlib import Path

import yaml

from mtorlab.interventions import parse_entries

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_drug_entry_validates() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("```yaml\ndrugs:\n")
    block = text[start + len("```yaml\n") : text.index("```", start + 8)]
    (drug,) = parse_entries(yaml.safe_load(block)["drugs"], "README.md")
    assert drug.id == "zz_agonist" and drug.targets[0].mechanisms == ("m_daidzein_akt",)
