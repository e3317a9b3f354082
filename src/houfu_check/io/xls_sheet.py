"""One worksheet of an ``.xls`` (Excel 97–2003, BIFF8) workbook, looked at before it is read.

The workbook is an OLE compound file whose ``Workbook`` stream is a list of records: the
sheet's substream is found through its BOUNDSHEET record and walked record by record. A
FORMULA record is a formula cell, unless its tokens are only TRUE/FALSE (how LibreOffice
saves a yes/no cell); a BOOLERR record with its error flag is an error value; the cells'
extent and MERGECELLS records are bounded. A FILEPASS record means a password.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

from houfu_check.errors import BadWorkbook
from houfu_check.io.sheet_facts import (
    BINARY_FORMULA,
    CONSTANT_TOKENS,
    ERROR_CODES,
    Inspected,
    bound,
    damaged,
    fail,
    unreadable_in,
)

_BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
_FORMULA, _BOOLERR, _MERGECELLS, _SHRFMLA, _DIMENSIONS = 0x0006, 0x0205, 0x00E5, 0x04BC, 0x0200
_PTG_EXP = 0x01  # "the formula shared from the cell at (row, col)"
_MULTI = (0x00BD, 0x00BE)  # MULRK, MULBLANK: one row, a run of columns
_CELLS = (0x0203, 0x027E, 0x00FD, 0x0204, 0x0201, 0x00D6, _FORMULA, _BOOLERR)
PASSWORD = (
    "the workbook is protected by a password, so it cannot be read; open it in Excel, remove "
    "the password (File → Info → Protect Workbook → Encrypt with Password), save it and run again"
)


def inspect(path: Path, display: str, sheet: str) -> Inspected:
    """Bound the sheet and find formula, error and constant TRUE/FALSE cells."""
    unreadable = unreadable_in(display, sheet, "records")
    data = _stream(path, display)
    start = None
    for rt, body in _records(data, 0):
        if rt == _FILEPASS:
            fail(BadWorkbook(file=display, note=PASSWORD))
        if rt == _BOUNDSHEET and len(body) >= 8 and _sheet_name(body) == sheet:
            start = struct.unpack_from("<I", body)[0]
        if rt == _EOF:
            break
    if start is None or start >= len(data):
        unreadable(f"no worksheet named {sheet!r} is listed")
    found = Inspected()
    shared: dict[tuple[int, int], bytes] = {}  # a shared formula's tokens, by its first cell
    uses: list[tuple[int, int, tuple[int, int]]] = []  # cells that use one
    for rt, body in _substream(data, start):
        if rt in _CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            found.rows, found.cols = max(found.rows, row + 1), max(found.cols, col + 1)
            if rt == _FORMULA:
                rgce = _tokens(body)
                if len(rgce) == 5 and rgce[0] == _PTG_EXP:  # LibreOffice shares TRUE() down a column
                    uses.append((row + 1, col, struct.unpack_from("<HH", rgce, 1)))
                else:
                    _formula(rgce, row + 1, col, found)
            elif rt == _BOOLERR and len(body) >= 8 and body[7]:
                found.errors.append((row + 1, col, ERROR_CODES.get(body[6], "#N/A")))
        elif rt in _MULTI and len(body) >= 6:
            row = struct.unpack_from("<H", body)[0]
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            found.rows, found.cols = max(found.rows, row + 1), max(found.cols, last + 1)
        elif rt == _MERGECELLS and len(body) >= 2:
            found.merges += struct.unpack_from("<H", body)[0]
        elif rt == _SHRFMLA and len(body) >= 10:
            first_row, _, first_col = struct.unpack_from("<HHB", body)
            cce = struct.unpack_from("<H", body, 8)[0]
            shared[(first_row, first_col)] = body[10 : 10 + cce]
    for row, col, anchor in uses:
        _formula(shared.get(anchor, b"?"), row, col, found)  # not found: a formula all the same
    found.formulas.sort()
    return bound(found, display, sheet)


def bound_all(path: Path, display: str) -> None:
    """Every sheet's extent (its DIMENSIONS record and its cells) bounded before the Excel
    reader opens the file: it reads every sheet of an .xls at once, and allocates what the
    records claim."""

    data = _stream(path, display)
    sheets = []
    for rt, body in _records(data, 0):
        if rt == _FILEPASS:
            fail(BadWorkbook(file=display, note=PASSWORD))
        if rt == _BOUNDSHEET and len(body) >= 8:
            sheets.append((_sheet_name(body), struct.unpack_from("<I", body)[0]))
    for name, start in sheets:
        found = Inspected()
        for rt, body in _substream(data, start):
            if rt == _DIMENSIONS and len(body) >= 12:
                past_row, past_col = (
                    struct.unpack_from("<I", body, 4)[0],
                    struct.unpack_from("<H", body, 10)[0],
                )
                found.rows, found.cols = max(found.rows, past_row), max(found.cols, past_col)
            elif rt in _CELLS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                found.rows, found.cols = max(found.rows, row + 1), max(found.cols, col + 1)
            elif rt in _MULTI and len(body) >= 6:
                row = struct.unpack_from("<H", body)[0]
                last = struct.unpack_from("<H", body, len(body) - 2)[0]
                found.rows, found.cols = max(found.rows, row + 1), max(found.cols, last + 1)
        bound(found, display, name)


def sheet_names(path: Path, display: str) -> list[str]:
    """The visible sheets the BOUNDSHEET records list (hidden ones are not data)."""
    data = _stream(path, display)
    return [
        _sheet_name(body)
        for rt, body in _records(data, 0)
        if rt == _BOUNDSHEET and len(body) >= 8 and body[4] & 0x03 == 0
    ]


_last: tuple[tuple[str, int, int], bytes] | None = None  # the stream just read


def _stream(path: Path, display: str) -> bytes:
    """The workbook stream of the OLE file; a file that is none is damaged. Kept for the call
    that follows (bounding before opening, then inspecting the sheet read): read once."""
    global _last
    import olefile

    facts = path.stat()
    key = (str(path), facts.st_mtime_ns, facts.st_size)
    if _last is not None and _last[0] == key:
        return _last[1]
    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = "Workbook" if ole.exists("Workbook") else "Book"
            data: bytes = ole.openstream(stream).read()
    except (OSError, ValueError, struct.error):  # olefile's own errors are OSErrors
        fail(damaged(display))
    _last = (key, data)
    return data


def _substream(data: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """A sheet's records, from its BOF to the EOF that closes it: an embedded chart's own
    BOF … EOF inside it does not end it (the reader reads on, so must the checks)."""
    depth = 0
    pos = start
    while pos + 4 <= len(data):
        rt, size = struct.unpack_from("<HH", data, pos)
        body = data[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if rt == _BOF:
            depth += 1
        elif rt == _EOF:
            depth -= 1
            if depth <= 0:
                return
        yield rt, body


def _tokens(body: bytes) -> bytes:
    """A FORMULA record's parsed expression (rgce)."""
    cce = struct.unpack_from("<H", body, 20)[0] if len(body) >= 22 else 0
    return body[22 : 22 + cce]


def _formula(rgce: bytes, row: int, col: int, found: Inspected) -> None:
    value = CONSTANT_TOKENS.get(rgce)
    if value is not None:
        found.booleans[(row, col)] = value
    else:
        found.formulas.append((row, col, BINARY_FORMULA))


def _records(data: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    """The records from ``pos`` on (type, body), up to the first EOF or the stream's end."""
    while pos + 4 <= len(data):
        rt, size = struct.unpack_from("<HH", data, pos)
        yield rt, data[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if rt == _EOF:
            break


def _sheet_name(body: bytes) -> str:
    """A BOUNDSHEET record's sheet name (a short Unicode string: length, flags, characters)."""
    cch, wide = body[6], body[7] & 1
    raw = body[8 : 8 + cch * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", errors="replace")
