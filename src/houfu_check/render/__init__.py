"""Output formats: one module per format behind the :class:`Renderer` interface.

Every format renders the same :class:`~houfu_check.report.Report`, and the problems that
stop a run (invalid data or rules) so that machine formats stay parseable in every case.
Add a format by writing a module and naming it in :data:`FORMATS`.
"""

from __future__ import annotations

from importlib import import_module

from houfu_check.render.base import Options, Renderer

#: format name → "module:class"; a module is imported only when its format is used
#: (the terminal format needs rich, which a CI job asking for JSON should not pay for).
FORMATS: dict[str, str] = {
    "terminal": "houfu_check.render.terminal:TerminalRenderer",
    "json": "houfu_check.render.json_format:JsonRenderer",
    "markdown": "houfu_check.render.markdown:MarkdownRenderer",
    "html": "houfu_check.render.html:HtmlRenderer",
    "junit": "houfu_check.render.junit:JunitRenderer",
}


def renderer(name: str) -> Renderer:
    """The renderer for format ``name``; KeyError when there is none."""
    module, _, cls = FORMATS[name].partition(":")
    made: Renderer = getattr(import_module(module), cls)()
    return made


__all__ = ["FORMATS", "Options", "Renderer", "renderer"]
