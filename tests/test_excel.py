"""Excel input: the same contract and verdicts as CSV, positions as sheet and row, bad workbooks."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from typer.testing import CliRunner

from builders import community, household, table_rows, write_folder, write_workbook
from houfu_check.cli import app

runner = CliRunner()
COMMUNITIES = [community("C1"), community("C2", town="涧池镇", platform_321=False)]
HOUSEHOLDS = [household("H1", "C1"), household("H2", "C2", stably_employed_count=0)]


def _report(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", str(folder), "--lang", "en", *args])
    return result.exit_code, result.stdout, result.stderr


def _verdicts(folder: Path) -> list[tuple[str, str, list[str]]]:
    code, out, err = _report(folder, "-f", "json")
    assert code in (0, 1), err
    return [(r["id"], r["status"], r["failing"]) for r in json.loads(out)["rules"]]


def test_one_workbook_with_title_rows_judges_like_its_csv_twin(tmp_path: Path) -> None:
    twin = write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS)
    book = write_workbook(
        tmp_path / "xlsx" / "城关镇2022Q4台账.xlsx",
        {
            "社区": table_rows("communities", COMMUNITIES, zh=True),
            "住户": table_rows("households", HOUSEHOLDS, zh=True),
        },
        title="汉阴县易地搬迁后续扶持台账(2022年第四季度)",
    )
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    assert _verdicts(book.parent) == _verdicts(twin)
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before  # never changed
    _code, out, _ = _report(book.parent, "-f", "json")
    inputs = json.loads(out)["inputs"]
    assert [(i["file"], i["sheet"], i["rows"], i["encoding"]) for i in inputs] == [
        ("城关镇2022Q4台账.xlsx", "社区", 2, "xlsx"),
        ("城关镇2022Q4台账.xlsx", "住户", 2, "xlsx"),
    ]


def test_a_workbook_per_table_with_english_headers(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write_workbook(folder / "communities.xlsx", {"Sheet1": table_rows("communities", COMMUNITIES)})
    write_workbook(folder / "households.xlsx", {"Sheet1": table_rows("households", HOUSEHOLDS)})
    assert _verdicts(folder) == _verdicts(write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS))


def test_merged_header_cells_are_found(tmp_path: Path) -> None:
    """A two-row header: group titles merged across, and 户编号 merged down over both rows."""
    rows = table_rows("households", HOUSEHOLDS, zh=True)
    path = tmp_path / "data" / "households.xlsx"
    path.parent.mkdir()
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("住户")
    ws.merge_range(0, 0, 0, len(rows[0]) - 1, "住户台账")
    ws.merge_range(1, 0, 2, 0, rows[0][0])  # 户编号 over rows 2–3
    ws.merge_range(1, 1, 1, 5, "基本情况")
    for c, name in enumerate(rows[0][1:], start=1):
        ws.write_string(2, c, name)
    for r, row in enumerate(rows[1:], start=3):
        for c, value in enumerate(row):
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    book.close()
    write_workbook(tmp_path / "data" / "communities.xlsx", {"社区": table_rows("communities", COMMUNITIES)})
    assert _verdicts(tmp_path / "data") == _verdicts(write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS))


def test_a_text_cell_in_a_number_column_names_sheet_row_and_column(tmp_path: Path) -> None:
    households = [household(f"H{i:04d}", "C1") for i in range(3998)]
    households[3997]["labor_count"] = "2.5"  # title row 1, header row 2: this is row 4,000
    write_workbook(
        tmp_path / "data" / "households.xlsx",
        {"住户": table_rows("households", households, zh=True)},
        title="住户台账",
    )
    write_workbook(tmp_path / "data" / "communities.xlsx", {"社区": table_rows("communities", [community()])})
    code, out, err = _report(tmp_path / "data")
    assert code == 2
    assert out == ""
    assert (
        "households.xlsx, sheet 住户, row 4,000, column 劳动力人数 (labor_count): '2.5' is not a whole number"
        in err
    )


def test_a_formula_cell_is_refused(tmp_path: Path) -> None:
    write_workbook(
        tmp_path / "data" / "households.xlsx",
        {"住户": table_rows("households", HOUSEHOLDS)},
        formulas={("住户", 2, 3): "=1+3"},  # members of the second household
    )
    write_workbook(tmp_path / "data" / "communities.xlsx", {"社区": table_rows("communities", COMMUNITIES)})
    code, out, _err = _report(tmp_path / "data", "-f", "json")
    assert code == 2
    error = json.loads(out)["errors"][0]
    assert error["code"] == "formula-cell"
    assert (error["file"], error["sheet"], error["line"], error["column"]) == (
        "households.xlsx",
        "住户",
        3,
        "members",
    )
    assert "=1+3" in error["message"]


@pytest.mark.parametrize(
    ("sheet_rows", "expected"),
    [
        ([], "households.xlsx, sheet 住户: the file is empty; expected a header line: the sheet is empty"),
        (
            [["编号", "说明"], ["1", "x"]],
            "households.xlsx, sheet 住户: no row among the first 30 names the columns",
        ),
        (
            table_rows("households", []),
            "households.xlsx, sheet 住户: the file has a header but no records",
        ),
    ],
    ids=["empty sheet", "no header", "header only"],
)
def test_bad_workbooks(tmp_path: Path, sheet_rows: list[list[object]], expected: str) -> None:
    write_workbook(tmp_path / "data" / "households.xlsx", {"住户": sheet_rows})
    write_workbook(tmp_path / "data" / "communities.xlsx", {"社区": table_rows("communities", COMMUNITIES)})
    code, _out, err = _report(tmp_path / "data")
    assert code == 2
    assert expected in err


def test_not_a_workbook_and_two_files_for_one_table(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", COMMUNITIES, HOUSEHOLDS)
    (folder / "households.xlsx").write_bytes(b"this is not a zip file")
    code, _, err = _report(folder)
    assert code == 2
    assert (
        "households.csv: households.csv and households.xlsx both hold the households; keep one of them" in err
    )
    (folder / "households.csv").unlink()
    code, _, err = _report(folder)
    assert code == 2
    assert "households.xlsx: cannot be read as a workbook: its bytes are not those of a spreadsheet" in err
    assert "Traceback" not in err


def test_no_personal_name_is_read_from_a_workbook(tmp_path: Path) -> None:
    households = [household("H1", "C1", head_name="隐私标记W1")]
    write_workbook(tmp_path / "data" / "households.xlsx", {"住户": table_rows("households", households)})
    write_workbook(tmp_path / "data" / "communities.xlsx", {"社区": table_rows("communities", [community()])})
    for fmt in ("json", "terminal", "markdown"):
        code, out, _ = _report(tmp_path / "data", "-f", fmt)
        assert code == 0
        assert "隐私标记W1" not in out


def test_a_two_level_header_with_group_headings(tmp_path: Path) -> None:
    """The usual ledger: most names merged down rows 2–3, and 就业情况 merged across row 2 over
    the employment columns, whose own names are in row 3."""
    rows = table_rows("households", HOUSEHOLDS, zh=True)
    names = rows[0]
    grouped = [
        i
        for i, n in enumerate(names)
        if n in ("劳动力人数", "就业人数", "稳定就业人数", "掌握技能劳动力人数")
    ]
    path = tmp_path / "data" / "households.xlsx"
    path.parent.mkdir()
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("住户")
    ws.merge_range(0, 0, 0, len(names) - 1, "住户台账(2022年第四季度)")
    for c, name in enumerate(names):
        if c not in grouped:
            ws.merge_range(1, c, 2, c, name)
    ws.merge_range(1, grouped[0], 1, grouped[-1], "就业情况")
    for c in grouped:
        ws.write_string(2, c, names[c])
    for r, row in enumerate(rows[1:], start=3):
        for c, value in enumerate(row):
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    book.close()
    write_workbook(tmp_path / "data" / "communities.xlsx", {"社区": table_rows("communities", COMMUNITIES)})
    assert _verdicts(tmp_path / "data") == _verdicts(write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS))


def _rewrite_sheets(book: Path, change: Any, only: str = "xl/worksheets/sheet") -> None:
    """Rewrite the worksheets' XML of ``book`` (those whose member name starts with ``only``)
    with ``change`` (text → text), as another spreadsheet program would have saved it."""
    with zipfile.ZipFile(book) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if name.startswith(only):
                data = change(data.decode("utf-8")).encode("utf-8")
            zf.writestr(name, data)


def test_yes_no_cells_saved_as_true_formulas_read_as_values(tmp_path: Path) -> None:
    """#14: LibreOffice Calc and WPS save every TRUE/FALSE cell as <f>TRUE()</f> with its value:
    the same verdicts as the original, and any other formula still refused."""
    twin = write_folder(tmp_path / "csv", COMMUNITIES, HOUSEHOLDS)
    book = write_workbook(
        tmp_path / "xlsx" / "ledger.xlsx",
        {
            "社区": table_rows("communities", COMMUNITIES, zh=True),
            "住户": table_rows("households", HOUSEHOLDS, zh=True),
        },
    )

    def calc(xml: str) -> str:
        return re.sub(
            r'(<c r="[A-Z]+[0-9]+" t="b">)<v>([01])</v>',
            lambda m: f"{m.group(1)}<f>{'TRUE' if m.group(2) == '1' else 'FALSE'}()</f><v>{m.group(2)}</v>",
            xml,
        )

    _rewrite_sheets(book, calc)
    assert "<f>TRUE()</f>" in zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml").decode()
    assert _verdicts(book.parent) == _verdicts(twin)
    _rewrite_sheets(book, lambda xml: xml.replace("<f>TRUE()</f>", "<f>1=1</f>", 1))
    code, _, err = _report(book.parent)
    assert code == 2
    assert "holds the formula '=1=1'" in err


def test_an_excel_error_value_is_named_as_such(tmp_path: Path) -> None:
    """#14: a cell holding #N/A (a formula's error, pasted as a value) is named, not 'empty'."""
    book = write_workbook(
        tmp_path / "xlsx" / "ledger.xlsx",
        {
            "社区": table_rows("communities", COMMUNITIES, zh=True),
            "住户": table_rows("households", HOUSEHOLDS, zh=True),
        },
    )
    # the second sheet's D2 (家庭人口数 of H1) becomes an error value
    _rewrite_sheets(
        book, lambda xml: re.sub(r'<c r="D2"[^>]*>.*?</c>', '<c r="D2" t="e"><v>#N/A</v></c>', xml)
    )
    code, _, err = _report(book.parent)
    assert code == 2
    assert "ledger.xlsx, sheet 住户, row 2, column 家庭人口数: holds the Excel error value '#N/A'" in err
    assert "empty" not in err


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "the workbook is damaged and cannot be read",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le"),
            "the workbook is protected by a password",
        ),
        ("社区编号,社区名称\nC1,x\n".encode(), "this file is text (a CSV file?) with a workbook's name"),
    ],
    ids=["a broken OLE file named .xlsx", "a password-protected workbook", "a CSV named .xlsx"],
)
def test_what_a_file_is_decides_the_message_not_its_name(tmp_path: Path, content: bytes, said: str) -> None:
    """#14: no 'invalid Zip archive: Could not find EOCD' for a file a clerk can fix."""
    folder = write_folder(tmp_path / "data", COMMUNITIES, HOUSEHOLDS)
    (folder / "communities.csv").unlink()
    (folder / "communities.xlsx").write_bytes(content)
    code, _, err = _report(folder)
    assert code == 2
    assert said.replace("97-2003", "97–2003") in err
    assert "EOCD" not in err
    assert "Zip" not in err


