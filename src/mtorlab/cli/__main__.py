"""``python -m mtorlab.cli``."""

from mtorlab.cli import run

run()
