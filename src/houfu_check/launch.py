"""The console script's entry point: the command line imported, then run.

Importing the command line takes ~0.1 s (typer, the option types); a Ctrl+C in that time
ends the run as one later does (exit 130, no traceback), which only a module that imports
nothing else can promise.
"""

from __future__ import annotations

import gc
import sys

#: the cyclic garbage collector's thresholds: a run makes hundreds of thousands of objects (a
#: county's thousands of town files, their tables, frames and positions), nearly all freed by
#: reference counting, so a collection after every 700 (the default) looks at them for little;
#: after every 50,000 a county's 1,600 town folders read ~5% faster, and the national peak is
#: what it was
GC_THRESHOLDS = (50_000, 20, 100)


def main() -> None:
    """Import the command line and run it; an interrupt while it loads ends quietly."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        from houfu_check.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.exit(130)
