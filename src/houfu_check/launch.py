"""The console script's entry point: the command line imported, then run.

Importing the command line takes ~0.1 s (typer, the option types); a Ctrl+C in that time
ends the run as one later does (exit 130, no traceback), which only a module that imports
nothing else can promise.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Import the command line and run it; an interrupt while it loads ends quietly."""
    try:
        from houfu_check.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.exit(130)
