"""``--export-failing``: rectification lists a town can act on, inert in a spreadsheet."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.inert import for_cell as neutralise

runner = CliRunner()


def test_one_list_per_failing_rule_with_the_failing_units(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "data",
        [community("C1", community_name='=HYPERLINK("http://x")', town="城关镇", platform_321=False)],
        [
            household("H1", head_name="隐私标记"),
            household("H2", stably_employed_count=0, head_name="隐私标记"),
            household("H3", skilled_labor_count=1, head_name="隐私标记"),
        ],
    )
    out = tmp_path / "lists"
    result = runner.invoke(app, ["report", str(folder), "-f", "json", "--export-failing", str(out)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    expected = {f"{r['id']}.csv" for r in report["rules"] if r["status"] in ("fail", "warn") and r["failing"]}
    assert {p.name for p in out.iterdir()} == expected | {"failing-units.xlsx", ".houfu-check-lists"}
    raw = (out / "employment.stable_job_per_household.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [
        "household_id",
        "community_id",
        "community_name",
        "town",
        "labor_count",
        "stably_employed_count",
        "Lead unit",
    ]
    assert rows[1] == ["H2", "C1", '\'=HYPERLINK("http://x")', "城关镇", "2", "0", "县人社局"]
    everything = "".join(p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv"))
    assert "隐私标记" not in everything
    assert (out / "governance.platform_321.csv").stat().st_mode & 0o044  # readable by others, as usual


def test_chinese_headers_and_yes_no_words(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(monitored=True, assisted=False)])
    out = tmp_path / "lists"
    runner.invoke(app, ["report", str(folder), "--lang", "zh", "--export-failing", str(out)])
    rows = list(csv.reader((out / "monitoring.assistance.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == [
        "户编号",
        "社区编号",
        "社区名称",
        "所属镇",
        "已落实帮扶措施",
        "防返贫监测对象",
        "牵头单位",
    ]
    assert rows[1][4:6] == ["否", "是"]


def test_a_choice_is_said_in_chinese_and_the_index_sheet_too(tmp_path: Path) -> None:
    """#14: 警务工作室, not office, in a Chinese list; the workbook's first sheet is 目录."""
    import zipfile

    folder = write_folder(
        tmp_path / "data", [community(police_post="office", police_officers=0)], [household()]
    )
    out = tmp_path / "lists"
    runner.invoke(app, ["report", str(folder), "--lang", "zh", "--export-failing", str(out)])
    text = (out / "police.office_staffing.csv").read_text(encoding="utf-8-sig")
    assert "警务工作室" in text
    assert "office" not in text
    with zipfile.ZipFile(out / "failing-units.xlsx") as book:
        assert 'name="目录"' in book.read("xl/workbook.xml").decode()


def test_never_into_the_data_folder(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(family_doctor_signed_members=0)])
    result = runner.invoke(app, ["report", str(folder), "--export-failing", str(folder)])
    assert result.exit_code == 2
    assert sorted(p.name for p in folder.iterdir()) == ["communities.csv", "households.csv"]


def test_formula_cells_are_neutralised() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)"):
        assert neutralise(text) == "'" + text
    for text in ("\tx", "\rx"):  # marked, and the control character itself becomes a space
        assert neutralise(text) == "' x"
    assert neutralise("月河社区") == "月河社区"


def test_workbook_has_an_index_and_a_sheet_per_rule(tmp_path: Path) -> None:
    import zipfile

    folder = write_folder(
        tmp_path / "data",
        [community("C1", community_name="@SUM(A1)", platform_321=False)],
        [
            household(
                "H1", head_name="隐私标记", stably_employed_count=0, employed_count=0, skilled_labor_count=2
            )
        ],
    )
    out = tmp_path / "lists"
    runner.invoke(app, ["report", str(folder), "--export-failing", str(out), "--lang", "en"])
    with zipfile.ZipFile(out / "failing-units.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    csv_count = len(list(out.glob("*.csv")))
    assert len(sheets) == csv_count + 1
    assert 'name="index"' in workbook
    assert 'name="employment.zero_employment_hous"' in workbook  # cut to Excel's 31 characters
    assert "&apos;@SUM(A1)" in strings or "'@SUM(A1)" in strings
    assert "隐私标记" not in strings


def test_a_rerun_leaves_no_stale_list(tmp_path: Path) -> None:
    """A rule that now passes loses its list; invalid data removes the lists of the last run."""
    out = tmp_path / "lists"
    folder = write_folder(tmp_path / "data", [community(platform_321=False)], [household()])
    assert runner.invoke(app, ["report", str(folder), "--export-failing", str(out)]).exit_code == 1
    assert (out / "governance.platform_321.csv").exists()
    mine = out / "notes.txt"
    mine.write_text("the analyst's own file", encoding="utf-8")
    write_folder(folder, [community()], [household(stably_employed_count=0)])
    assert runner.invoke(app, ["report", str(folder), "--export-failing", str(out)]).exit_code == 1
    assert not (out / "governance.platform_321.csv").exists()
    assert (out / "employment.stable_job_per_household.csv").exists()
    write_folder(folder, [community()], [household(members="x")])
    result = runner.invoke(app, ["report", str(folder), "--export-failing", str(out)])
    assert result.exit_code == 2
    assert "removed the earlier rectification lists" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # never a file it did not write
    assert mine.read_text(encoding="utf-8") == "the analyst's own file"


def test_long_lists_continue_on_more_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from python_calamine import CalamineWorkbook

    import houfu_check.exports

    monkeypatch.setattr(houfu_check.exports, "SHEET_ROWS", 2)
    folder = write_folder(
        tmp_path / "data", [community()], [household(f"H{i}", stably_employed_count=0) for i in range(5)]
    )
    out = tmp_path / "lists"
    assert runner.invoke(app, ["report", str(folder), "--export-failing", str(out)]).exit_code == 1
    book = CalamineWorkbook.from_path(str(out / "failing-units.xlsx"))
    sheets = [s for s in book.sheet_names if s.startswith("employment.stable_job_per")]
    assert len(sheets) == 3  # 5 households, 2 a sheet
    rows = [r for s in sheets for r in book.get_sheet_by_name(s).to_python()[1:]]
    assert [r[0] for r in rows] == [f"H{i}" for i in range(5)]


def test_control_characters_never_reach_a_list(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "data",
        [community("C1", community_name="\x1b[2J社区\x1b]8;;http://x\x07")],
        [household("H1", stably_employed_count=0)],
    )
    out = tmp_path / "lists"
    assert runner.invoke(app, ["report", str(folder), "--export-failing", str(out)]).exit_code == 1
    text = (out / "employment.stable_job_per_household.csv").read_text(encoding="utf-8-sig")
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "社区" in text


def test_a_control_character_in_a_town_name_is_refused_at_its_line(tmp_path: Path) -> None:
    """A town's name is checked like an id: 城关\x1b[31m镇 would be a town of its own."""
    folder = write_folder(tmp_path / "data", [community("C1", town="城关\x1b[31m镇")], [household("H1")])
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert "communities.csv, line 2, column town:" in result.stderr
    assert "U+001B" in result.stderr
