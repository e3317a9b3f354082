"""One worksheet of an ``.xlsb`` (Excel binary) workbook, looked at before it is read.

An .xlsb is a zip of binary record streams (BIFF12): ``xl/workbook.bin`` names the sheets
(BrtBundleSh) and its relationships locate each one. The sheet's records are walked: rows
(BrtRowHdr) and cells give the extent, BrtFmla* records are formula cells unless their tokens
are only TRUE/FALSE, BrtCellError is an error value and BrtMergeCell a merged range.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

from houfu_check.io.sheet_facts import (
    BINARY_FORMULA,
    CONSTANT_TOKENS,
    ERROR_CODES,
    Inspected,
    bound,
    damaged,
    fail,
    first_line,
    unreadable_in,
)
from houfu_check.io.xlsx_sheet import member, rel_target

_ROW, _CELL_ERROR, _BUNDLE_SHEET, _MERGE = 0, 3, 156, 176
_FORMULAS = {8, 9, 10, 11}  # BrtFmlaString, BrtFmlaNum, BrtFmlaBool, BrtFmlaError
_CELLS = range(1, 12)  # the cell records whose first 4 bytes are the column


def inspect(path: Path, display: str, sheet: str) -> Inspected:
    """Bound the sheet and find formula, error and constant TRUE/FALSE cells."""
    unreadable = unreadable_in(display, sheet, "records")
    try:
        with zipfile.ZipFile(path) as zf:
            rid = next((r for name, r in _sheets(member(zf, "xl/workbook.bin")) if name == sheet), None)
            name = rel_target(zf, "xl/_rels/workbook.bin.rels", rid) if rid else None
            if name is None:
                unreadable(f"no worksheet named {sheet!r} is listed")
            data = member(zf, name)
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError, struct.error) as exc:
        unreadable(first_line(exc))
    found, row = Inspected(), 0
    try:
        for rt, body in records(data):
            if rt == _ROW and len(body) >= 4:
                row = struct.unpack_from("<I", body)[0] + 1
                found.rows = max(found.rows, row)
            elif rt in _CELLS and len(body) >= 8:
                col = struct.unpack_from("<I", body)[0]
                found.cols = max(found.cols, col + 1)
                if rt in _FORMULAS:
                    _formula(rt, body, row, col, found)
                elif rt == _CELL_ERROR and len(body) >= 9:
                    found.errors.append((row, col, ERROR_CODES.get(body[8], "#N/A")))
            elif rt == _MERGE:
                found.merges += 1
    except (ValueError, struct.error) as exc:
        unreadable(first_line(exc))
    return bound(found, display, sheet)


def _formula(rt: int, body: bytes, row: int, col: int, found: Inspected) -> None:
    at = 8
    if rt == 8:  # a string result: its length, then UTF-16 characters
        at += 4 + 2 * struct.unpack_from("<I", body, at)[0]
    else:
        at += 8 if rt == 9 else 1
    at += 2  # grbitFlags
    cce = struct.unpack_from("<I", body, at)[0]
    value = CONSTANT_TOKENS.get(body[at + 4 : at + 4 + cce])
    if value is not None:
        found.booleans[(row, col)] = value
    else:
        found.formulas.append((row, col, BINARY_FORMULA))


def records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The records of a BIFF12 stream: a type of 1–2 and a size of 1–4 bytes, 7 bits each."""
    pos, end = 0, len(data)
    while pos < end:
        rt, pos = _varint(data, pos, 2)
        size, pos = _varint(data, pos, 4)
        if pos + size > end:
            raise ValueError("a record runs past the end of the stream")
        yield rt, data[pos : pos + size]
        pos += size


def _varint(data: bytes, pos: int, most: int) -> tuple[int, int]:
    value = 0
    for i in range(most):
        if pos >= len(data):
            raise ValueError("the stream ends inside a record header")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            break
    return value, pos


def bound_before_open(path: Path, display: str) -> None:
    """Each sheet workbook.bin lists must resolve to a part of the file (the reader panics on
    one that does not), and the shared strings claimed must fit their part."""
    from houfu_check.io.xlsx_sheet import bound_shared_strings

    bound_shared_strings(path, display)
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.casefold() for n in zf.namelist()}
            for _, rid, _ in _bundles(member(zf, "xl/workbook.bin")):
                target = rel_target(zf, "xl/_rels/workbook.bin.rels", rid)
                if target is None or target.casefold() not in names:
                    fail(damaged(display))
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError, struct.error):
        fail(damaged(display))


def sheet_names(path: Path, display: str) -> list[str]:
    """The visible sheets that workbook.bin lists (hsState 0)."""
    try:
        with zipfile.ZipFile(path) as zf:
            workbook = member(zf, "xl/workbook.bin")
        return [name for name, _, state in _bundles(workbook) if state == 0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, struct.error):
        fail(damaged(display))


def _sheets(workbook: bytes) -> Iterator[tuple[str, str]]:
    """(name, relationship id) of each sheet that workbook.bin lists (BrtBundleSh)."""
    for name, rid, _ in _bundles(workbook):
        yield name, rid


def _bundles(workbook: bytes) -> Iterator[tuple[str, str, int]]:
    """(name, relationship id, visibility) of each BrtBundleSh of workbook.bin."""
    for rt, body in records(workbook):
        if rt != _BUNDLE_SHEET or len(body) < 12:
            continue
        cch = struct.unpack_from("<I", body, 8)[0]
        rid = "" if cch == 0xFFFFFFFF else body[12 : 12 + 2 * cch].decode("utf-16-le", "replace")
        at = 12 + (0 if cch == 0xFFFFFFFF else 2 * cch)
        size = struct.unpack_from("<I", body, at)[0]
        state = struct.unpack_from("<I", body)[0]
        yield body[at + 4 : at + 4 + 2 * size].decode("utf-16-le", "replace"), rid, state
