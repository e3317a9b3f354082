"""Read one worksheet of a workbook (.xlsx, .xlsb, .xls, .ods) as a text table (python-calamine).

Town ledgers put a title row or two above the header and merge header cells, so the header
is the row, among the first :data:`HEADER_SEARCH_ROWS`, that names the most columns of the
contract; an empty cell of it takes the value of a merged range that covers it. Rows are
the sheet's own row numbers. Cells become the text a CSV export would hold (``3`` for the
number 3, ``true`` for TRUE), and validation then treats them exactly as CSV cells. A cell
holding a formula is refused: its stored result may be stale or missing, and the ledger
should hold the values that were reported. What the sheet holds besides values is found
first, by the module for the workbook's kind (``workbook_kind``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

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
from houfu_check.io import xlsx_sheet
from houfu_check.io.sheet_facts import damaged
from houfu_check.io.table import RawTable
from houfu_check.io.workbook_kind import INSPECTORS, SHEET_NAMES, bound_before_open, kind_of
from houfu_check.limits import MAX_WORKBOOK_BYTES

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

HEADER_SEARCH_ROWS = 30
_SPACE = re.compile(r"\s+")
Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def visible_sheets(path: Path, display: str) -> list[str]:
    """The visible worksheets of ``path`` (hidden ones are not data); :class:`ProblemsFound`
    when it is no readable workbook."""
    from python_calamine import SheetVisibleEnum

    if kind_of(path, display) == "xlsx":
        _check_unpacked_size(path, display)
        listed = xlsx_sheet.visible_sheets(path)
        if listed is not None:
            return listed
    try:
        book, kind = _open(path, display)
    except ProblemsFound as refused:
        kind = kind_of(path, display)
        if kind not in SHEET_NAMES or not any(isinstance(p, TooLarge) for p in refused.log.items):
            raise
        return SHEET_NAMES[kind](path, display)  # named here, refused as it is read
    try:
        return [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
    except BaseException as exc:
        _fail(_damaged(display, None, _reader_failure(exc)))
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
    book, kind = _open(path, display)
    chosen = sheet if sheet is not None else (book.sheet_names or [""])[0]
    try:
        inspected = INSPECTORS[kind](path, display, chosen)  # bounds, formulas, error values first
    except ProblemsFound:
        book.close()
        raise
    try:
        ws = book.get_sheet_by_name(chosen)
        rows: list[list[Cell]] = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except BaseException as exc:
        _fail(_damaged(display, chosen, _reader_failure(exc)))
    finally:
        book.close()
    for (row, col), value in inspected.booleans.items():  # =TRUE() saved for a yes/no cell
        if row - 1 < len(rows) and col < len(rows[row - 1]):
            rows[row - 1][col] = value
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
                note_zh=f"前 {HEADER_SEARCH_ROWS} 行中没有列名行;"
                f"应有一行表头,例如 {example.replace(' or ', ' 或 ')}",
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
    blank = [not any(_text(c).strip() for c in r) for r in body]
    columns = [
        pl.Series(
            str(i),
            [_redacted(r, i) for r in body]
            if personal(header[i])
            else [_text(r[i]) if i < len(r) else "" for r in body],
            dtype=pl.String,
        )
        for i in range(width)
    ]
    table = RawTable(
        display=display,
        path=path,
        encoding=kind,  # the workbook's kind, for the report's list of inputs
        sha256=_sha256(path),
        header=header,
        frame=pl.DataFrame(columns),
        has_quotes=False,
        header_lines=header_row + 1,
        has_plus=True,
        sheet=chosen,
    )
    if any(blank):
        table.skip_blank_rows(pl.Series("blank", blank))
    if table.frame.height == 0:  # a header and empty rows: no record, as for a CSV file
        _fail(NoRecords(file=display, sheet=chosen, note=unit))
    return table


def _open(path: Path, display: str) -> tuple[CalamineWorkbook, str]:
    """The workbook, of whatever kind its first bytes say, once it is known not to unpack too far
    (a zip bomb); and its kind (``xlsx``, ``xlsb``, ``ods``, ``xls``)."""
    from python_calamine import CalamineWorkbook

    kind = kind_of(path, display)
    if kind != "xls":
        _check_unpacked_size(path, display)
    bound_before_open(path, display, kind)  # what the reader allocates on opening, bounded first
    try:
        with path.open("rb") as fh:  # the reader then tells the kind by content, not by name
            return CalamineWorkbook.from_filelike(fh), kind
    except BaseException as exc:
        _fail(_damaged(display, None, _reader_failure(exc)))


def _reader_failure(exc: BaseException) -> BaseException:
    """``exc`` when the Excel reader failed on a broken file (its error types, or a Rust panic,
    which Python sees as a BaseException); an interrupt or an exit is raised on as it is."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc
    return exc


def _check_unpacked_size(path: Path, display: str) -> None:
    """Refuse a workbook that would unpack to more than :data:`MAX_WORKBOOK_BYTES`."""
    try:
        with zipfile.ZipFile(path) as zf:
            size = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # the reader says what is wrong with it
    if size > MAX_WORKBOOK_BYTES:
        limit = MAX_WORKBOOK_BYTES / 2**30
        note = f"the workbook unpacks to {size / 2**30:.1f} GiB; at most {limit:.0f} GiB is read"
        zh = f"工作簿解压后为 {size / 2**30:.1f} GiB;最多读取 {limit:.0f} GiB"
        _fail(TooLarge(file=display, note=note, note_zh=zh))


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


def _redacted(row: Sequence[Cell], i: int) -> str:
    """A personal cell as it is kept: whether it is filled, never what it holds."""
    return "*" if i < len(row) and _text(row[i]).strip() else ""


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


def _damaged(display: str, sheet: str | None, exc: BaseException) -> BadWorkbook:
    """A workbook the reader could not read, in a sentence (the reader's own words are kept only
    for a password, which the clerk can remove)."""
    if type(exc).__name__ == "PasswordError" or "password" in str(exc).casefold():
        from houfu_check.io.xls_sheet import PASSWORD

        return BadWorkbook(file=display, sheet=sheet, note=PASSWORD)
    return damaged(display, sheet)


def _fail(problem: DataError) -> NoReturn:
    log = ErrorLog()
    log.add(problem)
    raise ProblemsFound(log)
