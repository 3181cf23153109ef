"""Running ``mtorlab`` in a new interpreter, as a user's shell does (shared by the tests that
check a user drug or a model extension in every command; not a test module)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def mtorlab(*args: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``mtorlab ARGS`` in a new interpreter, recording into a store under ``cwd``."""
    env = {**os.environ, "MTORLAB_STORE": str(cwd / "store")}
    return subprocess.run(
        [sys.executable, "-m", "mtorlab.cli", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=timeout,
        check=False,
    )  # fmt: skip


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    """The standard output of a run that must succeed (else its stderr as the failure)."""
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
