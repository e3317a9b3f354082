"""Read one worksheet of an ``.xlsx`` workbook as a text table (python-calamine, in Rust).

Town ledgers put a title row or two above the header and merge header cells, so the header
is the row, among the first :data:`HEADER_SEARCH_ROWS`, that names the most columns of the
contract; an empty cell of it takes the value of a merged range that covers it. Rows are
the sheet's own row numbers. Cells become the text a CSV export would hold (``3`` for the
number 3, ``true`` for TRUE), and validation then treats them exactly as CSV cells. A cell
holding a formula is refused: its stored result may be stale or missing, and the ledger
should hold the values that were reported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import polars as pl

from houfu_check.errors import (
    BadWorkbook,
    DataError,
    EmptyFile,
    ErrorLog,
    ErrorValueCell,
    FormulaCell,
    HeaderNotFound,
    NoRecords,
    ProblemsFound,
    TooLarge,
)
from houfu_check.io.table import RawTable
from houfu_check.limits import MAX_MERGED_RANGES, MAX_SHEET_CELLS, MAX_WORKBOOK_BYTES

HEADER_SEARCH_ROWS = 30
_SPACE = re.compile(r"\s+")
Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def visible_sheets(path: Path, display: str) -> list[str]:
    """The visible worksheets of ``path`` (hidden ones are not data); :class:`ProblemsFound`
    when it is no readable workbook."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    _check_unpacked_size(path, display)  # before the reader unpacks anything (a zip bomb)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        _fail(BadWorkbook(file=display, note=_first_line(exc)))
    try:
        return [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
    finally:
        book.close()


def read_excel_table(
    path: Path,
    display: str,
    sheet: str | None,
    names: Callable[[str], bool],
    unit: str,
    personal: Callable[[str], bool] = lambda cell: False,
    read: Callable[[str], bool] | None = None,
    example: str = "the contract's column names",
    choices: Sequence[str] = (),
    named: Sequence[str] = (),
) -> RawTable:
    """Read worksheet ``sheet`` (None: the first) of ``path``; ``names`` tells a contract header,
    ``personal`` a column whose cells are never kept (names of people), ``read`` a column the
    tool reads (only there is a formula refused; default: every column ``names`` knows);
    ``example`` names headers the message may suggest; ``choices`` the workbook's sheets and
    ``named`` the sheet names the table is read from, for the message when the sheet taken
    (the first, none being named so) is empty."""
    from python_calamine import CalamineWorkbook

    _check_unpacked_size(path, display)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        _fail(BadWorkbook(file=display, note=_first_line(exc)))
    chosen = sheet if sheet is not None else (book.sheet_names or [""])[0]
    try:
        inspected = inspect_sheet(path, display, chosen)  # bounds, DTD and formulas, from the XML
    except ProblemsFound:
        book.close()
        raise
    try:
        ws = book.get_sheet_by_name(chosen)
        rows: list[list[Cell]] = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except Exception as exc:
        _fail(BadWorkbook(file=display, sheet=chosen, note=_first_line(exc)))
    finally:
        book.close()
    while rows and not any(_text(c) for c in rows[-1]):
        rows.pop()
    if not rows:
        note = ": the sheet is empty"
        if len(choices) > 1:
            note += (
                f"; the workbook's sheets are {', '.join(choices)}, and the data is read from a sheet "
                f"named {' or '.join(named)}, else from the first sheet: rename the sheet that holds the "
                "data, or delete the empty one"
            )
        _fail(EmptyFile(file=display, sheet=chosen, note=note))
    header_row = _find_header(rows, names)
    if header_row is None:
        _fail(
            HeaderNotFound(
                file=display,
                sheet=chosen,
                note=f"no row among the first {HEADER_SEARCH_ROWS} names the columns; "
                f"expected a header row such as {example}",
            )
        )
    header = _header_cells(rows, header_row, merged, names)
    if header_row + 1 < len(rows):  # a two-level header: names under a merged group heading
        below = _header_cells(rows, header_row + 1, merged, names)
        gaps = {
            i: cell
            for i, cell in enumerate(below)
            if names(cell) and not (i < len(header) and names(header[i]))
        }
        if gaps:
            header += [""] * (len(below) - len(header))
            for i, cell in gaps.items():
                header[i] = cell
            header_row += 1
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    header = header[:width]
    body = rows[header_row + 1 :]
    if not body:
        _fail(NoRecords(file=display, sheet=chosen, note=unit))
    reads = read or names
    checked = {i for i, h in enumerate(header) if h and reads(h)}
    formulas = [f for f in inspected.formulas if f[0] >= header_row + 2 and f[1] < width and f[1] in checked]
    errors = [f for f in inspected.errors if f[0] >= header_row + 2 and f[1] < width and f[1] in checked]
    if formulas or errors:
        log = ErrorLog()
        found: list[DataError] = [
            FormulaCell(file=display, sheet=chosen, line=row, column=header[col] or _letters(col), value=text)
            for row, col, text in formulas
        ]
        found += [
            ErrorValueCell(
                file=display, sheet=chosen, line=row, column=header[col] or _letters(col), value=text
            )
            for row, col, text in errors
        ]
        found.sort(key=lambda p: (p.line or 0, p.column or ""))
        log.add_many(found[: log.cap], len(found))
        raise ProblemsFound(log)
    columns = [
        pl.Series(
            str(i),
            [""] * len(body) if personal(header[i]) else [_text(r[i]) if i < len(r) else "" for r in body],
            dtype=pl.String,
        )
        for i in range(width)
    ]
    return RawTable(
        display=display,
        path=path,
        encoding="xlsx",
        sha256=_sha256(path),
        header=header,
        frame=pl.DataFrame(columns),
        has_quotes=False,
        header_lines=header_row + 1,
        has_plus=True,
        sheet=chosen,
    )


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected workbook
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


def _check_signature(path: Path, display: str) -> None:
    """The file's first bytes decide what it is, not its name: an old .xls, a password-protected
    workbook or a CSV renamed to .xlsx gets a sentence a clerk can act on."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return  # the reader says what is wrong
    if head.startswith(_ZIP) or not head:
        return
    if head.startswith(_OLE):
        if _ENCRYPTED in head:
            note = (
                "the workbook is protected by a password, so it cannot be read; open it in Excel, remove "
                "the password (File → Info → Protect Workbook → Encrypt with Password), save it and run again"
            )
        else:
            note = (
                "this is an old Excel workbook (.xls, Excel 97–2003) with an .xlsx name; open it in Excel "
                "and save it as Excel Workbook (.xlsx)"
            )
        _fail(BadWorkbook(file=display, note=note))
    sample = head[:4096]
    text = b"\x00" not in sample and (b"," in sample or b"\t" in sample)
    note = (
        "this file is text (a CSV file?) with an .xlsx name; give it the name it should have (.csv)"
        if text
        else "this file is not an Excel workbook; open it in Excel and save it as Excel Workbook (.xlsx)"
    )
    _fail(BadWorkbook(file=display, note=note))


def _check_unpacked_size(path: Path, display: str) -> None:
    """Refuse a workbook that would unpack to more than :data:`MAX_WORKBOOK_BYTES` (a zip bomb),
    once its first bytes say that it is one (:func:`_check_signature`)."""
    _check_signature(path, display)
    try:
        with zipfile.ZipFile(path) as zf:
            size = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # calamine says what is wrong with it
    if size > MAX_WORKBOOK_BYTES:
        limit = MAX_WORKBOOK_BYTES / 2**30
        note = f"the workbook unpacks to {size / 2**30:.1f} GiB; at most {limit:.0f} GiB is read"
        _fail(TooLarge(file=display, note=note))


def header_key(cell: str) -> str:
    """A header cell as it is matched: no spaces or line breaks (wrapped headers are common)."""
    return _SPACE.sub("", cell)


def _find_header(rows: Sequence[Sequence[Cell]], names: Callable[[str], bool]) -> int | None:
    best, best_hits = None, 1  # a header names at least two columns
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for cell in row if names(header_key(_text(cell))))
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _header_cells(
    rows: Sequence[Sequence[Cell]],
    at: int,
    merged: Iterable[tuple[tuple[int, int], tuple[int, int]]],
    names: Callable[[str], bool],
) -> list[str]:
    """The header row's cells; an empty one takes the text of a merged range covering it."""
    cells = [header_key(_text(c)) for c in rows[at]]
    for (r0, c0), (r1, c1) in merged:
        if not r0 <= at <= r1:
            continue
        value = header_key(_text(rows[r0][c0])) if c0 < len(rows[r0]) else ""
        for col in range(c0, c1 + 1):
            while len(cells) <= col:
                cells.append("")
            if not cells[col] and names(value):
                cells[col] = value
    return cells


def _text(value: Cell | None) -> str:
    """A cell as the text a CSV export would hold."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- the sheet's XML, read safely before the Excel reader allocates -------------------------
#
# calamine gives values only, and allocates the used area of a sheet at once. So the sheet's
# XML is looked at first: the area its cell references span and its merged ranges are bounded,
# a DTD is refused, and formula cells are found by parsing (namespace-aware, any attribute
# order or quoting, Strict OOXML too), never by a pattern over the text.

_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,8})0*([0-9]{1,12})["']""")
_CELL = re.compile(rb"<(?:[^\s<>/:!?]+:)?c[\s/>]")
_MERGE = re.compile(rb"<(?:[^\s<>/:!?]+:)?mergeCell\b")
_HAS_FORMULA = re.compile(rb"<(?:[^\s<>/:!?]+:)?f[\s/>]")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_HAS_ERROR = re.compile(rb"""\st\s*=\s*["']e["']""")
_BOOLEAN_FORMULAS = {"TRUE()", "FALSE()", "TRUE", "FALSE", "=TRUE()", "=FALSE()"}


