"""Which kind of workbook a file is, from its first bytes, and the module that inspects it.

A clerk's file name is no guide: an old .xls gets renamed .xlsx, a CSV gets an Excel name. The
signature decides — a zip holding ``xl/workbook.xml`` (.xlsx, .xlsm), ``xl/workbook.bin``
(.xlsb) or an OpenDocument spreadsheet (.ods); an OLE compound file (.xls, or any workbook
encrypted by a password) — and each kind has one inspecting module (see ``sheet_facts``).
Adding a kind is one entry in :data:`INSPECTORS` and one module.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from houfu_check.errors import BadWorkbook
from houfu_check.io import ods_sheet, xls_sheet, xlsb_sheet, xlsx_sheet
from houfu_check.io.sheet_facts import Inspected, fail

#: the file names a table may come in besides .csv (the signature still decides the kind)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
#: each kind of workbook and the module that looks at a sheet of it before it is read
INSPECTORS: dict[str, Callable[[Path, str, str], Inspected]] = {
    "xlsx": xlsx_sheet.inspect,
    "xlsb": xlsb_sheet.inspect,
    "ods": ods_sheet.inspect,
    "xls": xls_sheet.inspect,
}

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected workbook
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"


def kind_of(path: Path, display: str) -> str:
    """``xlsx``, ``xlsb``, ``ods`` or ``xls``; anything else is refused with a sentence a clerk
    can act on (a password, a CSV with an Excel name, not a workbook at all)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        fail(BadWorkbook(file=display, note=why, note_zh=f"无法打开文件({why})"))
    if head.startswith(_ZIP):
        return _zip_kind(path, display)
    if head.startswith(_OLE):
        if _ENCRYPTED in head:
            fail(BadWorkbook(file=display, note=xls_sheet.PASSWORD))  # Chinese: messages_zh.NOTES
        return "xls"
    sample = head[:4096]
    text = bool(sample) and b"\x00" not in sample and (b"," in sample or b"\t" in sample)
    if text:
        note = (
            "this file is text (a CSV file?) with a workbook's name; give it the name it should have (.csv)"
        )
        zh = "这是文本文件(CSV?),却以工作簿命名;请把扩展名改为 .csv"
    else:
        note = (
            "its bytes are not those of a spreadsheet; open it in Excel and save it as Excel Workbook (.xlsx)"
        )
        zh = "文件内容不是电子表格;请用 Excel 打开并另存为“Excel 工作簿(.xlsx)”"
    fail(BadWorkbook(file=display, note=note, note_zh=zh))


def _zip_kind(path: Path, display: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.casefold(): n for n in zf.namelist()}
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "xl/workbook.bin" in names:
                return "xlsb"
            mimetype = zf.read(names["mimetype"])[:100] if "mimetype" in names else b""
            if mimetype.startswith(_ODS) or ("content.xml" in names and not mimetype):
                return "ods"
    except (zipfile.BadZipFile, OSError, KeyError):
        note = "the file is damaged (its zip archive cannot be opened); save it again from Excel"
        fail(BadWorkbook(file=display, note=note, note_zh="文件已损坏(压缩包无法打开);请用 Excel 重新保存"))
    note = "this zip archive is no spreadsheet; open it in Excel and save it as Excel Workbook (.xlsx)"
    zh = "这个压缩包不是电子表格;请用 Excel 打开并另存为“Excel 工作簿(.xlsx)”"
    fail(BadWorkbook(file=display, note=note, note_zh=zh))


#: what a kind's reader allocates on opening, bounded before it opens (xlsx, xlsb: the shared
#: strings it claims; xls: every sheet, read at once; ods: every table, read at once)
BEFORE_OPEN: dict[str, Callable[[Path, str], None]] = {
    "xlsx": xlsx_sheet.bound_shared_strings,
    "xlsb": xlsb_sheet.bound_before_open,
    "ods": ods_sheet.bound_all,
    "xls": xls_sheet.bound_all,
}


#: the sheets of a workbook, named without the Excel reader (for a file it must not open)
SHEET_NAMES: dict[str, Callable[[Path, str], list[str]]] = {
    "xlsb": xlsb_sheet.sheet_names,
    "ods": ods_sheet.sheet_names,
    "xls": xls_sheet.sheet_names,
}


def bound_before_open(path: Path, display: str, kind: str) -> None:
    """Refuse what would make the reader allocate beyond the limits as it opens the file."""
    BEFORE_OPEN[kind](path, display)


def inspect(path: Path, display: str, sheet: str) -> Inspected:
    """What ``sheet`` holds besides its values, by the module for the file's kind."""
    return INSPECTORS[kind_of(path, display)](path, display, sheet)
