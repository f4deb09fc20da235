"""``python -m fraudkit.train <app> [<app> ...]``: the documented training command, kept here as a name;
the work is in ``fraudkit.training.cli`` (training env only, left out of the app images)."""

import sys

from fraudkit.training.cli import main

if __name__ == "__main__":
    sys.exit(main())
