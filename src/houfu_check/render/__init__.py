"""Output formats: one module per format behind the :class:`Renderer` interface.

Every format renders the same :class:`~houfu_check.report.Report`, and the problems that
stop a run (invalid data or rules) so that machine formats stay parseable in every case.
Add a format by writing a module and naming it in :data:`FORMATS`.
"""

from __future__ import annotations

from houfu_check.render.base import Options, Renderer
from houfu_check.render.json_format import JsonRenderer
from houfu_check.render.terminal import TerminalRenderer

FORMATS: dict[str, type[Renderer]] = {
    "terminal": TerminalRenderer,
    "json": JsonRenderer,
}


def renderer(name: str) -> Renderer:
    """The renderer for format ``name``; KeyError when there is none."""
    return FORMATS[name]()


__all__ = ["FORMATS", "Options", "Renderer", "renderer"]
