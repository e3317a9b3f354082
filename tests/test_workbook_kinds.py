"""#14: .xls, .xlsb and .ods are read like .xlsx — the same verdicts, the same habits named.

Each kind has its own inspecting module (formulas, error values, LibreOffice's TRUE() cells,
bounds); these tests write real files of each kind and run the tool on them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import (
    community,
    household,
    table_rows,
    write_folder,
    write_ods,
    write_workbook,
    write_xls,
    write_xlsb,
)
from houfu_check.cli import app

runner = CliRunner()
COMMUNITIES = [community("C1"), community("C2", town="涧池镇", platform_321=False)]
HOUSEHOLDS = [household("H1", "C1"), household("H2", "C2", stably_employed_count=0)]
WRITERS: dict[str, Callable[..., Path]] = {".xls": write_xls, ".ods": write_ods, ".xlsb": write_xlsb}


def _report(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", str(folder), "--lang", "en", *args])
    return result.exit_code, result.stdout, result.stderr


def _verdicts(folder: Path) -> list[tuple[str, str, list[str]]]:
    code, out, err = _report(folder, "-f", "json")
    assert code in (0, 1), err
    return [(r["id"], r["status"], r["failing"]) for r in json.loads(out)["rules"]]


def _sheets() -> dict[str, list[list[Any]]]:
    return {
        "社区": table_rows("communities", COMMUNITIES, zh=True),
        "住户": table_rows("households", HOUSEHOLDS, zh=True),
    }


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsb"])
def test_a_workbook_of_each_kind_judges_like_its_csv_twin(tmp_path: Path, suffix: str) -> None:
    twin = write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS)
    book = WRITERS[suffix](tmp_path / "book" / f"城关镇台账{suffix}", _sheets())
    before = book.read_bytes()
    assert _verdicts(book.parent) == _verdicts(twin)
    assert book.read_bytes() == before  # never changed
    _code, out, _ = _report(book.parent, "-f", "json")
    inputs = json.loads(out)["inputs"]
    assert [(i["file"], i["sheet"], i["rows"], i["encoding"]) for i in inputs] == [
        (book.name, "社区", 2, suffix[1:]),
        (book.name, "住户", 2, suffix[1:]),
    ]


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsb"])
def test_a_workbook_per_table_of_each_kind(tmp_path: Path, suffix: str) -> None:
    folder = tmp_path / "data"
    sheets = _sheets()
    WRITERS[suffix](folder / f"communities{suffix}", {"Sheet1": sheets["社区"]})
    WRITERS[suffix](folder / f"households{suffix}", {"Sheet1": sheets["住户"]})
    assert _verdicts(folder) == _verdicts(write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS))


def test_an_xls_named_xlsx_is_read_for_what_it_is(tmp_path: Path) -> None:
    """The signature decides: a clerk's renamed .xls is read, not refused as a broken zip."""
    book = write_xls(tmp_path / "book" / "台账.xls", _sheets())
    book.rename(book.with_suffix(".xlsx"))
    assert _verdicts(book.parent) == _verdicts(write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS))


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsb"])
def test_a_formula_is_refused_and_a_constant_true_is_a_value(tmp_path: Path, suffix: str) -> None:
    sheets = _sheets()
    header = sheets["住户"][0]
    members = header.index("家庭人口数")
    poverty = header.index("脱贫户")
    true_formula = "TRUE" if suffix == ".xls" else "=TRUE()"  # as each program writes it
    sum_formula = "1+2" if suffix == ".xls" else "=1+2"
    book = WRITERS[suffix](
        tmp_path / "book" / f"台账{suffix}",
        sheets,
        formulas={("住户", 1, poverty): true_formula, ("住户", 2, members): sum_formula},
    )
    code, _, err = _report(book.parent)
    assert code == 2
    assert f"台账{suffix}, sheet 住户, row 3, column 家庭人口数: holds the formula" in err
    assert "脱贫户" not in err  # =TRUE() in a yes/no column is the value true
    assert err.count("holds the formula") == 1


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsb"])
def test_an_error_value_is_named_as_such(tmp_path: Path, suffix: str) -> None:
    sheets = _sheets()
    members = sheets["住户"][0].index("家庭人口数")
    book = WRITERS[suffix](tmp_path / "book" / f"台账{suffix}", sheets, errors={("住户", 1, members): "#N/A"})
    code, _, err = _report(book.parent)
    assert code == 2
    assert f"台账{suffix}, sheet 住户, row 2, column 家庭人口数: holds the Excel error value '#N/A'" in err
    assert "empty" not in err


def test_a_row_repeated_past_the_cell_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """An .ods row repeated 60 million times would be expanded by the reader: bounded first."""
    sheets = _sheets()
    book = write_ods(tmp_path / "book" / "台账.ods", sheets, repeat_rows={("住户", 2): 60_000_000})
    code, _, err = _report(book.parent)
    assert code == 2
    assert (
        "台账.ods, sheet 住户: the sheet's cells span 60,000,002 rows × 18 columns; at most 50,000,000" in err
    )


