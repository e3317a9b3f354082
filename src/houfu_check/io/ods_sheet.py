"""One table of an ``.ods`` (OpenDocument) workbook, looked at before it is read.

``content.xml`` holds every table; it is parsed as a stream (namespace-aware, a DTD refused).
Repeated rows and columns (``number-rows-repeated``) count at their full extent, since the
reader expands them. LibreOffice saves a yes/no cell as the formula ``of:=TRUE()`` with the
value 1: such a cell is the boolean it says, and any other formula is refused.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from houfu_check.io.sheet_facts import Inspected, bound, constant_boolean, first_line, unreadable_in
from houfu_check.io.xlsx_sheet import expat_said, local, xml_parser

_PREFIX = re.compile(r"^(?:of|ooxml|msoxl):", re.I)  # the formula's syntax, not its text


def inspect(path: Path, display: str, sheet: str) -> Inspected:
    """Bound the table, refuse a DTD, and find formula, error and TRUE()/FALSE() cells."""
    from xml.parsers import expat

    unreadable = unreadable_in(display, sheet, "content.xml")
    scan = _Scan(sheet)
    parser = xml_parser(scan)
    try:
        with zipfile.ZipFile(path) as zf, zf.open(_content(zf)) as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        unreadable(expat_said(exc))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        unreadable(first_line(exc))
    if not scan.seen:
        unreadable(f"no table named {sheet!r} is listed")
    return bound(scan.found, display, sheet)


def _content(zf: zipfile.ZipFile) -> str:
    names = {n.casefold(): n for n in zf.namelist()}
    return names.get("content.xml", "content.xml")


def _count(attrs: dict[str, str], name: str) -> int:
    value = next((v for k, v in attrs.items() if local(k) == name), "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 9 else 1


class _Scan:
    """expat handlers over content.xml: the named table's cells, with their repeats."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.found = Inspected()
        self.seen = False
        self.depth = 0  # tables entered; only the named one, at the top level, is looked at
        self.inside = False
        self.row = 0  # 0-based index of the current row
        self.row_repeat = 1
        self.col = 0
        self.cell: dict[str, str] | None = None
        self.col_repeat = 1
        self.text: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        if tag == "table":
            self.depth += 1
            named = next((v for k, v in attrs.items() if local(k) == "name"), None)
            self.inside = self.depth == 1 and named == self.sheet
            self.seen = self.seen or self.inside
            self.row = 0
        elif not self.inside:
            return
        elif tag == "table-row":
            self.row_repeat, self.col = _count(attrs, "number-rows-repeated"), 0
        elif tag in ("table-cell", "covered-table-cell") and self.cell is None:
            self.cell = {("calcext:" if "calcext" in k else "") + local(k): v for k, v in attrs.items()}
            self.col_repeat = _count(attrs, "number-columns-repeated")
            self.text = []
            if _count(attrs, "number-columns-spanned") > 1 or _count(attrs, "number-rows-spanned") > 1:
                self.found.merges += self.col_repeat * self.row_repeat

    def end(self, name: str) -> None:
        tag = local(name)
        if tag == "table":
            self.depth -= 1
            self.inside = False
        elif not self.inside:
            return
        elif tag == "table-row":
            self.row += self.row_repeat
        elif tag in ("table-cell", "covered-table-cell") and self.cell is not None:
            self._cell(self.cell, "".join(self.text))
            self.col += self.col_repeat
            self.cell = None

    def _cell(self, attrs: dict[str, str], text: str) -> None:
        formula = attrs.get("formula")
        kind = attrs.get("value-type", "")
        if not (formula or kind or text.strip()):
            return  # an empty cell, however often repeated, is not read
        found, row = self.found, self.row + 1
        found.rows = max(found.rows, self.row + self.row_repeat)
        found.cols = max(found.cols, self.col + self.col_repeat)
        if formula is not None:
            value = constant_boolean(formula)
            if value is not None:
                found.booleans[(row, self.col)] = value
            else:
                found.formulas.append((row, self.col, "=" + _PREFIX.sub("", formula).lstrip("=")))
        elif kind == "error" or attrs.get("calcext:value-type") == "error":
            found.errors.append((row, self.col, text.strip() or "#N/A"))

    def chars(self, data: str) -> None:
        if self.cell is not None:
            self.text.append(data)

    def doctype(self, *args: object) -> None:
        raise ValueError("a DTD")
