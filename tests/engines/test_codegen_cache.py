"""The kernel cache only executes files it can trust (issue 16 item 12)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from mtorlab.engines._codegen import _trusted, _write_private


def _kernel(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "kernels_abc.py"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    _write_private(path, f"# sha256: {digest}\n{body}".encode())
    return path


def test_an_intact_private_kernel_file_is_trusted(tmp_path: Path) -> None:
    path = _kernel(tmp_path, "def rhs():\n    return 1\n")
    assert _trusted(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["kernels_abc.py"]  # no temp file left


def test_a_tampered_or_shared_kernel_file_is_not_executed(tmp_path: Path) -> None:
    path = _kernel(tmp_path, "def rhs():\n    return 1\n")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("return 1", "return __import__('os').getpid()"), encoding="utf-8")
    assert not _trusted(path)  # the digest no longer matches
    path = _kernel(tmp_path, "x = 1\n")
    os.chmod(path, 0o666)
    assert not _trusted(path)  # others could have written it
    assert not _trusted(tmp_path / "missing.py")
    (tmp_path / "old.py").write_text("x = 1\n", encoding="utf-8")
    assert not _trusted(tmp_path / "old.py")  # a file from before the digest header
