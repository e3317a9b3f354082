"""Text from the data or a plan pack made inert for the place it goes: one module for every
output, so that each format's rule is written once and tested across all of them
(``tests/test_injection.py``).

Data text (community names, a pack's titles, waiver reasons) may hold terminal escapes, bidi
overrides, markup or formulas. Each function below drops what its medium would act on:

>>> for_terminal("名称\\x1b]8;;http://x\\x07")
'名称]8;;http://x'
>>> for_cell("=1+1")
"'=1+1"
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

#: A cell starting with one of these is a formula (or its prelude) to Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$~@!&])")  # $ maths, ~ strike, @ mentions, & entities
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto|www)([:.])")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def for_terminal(text: str) -> str:
    """For a terminal or a log: control and escape characters (and line separators) dropped."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" and ch not in "\u2028\u2029")


def for_html(text: object) -> str:
    """For HTML text or an attribute: escaped, control characters dropped."""
    flat = "".join(ch for ch in str(text) if ch.isprintable() or ch in "\n\t")
    return escape(flat, quote=True)


def for_markdown(text: str) -> str:
    """For Markdown: specials escaped, line breaks and controls gone, and no bare address that
    a renderer would turn into a link."""
    flat = "".join(" " if not ch.isprintable() else ch for ch in text)
    return _AUTOLINK.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", flat))


def for_xml(text: object) -> str:
    """For XML 1.0 (ElementTree escapes the rest): no character XML cannot carry, and no control
    or invisible format character (bidi overrides, zero-width marks) to disguise it in a CI log."""
    return "".join(ch for ch in _NOT_XML.sub("", str(text)) if ch in "\n\t" or ch.isprintable())


def for_cell(text: str) -> str:
    """For a CSV or spreadsheet cell: control and invisible format characters gone, line breaks
    and tabs as spaces, and a leading formula character — before or after that cleaning — with a
    ' before it."""
    first = text.startswith(FORMULA_STARTS)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " if ch in "\t\n\r" else "" for ch in text)
    return "'" + text if first or text.startswith(FORMULA_STARTS) else text


def for_label(text: str, limit: int) -> str:
    """For a chart label: control characters dropped, cut to ``limit`` characters."""
    flat = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
