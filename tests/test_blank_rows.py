"""#14: empty rows between the records are skipped with one warning, the same in CSV and in a
workbook; every other row keeps its line; a row that holds only a name is no empty row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import community, household, table, table_rows, write_folder, write_workbook
from houfu_check.cli import app

runner = CliRunner()
WIDTH = len(table("households").names)
HOUSEHOLDS = [household(f"H{i}") for i in range(1, 6)]


def _run(folder: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["report", str(folder), "-f", "json", "--lang", "en", *args])
    return result.exit_code, json.loads(result.stdout)


def _csv_with_blanks(folder: Path, blank_lines: dict[int, str], trailing: str = "") -> Path:
    """households.csv with ``blank_lines`` inserted so that each lands on its line number."""
    write_folder(folder, [community("C1")], HOUSEHOLDS)
    path = folder / "households.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    for line, text in sorted(blank_lines.items()):
        lines.insert(line - 1, text)
    path.write_text("\n".join(lines) + "\n" + trailing, encoding="utf-8")
    return folder


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "with a quoted field"])
def test_empty_csv_rows_are_skipped_with_one_warning(tmp_path: Path, quoted: bool) -> None:
    folder = _csv_with_blanks(
        tmp_path / "data", {4: "", 7: "," * (WIDTH - 1)}, trailing=("," * (WIDTH - 1) + "\n") * 3
    )
    if quoted:
        path = folder / "households.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("张三", '"张,三"', 1), encoding="utf-8")
    code, report = _run(folder)
    assert code in (0, 1)
    assert [(w["code"], w["line"], w["message"]) for w in report["warnings"]] == [
        ("blank-rows-skipped", 4, "empty rows were skipped: lines 4, 7; delete them")
    ]  # the comma-only rows after the last record go unsaid
    assert report["inputs"][1]["rows"] == 5


def test_rows_after_a_skipped_one_keep_their_lines(tmp_path: Path) -> None:
    folder = _csv_with_blanks(tmp_path / "data", {3: "", 5: ""})
    path = folder / "households.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[5].startswith("H3,")  # line 6, after the empty lines 3 and 5
    lines[5] = lines[5].replace(",4,", ",0,", 1)  # members 0: out of range
    path.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert "households.csv, line 6, column members" in result.stdout + result.stderr


def test_empty_workbook_rows_are_skipped_like_csv_rows(tmp_path: Path) -> None:
    rows = table_rows("households", HOUSEHOLDS, zh=True)
    rows.insert(2, [""] * WIDTH)  # sheet row 3
    rows[4] = [*rows[4]]
    rows[4][rows[0].index("家庭人口数")] = 0  # sheet row 5 (H3): out of range, after the gap
    folder = tmp_path / "data"
    write_workbook(
        folder / "台账.xlsx", {"社区": table_rows("communities", [community("C1")], zh=True), "住户": rows}
    )
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert "台账.xlsx, sheet 住户, row 5, column 家庭人口数" in result.stdout + result.stderr
    rows[4][rows[0].index("家庭人口数")] = 4
    write_workbook(
        folder / "台账.xlsx", {"社区": table_rows("communities", [community("C1")], zh=True), "住户": rows}
    )
    code, report = _run(folder)
    assert code in (0, 1)
    skipped = [w for w in report["warnings"] if w["code"] == "blank-rows-skipped"]
    assert [(w["sheet"], w["line"], w["message"]) for w in skipped] == [
        ("住户", 3, "empty rows were skipped: row 3; delete them")
    ]
    zh = runner.invoke(app, ["validate", str(folder), "--lang", "zh"])
    assert "台账.xlsx, 工作表 住户, 第 3 行: 跳过了空行:第 3 行;请删除这些空行" in zh.stdout


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_row_holding_only_a_name_is_not_skipped(tmp_path: Path, kind: str) -> None:
    """A name without the rest is a household with its figures missing, not an empty row; the
    name is never quoted."""
    folder = tmp_path / "data"
    names = list(table("households").names)
    if kind == "csv":
        _csv_with_blanks(folder, {3: ",".join("王芳" if n == "head_name" else "" for n in names)})
    else:
        rows = table_rows("households", HOUSEHOLDS)
        rows.insert(2, ["王芳" if n == "head_name" else "" for n in names])
        write_workbook(folder / "households.xlsx", {"Sheet1": rows})
        write_workbook(folder / "communities.xlsx", {"Sheet1": table_rows("communities", [community("C1")])})
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    out = result.stdout + result.stderr
    assert result.exit_code == 2
    assert "column household_id: the cell is empty" in out
    assert ("line 3" if kind == "csv" else "row 3") in out
    assert "王芳" not in out
    assert "skipped" not in out


def test_a_row_of_a_quoted_line_break_is_no_empty_row(tmp_path: Path) -> None:
    """Its cells look empty, but its line break would shift every later line number: it is
    refused where it starts, as a cell with a line break."""
    folder = _csv_with_blanks(tmp_path / "data", {3: '"\n"' + "," * (WIDTH - 1)})
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert (
        "households.csv, line 3, column household_id: a quoted cell runs over 2 lines"
        in result.stdout + result.stderr
    )


@pytest.mark.parametrize("space", ["\u3000", "\u00a0"], ids=["ideographic space", "no-break space"])
def test_a_row_of_a_wide_space_is_skipped_whatever_else_the_file_holds(tmp_path: Path, space: str) -> None:
    folder = _csv_with_blanks(tmp_path / "data", {4: space + "," * (WIDTH - 1)})
    code, report = _run(folder)
    assert code in (0, 1)
    assert [(w["code"], w["line"]) for w in report["warnings"]] == [("blank-rows-skipped", 4)]


@pytest.mark.parametrize(
    "blank", ["", "," * (WIDTH - 1), " \u3000" + "," * (WIDTH - 1)], ids=["empty", "commas", "spaces"]
)
def test_an_empty_row_in_a_large_file_is_found_from_its_rows(tmp_path: Path, blank: str) -> None:
    """A file past the small-file size is not searched byte by byte for empty lines; its
    parsed rows tell (the first column's cell is empty or starts with a space)."""
    rows = [household(f"H{i:06d}") for i in range(1, 20001)]  # over 1 MiB of CSV
    folder = write_folder(tmp_path / "data", [community("C1")], rows)
    path = folder / "households.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines.insert(8000 - 1, blank)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 1 << 20
    code, report = _run(folder)
    assert code in (0, 1)
    assert [(w["code"], w["line"]) for w in report["warnings"]] == [("blank-rows-skipped", 8000)]
    assert report["inputs"][1]["rows"] == 20000


@pytest.mark.parametrize(
    "space", ["\u2003", "\u2009", "\x0b", "\u0085", "\u00a0"], ids=["em", "thin", "vt", "nel", "nbsp"]
)
@pytest.mark.parametrize("rows", [5, 20000], ids=["small file", "large file"])
def test_a_row_of_any_white_space_is_an_empty_row_whatever_the_size(
    tmp_path: Path, space: str, rows: int
) -> None:
    """A row of white space (any kind) and commas is skipped with the same warning in a small
    file as in a large one."""
    folder = write_folder(
        tmp_path / "data", [community("C1")], [household(f"H{i:06d}") for i in range(1, rows + 1)]
    )
    path = folder / "households.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines.insert(3 - 1, space + "," * (WIDTH - 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, report = _run(folder)
    assert code in (0, 1)
    assert [(w["code"], w["line"]) for w in report["warnings"]] == [("blank-rows-skipped", 3)]
