"""``python -m mtorlab``."""

import sys

from mtorlab.cli import main

sys.exit(main())
