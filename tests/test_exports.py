"""``--export-failing``: rectification lists a town can act on, inert in a spreadsheet."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.exports import neutralise

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
    assert {p.name for p in out.iterdir()} == expected | {"failing-units.xlsx"}
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


def test_never_into_the_data_folder(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(family_doctor_signed=False)])
    result = runner.invoke(app, ["report", str(folder), "--export-failing", str(folder)])
    assert result.exit_code == 2
    assert sorted(p.name for p in folder.iterdir()) == ["communities.csv", "households.csv"]


def test_formula_cells_are_neutralised() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
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
