"""``python -m mtorlab``."""

from mtorlab.cli import run

run()
