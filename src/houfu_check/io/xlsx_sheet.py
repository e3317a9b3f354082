"""One worksheet of an ``.xlsx`` (Office Open XML) workbook, looked at before it is read.

The sheet's XML is bounded (the area its cell references span, its merged ranges), a DTD is
refused, and formula cells are found by parsing — namespace-aware, any attribute order or
quoting, Strict OOXML too — never by a pattern over the text.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, Protocol

from houfu_check.errors import BadWorkbook
from houfu_check.io.sheet_facts import Inspected, bound, constant_boolean, fail, first_line, unreadable_in

_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,8})0*([0-9]{1,12})["']""")
_CELL = re.compile(rb"<(?:[^\s<>/:!?]+:)?c[\s/>]")
_MERGE = re.compile(rb"<(?:[^\s<>/:!?]+:)?mergeCell\b")
_HAS_FORMULA = re.compile(rb"<(?:[^\s<>/:!?]+:)?f[\s/>]")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_DTD_ZH = "文件含有 DTD(<!DOCTYPE>);请用 Excel 重新保存"
_HAS_ERROR = re.compile(rb"""\st\s*=\s*["']e["']""")


def inspect(path: Path, display: str, sheet: str) -> Inspected:
    """Bound the sheet, refuse a DTD, and find formula and error cells."""
    unreadable = unreadable_in(display, sheet, "XML")
    try:
        with zipfile.ZipFile(path) as zf:
            workbook = member(zf, "xl/workbook.xml")
            if _DOCTYPE.search(workbook):
                note = "xl/workbook.xml holds a DTD (<!DOCTYPE>); save the file again from Excel"
                fail(BadWorkbook(file=display, note=note, note_zh=_DTD_ZH))
            name = _sheet_member(zf, workbook, sheet)
            if name is None:
                unreadable(f"no worksheet named {sheet!r} is listed")
            xml = member(zf, name)
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError) as exc:
        unreadable(first_line(exc))
    if _DOCTYPE.search(xml):
        note = "the sheet holds a DTD (<!DOCTYPE>); save the file again from Excel"
        fail(BadWorkbook(file=display, sheet=sheet, note=note, note_zh=_DTD_ZH))
    found = Inspected(merges=len(_MERGE.findall(xml)))
    refs = 0
    for m in _REF.finditer(xml):
        refs += 1
        found.rows = max(found.rows, int(m.group(2)))
        found.cols = max(found.cols, column_index(m.group(1).upper().decode()) + 1)
    if refs < len(_CELL.findall(xml)) or _HAS_FORMULA.search(xml) or _HAS_ERROR.search(xml):
        # cells without a reference are placed by counting, like Excel: only a parse knows where
        _scan(xml, found, unreadable)
    return bound(found, display, sheet)


def _scan(xml: bytes, found: Inspected, unreadable: Callable[[str], NoReturn]) -> None:
    """Every cell's place and every formula cell, by an XML parser: positions from the cell's
    reference, or counted like Excel where a cell or row has none. A sheet the parser refuses
    is refused (``unreadable``), never passed over."""
    from xml.parsers import expat

    parser = xml_parser(_Scan(found))
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        unreadable(expat_said(exc))
    except ValueError as exc:
        unreadable(str(exc))


class Handlers(Protocol):
    """What a streaming scan of a sheet's XML answers to."""

    def start(self, name: str, attrs: dict[str, str]) -> None: ...
    def end(self, name: str) -> None: ...
    def chars(self, data: str) -> None: ...
    def doctype(self, *args: object) -> None: ...


