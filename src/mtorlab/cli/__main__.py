"""``python -m mtorlab.cli``."""

import sys

from mtorlab.cli import main

sys.exit(main())
