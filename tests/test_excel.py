"""Excel input: the same contract and verdicts as CSV, positions as sheet and row, bad workbooks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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
    assert "households.xlsx: cannot be read as an Excel workbook (.xlsx)" in err
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