def xml_parser(handlers: Handlers) -> Any:
    """A namespace-aware expat parser (names as 'uri local') driving ``handlers``; a DTD
    raises ValueError in ``handlers.doctype``."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    parser.CharacterDataHandler = handlers.chars
    parser.StartDoctypeDeclHandler = handlers.doctype
    return parser


def expat_said(exc: Any) -> str:
    """An expat error as a short place and reason."""
    from xml.parsers import expat

    return f"line {exc.lineno}: {expat.errors.messages.get(exc.code, 'malformed XML')}"


class _Scan:
    """expat handlers: where each <c> is, and whether it holds an <f> (any namespace prefix)."""

    def __init__(self, found: Inspected) -> None:
        self.found = found
        self.row, self.col = 0, -1
        self.in_formula, self.has_formula = False, False
        self.text: list[str] = []
        self.kind = ""  # the cell's type (t=): b, e, n, s, str, inlineStr
        self.in_value = False
        self.value: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        ref = next((v for k, v in attrs.items() if local(k) == "r"), None)
        if tag == "row":
            self.row = int(ref) if ref and ref.isascii() and ref.isdigit() else self.row + 1
            self.col = -1
        elif tag == "c":
            match = re.fullmatch(r"([A-Za-z]{1,8})0*([0-9]{1,12})", ref or "")
            if match:
                self.col, self.row = column_index(match.group(1).upper()), int(match.group(2))
            else:
                self.col += 1
            self.found.rows = max(self.found.rows, self.row)
            self.found.cols = max(self.found.cols, self.col + 1)
            self.has_formula = False
            self.kind = next((v for k, v in attrs.items() if local(k) == "t"), "")
            self.value = []
        elif tag == "v":
            self.in_value = True
        elif tag == "f":
            self.in_formula, self.has_formula, self.text = True, True, []

    def end(self, name: str) -> None:
        tag = local(name)
        if tag == "f":
            self.in_formula = False
        elif tag == "v":
            self.in_value = False
        elif tag == "c" and self.has_formula:
            text = "".join(self.text)
            # TRUE() and FALSE() are how LibreOffice and WPS save a yes/no cell: its value is itself
            if not (self.kind == "b" and constant_boolean(text) is not None):
                self.found.formulas.append((self.row, self.col, "=" + text if text else "(shared formula)"))
        elif tag == "c" and self.kind == "e":
            self.found.errors.append((self.row, self.col, "".join(self.value).strip() or "#N/A"))

    def chars(self, data: str) -> None:
        if self.in_formula:
            self.text.append(data)
        elif self.in_value:
            self.value.append(data)

    def doctype(self, *args: object) -> None:
        raise ValueError("a DTD")


def local(name: str) -> str:
    """An expat name without its namespace ('uri local' → 'local')."""
    return name.rsplit(" ", 1)[-1]


def member(zf: zipfile.ZipFile, name: str) -> bytes:
    """A zip member's bytes, its name matched regardless of letter case (as the Excel reader
    does)."""
    if name not in zf.NameToInfo:
        folded = {n.casefold(): n for n in zf.namelist()}
        name = folded.get(name.casefold(), name)
    return zf.read(name)  # KeyError when it is not there


def visible_sheets(path: Path) -> list[str] | None:
    """The visible sheets that ``xl/workbook.xml`` lists, read without the Excel reader (which
    would parse the shared strings, the bulk of a large workbook, just to name its sheets);
    None when the file cannot be read so (the reader then says what is wrong)."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as zf:
            workbook = member(zf, "xl/workbook.xml")
        if _DOCTYPE.search(workbook):
            return None
        book = ET.fromstring(workbook)
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError):
        return None
    return [
        s.get("name", "")
        for s in book.iter()
        if _tag(s.tag) == "sheet" and s.get("state", "visible") not in ("hidden", "veryHidden")
    ]