@dataclass(frozen=True)
class Inspected:
    """What the XML of one worksheet says before it is read."""

    formulas: list[tuple[int, int, str]]  # (sheet row, column index, formula) of formula cells
    errors: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)  # #N/A, #DIV/0! …


def inspect_sheet(path: Path, display: str, sheet: str) -> Inspected:
    """Bound the sheet (its used area, merged ranges), refuse a DTD, and find formula cells.

    Called once the Excel reader has opened the file: a sheet that cannot be inspected here
    is refused, never read unchecked.
    """

    def unreadable(why: str) -> NoReturn:
        note = f"its XML could not be checked ({why}); open it in Excel and save it again as .xlsx"
        _fail(BadWorkbook(file=display, sheet=sheet, note=note))

    try:
        with zipfile.ZipFile(path) as zf:
            workbook = _member(zf, "xl/workbook.xml")
            if _DOCTYPE.search(workbook):
                _fail(
                    BadWorkbook(
                        file=display,
                        note="xl/workbook.xml holds a DTD (<!DOCTYPE>); save the file again from Excel",
                    )
                )
            name = _sheet_member(zf, workbook, sheet)
            if name is None:
                unreadable(f"no worksheet named {sheet!r} is listed")
            xml = _member(zf, name)
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError) as exc:
        unreadable(_first_line(exc))
    if _DOCTYPE.search(xml):
        _fail(
            BadWorkbook(
                file=display,
                sheet=sheet,
                note="the sheet holds a DTD (<!DOCTYPE>); save the file again from Excel",
            )
        )
    rows = cols = 0
    refs = 0
    for m in _REF.finditer(xml):
        refs += 1
        rows = max(rows, int(m.group(2)))
        cols = max(cols, _column_index(m.group(1).upper().decode()) + 1)
    scan: _FormulaScan | None = None
    if refs < len(_CELL.findall(xml)) or _HAS_FORMULA.search(xml) or _HAS_ERROR.search(xml):
        # cells without a reference are placed by counting, like Excel: only a parse knows where
        scan = _scan(xml, unreadable)
        rows, cols = max(rows, scan.rows), max(cols, scan.cols)
    if rows * max(cols, 1) > MAX_SHEET_CELLS:
        note = (
            f"the sheet's cells span {rows:,} rows × {cols:,} columns; at most {MAX_SHEET_CELLS:,} cells "
            "are read: delete what lies far outside the table (Ctrl+End shows it)"
        )
        _fail(TooLarge(file=display, sheet=sheet, note=note))
    merges = len(_MERGE.findall(xml))
    if merges > MAX_MERGED_RANGES:
        note = (
            f"the sheet has {merges:,} merged ranges; at most {MAX_MERGED_RANGES:,} are read: "
            "unmerge the cells"
        )
        _fail(TooLarge(file=display, sheet=sheet, note=note))
    return Inspected(scan.found if scan is not None else [], scan.errors if scan is not None else [])


