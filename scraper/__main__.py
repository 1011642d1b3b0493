"""``python -m scraper``: the same as the ``scraper`` command."""

import sys

from .cli import main

sys.exit(main())