def _sheet_member(zf: zipfile.ZipFile, workbook: bytes, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet`` (workbook.xml names it; its rels locate it).
    Names are matched without their namespace: Strict OOXML uses other ones."""
    import xml.etree.ElementTree as ET

    book = ET.fromstring(workbook)
    for element in book.iter():
        if _tag(element.tag) == "sheet" and sum(_tag(k) == "id" for k in element.attrib) > 1:
            raise ValueError("a sheet is listed with two ids")  # the reader may take either
    rid = next(
        (_attr(s, "id") for s in book.iter() if _tag(s.tag) == "sheet" and s.get("name") == sheet),
        None,
    )
    if rid is None:
        return None
    return rel_target(zf, "xl/_rels/workbook.xml.rels", rid)


def rel_target(zf: zipfile.ZipFile, rels_name: str, rid: str) -> str | None:
    """The zip member a workbook's relationship ``rid`` points at."""
    import xml.etree.ElementTree as ET

    rels = ET.fromstring(member(zf, rels_name))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def _tag(name: str) -> str:
    """An ElementTree name without its namespace ('{uri}local' → 'local')."""
    return name.rsplit("}", 1)[-1]


#: the namespaces of a sheet's relationship id (r:id), transitional and strict
RELATIONSHIPS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


def _attr(element: object, name: str) -> str | None:
    """The value of the attribute ``name`` in the relationships namespace (as the Excel reader
    takes it: an ``x:id`` of another namespace is not the sheet's id)."""
    attrib: dict[str, str] = getattr(element, "attrib", {})
    return next((attrib[f"{{{ns}}}{name}"] for ns in RELATIONSHIPS if f"{{{ns}}}{name}" in attrib), None)


def bound_shared_strings(path: Path, display: str) -> None:
    """The count of shared strings a workbook claims (the reader reserves room for that many on
    opening) must fit the strings' own part; and a package that names one part twice (names
    differing in case) or puts its workbook elsewhere is refused: the checks and the reader
    could read different parts."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if len({n.casefold() for n in names}) != len(names):
                note = "the file names one part twice; save it again from Excel"
                fail(BadWorkbook(file=display, note=note, note_zh="文件中有重名的部件;请用 Excel 重新保存"))
            root = {n.casefold(): n for n in names}.get("_rels/.rels")
            if root is not None and b"xl/workbook." not in zf.read(root).replace(b"/xl/", b"xl/"):
                note = "the workbook part is not where Excel puts it; save the file again from Excel"
                fail(
                    BadWorkbook(
                        file=display, note=note, note_zh="工作簿部件不在 Excel 的标准位置;请用 Excel 重新保存"
                    )
                )
            for info in zf.infolist():
                if info.filename.casefold() not in ("xl/sharedstrings.xml", "xl/sharedstrings.bin"):
                    continue
                with zf.open(info) as fh:
                    head = fh.read(4096)
                claimed = _claimed_strings(head, info.filename.casefold().endswith(".bin"))
                size = info.file_size
                if claimed > size // 4 + 16:  # each string takes more than 4 bytes to write
                    note = (
                        f"the workbook claims {claimed:,} shared strings in {size:,} bytes; "
                        "save it again from Excel"
                    )
                    zh = f"工作簿声称有 {claimed:,} 个共享字符串,却只有 {size:,} 字节;请用 Excel 重新保存"
                    fail(BadWorkbook(file=display, note=note, note_zh=zh))
    except (zipfile.BadZipFile, OSError, KeyError):
        return  # the reader says what is wrong


def _claimed_strings(head: bytes, binary: bool) -> int:
    """How many different strings the shared strings' header claims (uniqueCount, or the
    binary BrtBeginSst's cstUnique): the room the reader reserves. (``count`` counts the cells
    that use them, and may be far more.)"""
    if binary:
        if len(head) >= 10 and head[0] == 0x9F and head[1] == 0x01:  # record 159, then its size
            import struct

            start = 3 if head[2] & 0x80 == 0 else 4
            return struct.unpack_from("<I", head, start + 4)[0] if len(head) >= start + 8 else 0
        return 0
    found = re.findall(rb"""\buniqueCount\s*=\s*["']\s*\+?([0-9]{1,30})\s*["']""", head[:4096])
    return max((int(n) for n in found), default=0)


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
