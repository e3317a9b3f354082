"""What a worksheet holds besides its values, found before the Excel reader allocates it.

The Excel reader (calamine) gives values only and allocates a sheet's used area at once. So
each workbook format has a module that looks at the sheet first — ``xlsx_sheet`` (Office Open
XML), ``xlsb_sheet`` (Excel binary), ``ods_sheet`` (OpenDocument), ``xls_sheet`` (Excel 97–2003)
— and returns the same :class:`Inspected`: formula cells, error-value cells, cells whose
formula is a constant TRUE()/FALSE() (how LibreOffice and WPS save a yes/no cell), and the
extent the sheet's cells and merged ranges span, bounded here by :func:`bound`.
"""

from __future__ import annotations

import dataclasses
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from houfu_check.errors import BadWorkbook, DataError, ErrorLog, ProblemsFound, TooLarge
from houfu_check.limits import MAX_MERGED_RANGES, MAX_SHEET_CELLS

#: the error values of BIFF (.xls) and BIFF12 (.xlsb) cells, by their code
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
#: the tokens (.xls, .xlsb) of a constant TRUE/FALSE formula: ptgBool, or the functions TRUE()
#: and FALSE() (function numbers 34 and 35, as a reference, value or array token)
CONSTANT_TOKENS = {
    b"\x1d\x01": True,
    b"\x1d\x00": False,
    **{bytes([ptg]) + struct.pack("<H", 34): True for ptg in (0x21, 0x41, 0x61)},
    **{bytes([ptg]) + struct.pack("<H", 35): False for ptg in (0x21, 0x41, 0x61)},
}
#: a formula the binary formats store as tokens: named without decompiling it
BINARY_FORMULA = "=…"
_CONSTANT_BOOLEANS = {"TRUE()": True, "FALSE()": False, "TRUE": True, "FALSE": False}


@dataclass
class Inspected:
    """What one worksheet holds besides its values; rows are the sheet's (1-based), columns
    0-based indexes."""

    formulas: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)  # (row, col, formula)
    errors: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)  # #N/A, #DIV/0! …
    booleans: dict[tuple[int, int], bool] = dataclasses.field(default_factory=dict)  # =TRUE() cells
    rows: int = 0  # the extent the sheet's cells span
    cols: int = 0
    merges: int = 0


def constant_boolean(formula: str) -> bool | None:
    """The value of a formula that is only TRUE() or FALSE() (in any of the ways the
    spreadsheet programs write it: ``of:=TRUE()``, ``=true()``, ``TRUE``), else None."""
    text = re.sub(r"\s+", "", formula).upper()
    text = text.removeprefix("OF:").removeprefix("OOXML:").removeprefix("=")
    return _CONSTANT_BOOLEANS.get(text)


def bound(found: Inspected, display: str, sheet: str) -> Inspected:
    """``found``, once its extent and merged ranges are within the limits (else refused)."""
    if found.rows * max(found.cols, 1) > MAX_SHEET_CELLS:
        note = (
            f"the sheet's cells span {found.rows:,} rows × {found.cols:,} columns; at most "
            f"{MAX_SHEET_CELLS:,} cells are read: delete what lies far outside the table (Ctrl+End shows it)"
        )
        zh = (
            f"工作表的单元格跨 {found.rows:,} 行 × {found.cols:,} 列;最多读取 {MAX_SHEET_CELLS:,} 个单元格:"
            "请删除表格以外很远处的内容(Ctrl+End 可以找到)"
        )
        fail(TooLarge(file=display, sheet=sheet, note=note, note_zh=zh))
    if found.merges > MAX_MERGED_RANGES:
        note = (
            f"the sheet has {found.merges:,} merged ranges; at most {MAX_MERGED_RANGES:,} are read: "
            "unmerge the cells"
        )
        zh = f"工作表有 {found.merges:,} 个合并区域;最多读取 {MAX_MERGED_RANGES:,} 个:请取消合并单元格"
        fail(TooLarge(file=display, sheet=sheet, note=note, note_zh=zh))
    return found


def unreadable_in(display: str, sheet: str, what: str) -> Callable[[str], NoReturn]:
    """A refusal for a sheet whose structure could not be checked: never read unchecked."""

    def unreadable(why: str) -> NoReturn:
        note = f"its {what} could not be checked ({why}); open it in Excel and save it again as .xlsx"
        zh = f"无法检查其内部结构({why});请用 Excel 打开,另存为 .xlsx 后再运行"
        fail(BadWorkbook(file=display, sheet=sheet or None, note=note, note_zh=zh))

    return unreadable


def damaged(display: str, sheet: str | None = None) -> BadWorkbook:
    """A workbook that cannot be read at all, in a sentence a clerk can act on."""
    note = "the workbook is damaged and cannot be read; open it in Excel and save it again as .xlsx"
    zh = "工作簿已损坏,无法读取;请用 Excel 打开,另存为 .xlsx 后再运行"
    return BadWorkbook(file=display, sheet=sheet, note=note, note_zh=zh)


def fail(problem: DataError) -> NoReturn:
    log = ErrorLog()
    log.add(problem)
    raise ProblemsFound(log)


def first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
