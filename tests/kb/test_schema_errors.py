"""Broken knowledge-base files give one error naming file, entry and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtorlab.errors import DataFileError
from mtorlab.kb import load


def _kb_with(data_dir: Path, tmp_path: Path, broken: str) -> Path:
    """A copy of tests/data/kb_min with one file replaced by a broken variant."""
    root = tmp_path / "kb"
    shutil.copytree(data_dir / "kb_min", root)
    target = broken.split(".", 1)[1]  # e.g. "mechanisms.yaml"
    shutil.copy(data_dir / "kb_broken" / broken, root / target)
    return root


def test_minimal_kb_loads(data_dir: Path) -> None:
    kb = load(data_dir / "kb_min")
    assert set(kb.entities) == {"amino_acids", "rag_gtpases", "mtorc1", "autophagy"}
    assert [m.id for m in kb.mechanisms_for_claim("UP-06")] == [
        "m_amino_acids_rag",
        "m_rag_recruits_mtorc1",
    ]


@pytest.mark.parametrize(
    ("broken", "entry", "field", "says"),
    [
        ("bad_yaml.mechanisms.yaml", None, None, "malformed YAML at line 5"),
        ("unknown_entity.mechanisms.yaml", "m_amino_acids_rag", "object", "nearest: rag_gtpases"),
        (
            "missing_evidence.mechanisms.yaml",
            "m_amino_acids_rag",
            "evidence",
            "required field is missing",
        ),
        ("review_without_quote.mechanisms.yaml", "m_amino_acids_rag", "evidence.0", "quote_zh"),
        ("bad_sign.mechanisms.yaml", "m_amino_acids_rag", "sign", "'up' is not allowed"),
        ("unknown_claim.mechanisms.yaml", "m_amino_acids_rag", "claims", "unknown claim 'UP-66'"),
        ("duplicate_id.entities.yaml", "amino_acids", "id", "duplicate id"),
        ("bad_kind.entities.yaml", "amino_acids", "kind", "'nutrient' is not allowed"),
        ("unsupported_testable.claims.yaml", "UP-07", "testable", "at least one mechanism"),
        ("unknown_tension_mechanism.tensions.yaml", "CX-9", "mechanisms", "m_nonexistent"),
        ("resolved_without_context.tensions.yaml", "CX-9", "resolution", "name the context"),
    ],
)
def test_broken_file_names_file_entry_field(
    data_dir: Path, tmp_path: Path, broken: str, entry: str | None, field: str | None, says: str
) -> None:
    root = _kb_with(data_dir, tmp_path, broken)
    with pytest.raises(DataFileError) as err:
        load(root)
    exc = err.value
    assert exc.file == str(root / broken.split(".", 1)[1])
    assert exc.entry == entry
    assert exc.field == field
    assert says in str(exc)
    assert str(exc).count("\n") == 0, "the message must be one line"


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no knowledge-base files"):
        load(tmp_path)


def test_wrong_top_level_key(data_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(data_dir / "kb_min", root)
    (root / "extra.yaml").write_text("reactions: []\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="exactly one top-level key"):
        load(root)
