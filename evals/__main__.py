"""``python -m evals [options]``: the same as ``survey-rag eval [options]``."""

from __future__ import annotations

import sys

from rag.cli import main

if __name__ == "__main__":
    sys.exit(main(["eval", *sys.argv[1:]]))