def test_a_spreadsheet_of_a_kind_not_read_is_named(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", COMMUNITIES, HOUSEHOLDS)
    shutil.move(folder / "households.csv", folder / "households.et")
    code, _, err = _report(folder)
    assert code == 2
    assert "households.et (a WPS spreadsheet: save it as .xlsx)" in err


# --- a hostile review's files: each ends in exit 2 naming the file, never in an abort ---------


def _zip_edit(
    book: Path, change: Callable[[str, bytes], bytes], extra: dict[str, bytes] | None = None
) -> None:
    """Rewrite a zip package member by member (``change(name, data)``), adding ``extra``."""
    import zipfile

    with zipfile.ZipFile(book) as zf:
        members = [(info.filename, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, change(name, data))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)


def _folder_with(tmp_path: Path, suffix: str) -> Path:
    folder = write_folder(tmp_path / "data", COMMUNITIES, HOUSEHOLDS)
    (folder / "communities.csv").unlink()
    sheets = _sheets()
    WRITERS.get(suffix, lambda p, s: write_workbook(p, s))(
        folder / f"communities{suffix}", {"社区": sheets["社区"]}
    )
    return folder


def _refused(folder: Path, said: str) -> None:
    code, _, err = _report(folder)
    assert code == 2, err
    assert said in err, err
    assert "panicked" not in err
    assert "Traceback" not in err


def test_an_xlsb_whose_sheet_points_nowhere_is_damaged_not_a_panic(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, ".xlsb")
    _zip_edit(
        folder / "communities.xlsb",
        lambda n, d: d.replace(b'Id="rId1"', b'Id="rIdX"') if n.endswith(".rels") else d,
    )
    _refused(folder, "the workbook is damaged and cannot be read")


def test_an_xls_claiming_a_huge_sheet_is_refused_before_the_reader_allocates(tmp_path: Path) -> None:
    import struct

    import olefile

    folder = _folder_with(tmp_path, ".xls")
    book = folder / "communities.xls"
    with olefile.OleFileIO(str(book), write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        at = data.find(struct.pack("<HH", 0x0200, 14), 100)  # the sheet's DIMENSIONS record
        struct.pack_into("<I", data, at + 8, 0xFFFFFFFF)  # its last row + 1
        ole.write_stream("Workbook", bytes(data))
    _refused(folder, "the sheet's cells span 4,294,967,295 rows")


def test_shared_strings_claimed_beyond_their_part_are_refused(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, ".xlsx")
    _zip_edit(
        folder / "communities.xlsx",
        lambda n, d: (
            re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="4000000000000"', d) if "sharedStrings" in n else d
        ),
    )
    _refused(folder, "the workbook claims 4,000,000,000,000 shared strings")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda n, d: (
                d.replace(b'r:id="rId1"', b'r:id="rId1" xmlns:x="urn:x" x:id="rId9"')
                if n == "xl/workbook.xml"
                else d
            ),
            "cannot be read as a workbook",  # by the checks or the reader: either refuses
        ),
        (
            lambda n, d: d.replace(b"xl/workbook.xml", b"other/workbook.xml") if n == "_rels/.rels" else d,
            "the workbook part is not where Excel puts it",
        ),
    ],
    ids=["two ids for a sheet", "the workbook elsewhere"],
)
def test_an_xlsx_the_checks_and_the_reader_could_read_apart_is_refused(
    tmp_path: Path, change: Callable[[str, bytes], bytes], said: str
) -> None:
    folder = _folder_with(tmp_path, ".xlsx")
    _zip_edit(folder / "communities.xlsx", change)
    _refused(folder, said)


def test_an_xlsx_naming_a_part_twice_is_refused(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, ".xlsx")
    _zip_edit(folder / "communities.xlsx", lambda n, d: d, {"xl/worksheets/Sheet1.xml": b"<worksheet/>"})
    _refused(folder, "the file names one part twice")


def test_an_ods_table_inside_a_cell_or_with_two_names_is_refused(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, ".ods")
    nested = (
        b'<table:table table:name="x"><table:table-row><table:table-cell/></table:table-row></table:table>'
    )
    _zip_edit(
        folder / "communities.ods",
        lambda n, d: (
            d.replace(b"</table:table-cell>", nested + b"</table:table-cell>", 1) if n == "content.xml" else d
        ),
    )
    _refused(folder, "a table inside a cell")
    folder = _folder_with(tmp_path / "two", ".ods")
    _zip_edit(
        folder / "communities.ods",
        lambda n, d: (
            d.replace(
                b'<table:table table:name="', b'<table:table xmlns:foo="urn:foo" foo:name="x" table:name="', 1
            )
            if n == "content.xml"
            else d
        ),
    )
    _refused(folder, "a table with two names")


def test_a_workbook_of_a_header_and_blank_rows_has_no_records(tmp_path: Path) -> None:
    """Rows of spaces under a header are no records: refused as in a CSV file, never 0 rows judged."""
    folder = write_folder(tmp_path / "data", COMMUNITIES, HOUSEHOLDS)
    (folder / "communities.csv").unlink()
    header = _sheets()["社区"][0]
    write_workbook(folder / "communities.xlsx", {"社区": [header, [" "], [" "], [" "]]})
    _refused(folder, "communities.xlsx, sheet 社区: the file has a header but no records")
