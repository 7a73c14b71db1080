"""``python -m tablerecon``: the same command line as the ``tablerecon`` script."""

import sys

from tablerecon.cli import main

sys.exit(main())
