"""Hostile workbooks (issue #11): bounded before the Excel reader allocates, formulas found by
parsing the XML, a DTD refused — each ends in exit 2 naming the file, never in a crash."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import community, household, table_rows, write_folder, write_workbook
from houfu_check.cli import app

runner = CliRunner()
SHEET = "xl/worksheets/sheet1.xml"


def _rewrite(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a workbook (a zip), keeping the others."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = write_folder(tmp_path / "data", [community()], [household("H1"), household("H2")])
    (folder / "households.csv").unlink()
    book = write_workbook(
        folder / "households.xlsx", {"住户": table_rows("households", [household("H1"), household("H2")])}
    )
    return folder, book


def _run(folder: Path) -> str:
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    return result.output


def test_a_cell_far_away_is_refused_before_it_is_allocated(tmp_path: Path) -> None:
    folder, book = _folder(tmp_path)
    _rewrite(
        book,
        SHEET,
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        ),
    )
    out = _run(folder)
    assert "households.xlsx, sheet 住户: the sheet's cells span 1,048,576 rows × 16,384 columns" in out


def test_too_many_merged_ranges(tmp_path: Path) -> None:
    folder, book = _folder(tmp_path)
    merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (i, i) for i in range(10, 10_020))
    _rewrite(
        book,
        SHEET,
        lambda xml: xml.replace(
            b"</sheetData>", b'</sheetData><mergeCells count="10010">' + merges + b"</mergeCells>"
        ),
    )
    assert "merged ranges; at most 10,000 are read" in _run(folder)


@pytest.mark.parametrize(
    "cell",
    [
        b'<c t="n" r="D3"><f>1+1</f><v>2</v></c>',  # another attribute before r
        b"<c r='D3'><f>1+1</f><v>2</v></c>",  # single quotes
        b'<c  r="D3" ><f>1+1</f><v>2</v></c>',  # doubled spaces
        b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="D3"><x:f>1+1</x:f><x:v>2</x:v></x:c>',
    ],
)
def test_a_formula_is_found_however_the_xml_spells_it(tmp_path: Path, cell: bytes) -> None:
    folder, book = _folder(tmp_path)

    def put(xml: bytes) -> bytes:  # replace the cell D3 (members of H2) with a formula
        return re.sub(rb'<c r="D3"[^>]*?(/>|>.*?</c>)', cell, xml, count=1, flags=re.S)

    _rewrite(book, SHEET, put)
    out = _run(folder)
    assert "households.xlsx, sheet 住户, row 3, column members" in out
    assert "formula" in out


def test_a_formula_in_a_cell_without_a_reference(tmp_path: Path) -> None:
    folder, book = _folder(tmp_path)

    def put(xml: bytes) -> bytes:  # row 3 written without any r: cells counted from A
        row = re.search(rb'<row r="3".*?</row>', xml, flags=re.S)
        assert row is not None
        cells = re.findall(rb"<c [^>]*?(?:/>|>.*?</c>)", row.group(0), flags=re.S)
        bare = [re.sub(rb'\sr="[A-Z]+[0-9]+"', b"", c) for c in cells]
        bare[3] = b"<c><f>1+1</f><v>2</v></c>"
        return xml.replace(row.group(0), b"<row>" + b"".join(bare) + b"</row>")

    _rewrite(book, SHEET, put)
    assert "households.xlsx, sheet 住户, row 3, column members" in _run(folder)


def test_a_dtd_is_refused(tmp_path: Path) -> None:
    folder, book = _folder(tmp_path)
    _rewrite(book, "xl/workbook.xml", lambda xml: xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1))
    assert "holds a DTD" in _run(folder)


def test_a_zip_bomb_beside_the_csv_files_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook of another name is looked into for sheets: its unpacked size is checked first."""
    import python_calamine

    monkeypatch.setattr("houfu_check.io.excel.MAX_WORKBOOK_BYTES", 1 << 20)
    folder = write_folder(tmp_path / "data")
    book = write_workbook(folder / "说明.xlsx", {"填表说明": [["各镇按模板填报"]]})
    _rewrite(book, "xl/sharedStrings.xml", lambda xml: xml + b" " * (3 << 20))
    opened: list[str] = []
    real = python_calamine.CalamineWorkbook.from_path

    def spy(path: str) -> object:
        opened.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", staticmethod(spy))
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output  # not a data workbook
    assert "说明.xlsx" not in opened  # and never handed to the reader, which would unpack it
    assert "Traceback" not in result.output


def _far(xml: bytes) -> bytes:
    return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD01048576"><v>1</v></c></row></sheetData>')


def _wide(xml: bytes) -> bytes:
    return xml.replace(
        b"</sheetData>", b'<row r="9000">' + b"<c><v>1</v></c>" * 16_384 + b"</row></sheetData>"
    )


@pytest.mark.parametrize(
    ("member", "change", "says"),
    [
        (SHEET, _far, "cells span 1,048,576 rows × 16,384 columns"),
        (SHEET, _wide, "cells span 9,000 rows × 16,384 columns"),
        (
            SHEET,
            lambda x: x.replace(b"<sheetData>", b"<sheetData><zz:junk/>").replace(
                b"<v>4</v>", b"<f>4</f><v>4</v>"
            ),
            "could not be checked",
        ),
        ("xl/workbook.xml", lambda x: x.replace(b"<sheets>", b"<sheets><zz:junk/>"), "could not be checked"),
        (SHEET, lambda x: b"<!--" + b" " * 5000 + b"-->" + x.replace(b"?>", b"?><!DOCTYPE x>", 1), "DTD"),
    ],
    ids=["a leading zero", "cells without references", "an undeclared prefix", "in the workbook", "late DTD"],
)
def test_a_sheet_that_cannot_be_checked_is_refused(
    tmp_path: Path, member: str, change: Callable[[bytes], bytes], says: str
) -> None:
    """Never read unchecked: the Excel reader would allocate the far cell's area and abort."""
    folder, book = _folder(tmp_path)
    _rewrite(book, member, change)
    assert says in _run(folder)


def test_a_formula_behind_an_unusual_prefix_is_found(tmp_path: Path) -> None:
    folder, book = _folder(tmp_path)
    cell = b'<c r="D3"><a-b:f xmlns:a-b="http://schemas.openxmlformats.org/spreadsheetml/2006/main">1+8</a-b:f><v>9</v></c>'
    _rewrite(
        book, SHEET, lambda xml: re.sub(rb'<c r="D3"[^>]*?(/>|>.*?</c>)', cell, xml, count=1, flags=re.S)
    )
    assert "row 3, column members" in _run(folder)


def test_empty_hidden_rows_to_the_bottom_are_no_cells(tmp_path: Path) -> None:
    folder, book = _folder(tmp_path)
    _rewrite(
        book, SHEET, lambda xml: xml.replace(b"</sheetData>", b'<row r="1048576" hidden="1"/></sheetData>')
    )
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