def test_an_empty_first_sheet_names_the_sheets_found_and_the_names_read(tmp_path: Path) -> None:
    """#14: an empty Sheet1 before the clerk's 城关镇住户 sheet: say which sheets there are."""
    folder = write_folder(tmp_path / "data", COMMUNITIES, HOUSEHOLDS)
    (folder / "households.csv").unlink()
    write_workbook(
        folder / "households.xlsx",
        {"Sheet1": [[""]], "城关镇住户": table_rows("households", HOUSEHOLDS, zh=True)},
    )
    code, _, err = _report(folder)
    assert code == 2
    assert "households.xlsx, sheet Sheet1" in err
    assert "the workbook's sheets are Sheet1, 城关镇住户" in err
    assert "read from a sheet named 住户 or households" in err


def test_a_tally_warning_names_the_workbook_the_rows_came_from(tmp_path: Path) -> None:
    """#11: 安置户数 far from the household rows read from a workbook names that workbook."""
    folder = write_folder(tmp_path / "data", [community("C1", households=9)], HOUSEHOLDS[:1])
    (folder / "households.csv").unlink()
    write_workbook(folder / "households.xlsx", {"住户": table_rows("households", HOUSEHOLDS[:1], zh=True)})
    code, out, _ = _report(folder, "-f", "json")
    assert code in (0, 1)
    tally = [w["message"] for w in json.loads(out)["warnings"] if w["code"] == "tally-mismatch"]
    assert tally
    assert "its rows in households.xlsx (住户)" in tally[0]


def test_note_and_totals_rows_under_the_table_are_named_once_each(tmp_path: Path) -> None:
    """#14: 合计 and 填表人 rows under a town's table: one located message each saying what they
    are, not fifty 'the cell is empty' errors, and the name in the note is never quoted."""
    rows = table_rows("households", HOUSEHOLDS, zh=True)
    width = len(rows[0])
    rows.append(["合计", "", "", 8] + [""] * (width - 4))
    rows.append(["填表人:王会计  审核人:李主任"] + [""] * (width - 1))
    folder = write_folder(tmp_path / "data", COMMUNITIES, HOUSEHOLDS)
    (folder / "households.csv").unlink()
    write_workbook(folder / "households.xlsx", {"住户": rows})
    code, out, err = _report(folder, "-f", "json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert [(e["code"], e["line"]) for e in errors] == [("note-row", 4), ("note-row", 5)]
    assert "'合计'" in errors[0]["message"]
    assert "王会计" not in out + err
    code, _, err = _report(folder, "--lang", "zh")
    assert "这一行以“填表人”开头" in err
    assert "王会计" not in err