def _scan(xml: bytes, unreadable: Callable[[str], NoReturn]) -> _FormulaScan:
    """Every cell's place and every formula cell, by an XML parser: positions from the cell's
    reference, or counted like Excel where a cell or row has none. A sheet the parser refuses
    is refused (``unreadable``), never passed over."""
    from xml.parsers import expat

    scan = _FormulaScan()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.chars
    parser.StartDoctypeDeclHandler = scan.doctype
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        unreadable(f"line {exc.lineno}: {expat.errors.messages.get(exc.code, 'malformed XML')}")
    except ValueError as exc:
        unreadable(str(exc))
    return scan


class _FormulaScan:
    """expat handlers: where each <c> is, and whether it holds an <f> (any namespace prefix)."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str]] = []
        self.errors: list[tuple[int, int, str]] = []
        self.row, self.col = 0, -1
        self.in_formula, self.has_formula = False, False
        self.text: list[str] = []
        self.kind = ""  # the cell's type (t=): b, e, n, s, str, inlineStr
        self.in_value = False
        self.value: list[str] = []
        self.rows, self.cols = 0, 0  # the extent of the cells seen

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        ref = next((v for k, v in attrs.items() if _local(k) == "r"), None)
        if tag == "row":
            self.row = int(ref) if ref and ref.isascii() and ref.isdigit() else self.row + 1
            self.col = -1
        elif tag == "c":
            match = re.fullmatch(r"([A-Za-z]{1,8})0*([0-9]{1,12})", ref or "")
            if match:
                self.col, self.row = _column_index(match.group(1).upper()), int(match.group(2))
            else:
                self.col += 1
            self.rows, self.cols = max(self.rows, self.row), max(self.cols, self.col + 1)
            self.has_formula = False
            self.kind = next((v for k, v in attrs.items() if _local(k) == "t"), "")
            self.value = []
        elif tag == "v":
            self.in_value = True
        elif tag == "f":
            self.in_formula, self.has_formula, self.text = True, True, []

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag == "f":
            self.in_formula = False
        elif tag == "v":
            self.in_value = False
        elif tag == "c" and self.has_formula:
            text = "".join(self.text)
            # TRUE() and FALSE() are how LibreOffice and WPS save a yes/no cell: its value is itself
            if not (self.kind == "b" and re.sub(r"\s+", "", text).upper() in _BOOLEAN_FORMULAS):
                self.found.append((self.row, self.col, "=" + text if text else "(shared formula)"))
        elif tag == "c" and self.kind == "e":
            self.errors.append((self.row, self.col, "".join(self.value).strip() or "#N/A"))

    def chars(self, data: str) -> None:
        if self.in_formula:
            self.text.append(data)
        elif self.in_value:
            self.value.append(data)

    def doctype(self, *args: object) -> None:
        raise ValueError("a DTD")


def _local(name: str) -> str:
    """An expat name without its namespace ('uri local' → 'local')."""
    return name.rsplit(" ", 1)[-1]


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    """A zip member's bytes, its name matched regardless of letter case (as the Excel reader
    does)."""
    if name not in zf.NameToInfo:
        folded = {n.casefold(): n for n in zf.namelist()}
        name = folded.get(name.casefold(), name)
    return zf.read(name)  # KeyError when it is not there


def _sheet_member(zf: zipfile.ZipFile, workbook: bytes, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet`` (workbook.xml names it; its rels locate it).
    Names are matched without their namespace: Strict OOXML uses other ones."""
    import xml.etree.ElementTree as ET

    book = ET.fromstring(workbook)
    rid = next(
        (_attr(s, "id") for s in book.iter() if _tag(s.tag) == "sheet" and s.get("name") == sheet),
        None,
    )
    if rid is None:
        return None
    rels = ET.fromstring(_member(zf, "xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def _tag(name: str) -> str:
    """An ElementTree name without its namespace ('{uri}local' → 'local')."""
    return name.rsplit("}", 1)[-1]


def _attr(element: object, local: str) -> str | None:
    """The value of the attribute named ``local`` in a relationships namespace (any version)."""
    attrib: dict[str, str] = getattr(element, "attrib", {})
    return next((v for k, v in attrib.items() if k.startswith("{") and _tag(k) == local), None)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _fail(problem: DataError) -> NoReturn:
    log = ErrorLog()
    log.add(problem)
    raise ProblemsFound(log)
