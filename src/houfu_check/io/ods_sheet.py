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
    tables = _scan_all(path, display, sheet)
    if sheet not in tables:
        unreadable_in(display, sheet, "content.xml")(f"no table named {sheet!r} is listed")
    return bound(tables[sheet], display, sheet)


def bound_all(path: Path, display: str) -> None:
    """Every table's extent bounded before the Excel reader opens the file: it reads the whole
    of content.xml at once, each repeated row and cell expanded."""
    for name, found in _scan_all(path, display, "").items():
        bound(found, display, name)


def sheet_names(path: Path, display: str) -> list[str]:
    """The tables content.xml holds, in order."""
    return list(_scan_all(path, display, ""))


_last: tuple[tuple[str, int, int], dict[str, Inspected]] | None = None  # the scan just made


def _scan_all(path: Path, display: str, sheet: str) -> dict[str, Inspected]:
    """What each table holds, by one streaming parse of content.xml (kept for the call that
    follows: bounding before opening, then inspecting the table read)."""
    global _last
    from xml.parsers import expat

    facts = path.stat()
    key = (str(path), facts.st_mtime_ns, facts.st_size)
    if _last is not None and _last[0] == key:
        return _last[1]
    unreadable = unreadable_in(display, sheet, "content.xml")
    scan = _Scan()
    parser = xml_parser(scan)
    try:
        with zipfile.ZipFile(path) as zf, zf.open(_content(zf)) as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        unreadable(expat_said(exc))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        unreadable(first_line(exc))
    _last = (key, scan.tables)
    return scan.tables


def _content(zf: zipfile.ZipFile) -> str:
    names = {n.casefold(): n for n in zf.namelist()}
    return names.get("content.xml", "content.xml")


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_HUGE = 1 << 40  # a repeat the reader would take as this many, or more: over every bound


def _count(attrs: dict[str, str], name: str) -> int:
    """A repeat or span, read as the reader reads it (an unsigned number, a leading '+' allowed);
    anything else counts 1."""
    value = next((v for k, v in attrs.items() if local(k) == name), "1").strip()
    digits = value.removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        return 1
    return min(int(digits[:16]), _HUGE) if len(digits) <= 16 else _HUGE


def _short(key: str) -> str:
    """An attribute's key as the checks name it: the table's and office's own attributes by
    their local name, calcext's as ``calcext:…``; one of another namespace keeps its namespace,
    so that it never stands in for the real one (``foo:formula`` is not ``table:formula``)."""
    uri, _, name = key.rpartition(" ")
    if "calcext" in uri:
        return "calcext:" + name
    if not uri or uri in (_TABLE_NS, "urn:oasis:names:tc:opendocument:xmlns:office:1.0"):
        return name
    return key


class _Scan:
    """expat handlers over content.xml: every table's cells, with their repeats."""

    def __init__(self) -> None:
        self.tables: dict[str, Inspected] = {}
        self.found = Inspected()
        self.depth = 0  # tables entered: a table inside a cell is refused
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
            if self.depth > 1:
                raise ValueError("a table inside a cell")
            if sum(local(k) == "name" for k in attrs) > 1:
                raise ValueError("a table with two names")  # the reader may take either
            named = attrs.get(f"{_TABLE_NS} name", "")
            self.found = self.tables.setdefault(named, Inspected())
            self.inside, self.row = True, 0
        elif not self.inside:
            return
        elif tag == "table-row":
            self.row_repeat, self.col = _count(attrs, "number-rows-repeated"), 0
        elif tag in ("table-cell", "covered-table-cell") and self.cell is None:
            self.cell = {_short(k): v for k, v in attrs.items()}
            self.col_repeat = _count(attrs, "number-columns-repeated")
            self.text = []
            if _count(attrs, "number-columns-spanned") > 1 or _count(attrs, "number-rows-spanned") > 1:
                self.found.merges += min(self.col_repeat * self.row_repeat, _HUGE)

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
