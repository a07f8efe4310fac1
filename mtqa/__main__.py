"""``python -m mtqa``: the command line (:func:`mtqa.cli.main`)."""

import sys

from mtqa.cli import main

sys.exit(main())
