"""A county folder of town folders is one dataset; ids shared between towns are errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from builders import community, household, table_rows, write_folder, write_workbook
from houfu_check.cli import app

runner = CliRunner()


def _run(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", str(folder), "--lang", "en", *args])
    return result.exit_code, result.stdout, result.stderr


def test_town_folders_are_one_county(tmp_path: Path) -> None:
    c1, c2 = community("C1", town="城关镇"), community("C2", town="涧池镇", platform_321=False)
    h1, h2 = household("H1", "C1"), household("H2", "C2", stably_employed_count=0)
    county = tmp_path / "2022q4"
    write_folder(county / "城关镇", [c1], [h1])
    # One town sends a workbook; its households may reference the other town's community.
    write_workbook(
        county / "涧池镇" / "台账.xlsx",
        {"社区": table_rows("communities", [c2], zh=True), "住户": table_rows("households", [h2], zh=True)},
        title="涧池镇台账",
    )
    merged = write_folder(tmp_path / "merged", [c1, c2], [h1, h2])
    code, out, err = _run(county, "-f", "json", "--by", "town")
    assert code == 1, err
    report = json.loads(out)
    _, twin, _ = _run(merged, "-f", "json", "--by", "town")
    strip = lambda r: [(x["id"], x["status"], x["failing"], x["by_town"]) for x in r["rules"]]  # noqa: E731
    assert strip(report) == strip(json.loads(twin))
    assert [(i["file"], i["sheet"]) for i in report["inputs"]] == [
        ("城关镇/communities.csv", None),
        ("涧池镇/台账.xlsx", "社区"),
        ("城关镇/households.csv", None),
        ("涧池镇/台账.xlsx", "住户"),
    ]
    assert report["warnings"] == []


def test_an_id_in_two_towns_names_both_files_and_lines(tmp_path: Path) -> None:
    county = tmp_path / "county"
    write_folder(
        county / "城关镇", [community("C1", town="城关镇")], [household("H1", "C1"), household("H2", "C1")]
    )
    write_folder(county / "涧池镇", [community("C2", town="涧池镇")], [household("H2", "C2")])
    code, out, err = _run(county)
    assert code == 2
    assert out == ""
    assert (
        "涧池镇/households.csv, line 2, column household_id: 'H2' appears more than once "
        "(first in 城关镇/households.csv, line 3); ids must be unique"
    ) in err


def test_a_town_folder_naming_another_town_is_a_warning(tmp_path: Path) -> None:
    county = tmp_path / "county"
    write_folder(
        county / "城关镇",
        [community("C1", town="城关镇"), community("C3", town="城关镇"), community("C4", town="涧池镇")],
        [household("H1", "C1")],
    )
    write_folder(county / "涧池镇", [community("C2", town="涧池镇")], [household("H2", "C2")])
    code, out, _ = _run(county, "-f", "json")
    assert code == 0  # a warning does not change the verdict
    warnings = json.loads(out)["warnings"]
    assert [(w["code"], w["file"], w["line"], w["value"]) for w in warnings] == [
        ("mixed-towns", "城关镇/communities.csv", 4, "涧池镇")
    ]
    code, out, _ = _run(county)
    assert (
        "城关镇/communities.csv, line 4, column town: '涧池镇' in the folder of 城关镇; "
        "is the row in the right folder?" in out
    )


def test_a_town_folder_missing_a_file(tmp_path: Path) -> None:
    county = tmp_path / "county"
    write_folder(county / "城关镇")
    write_folder(county / "涧池镇", [community("C2", town="涧池镇")], [household("H2", "C2")])
    (county / "涧池镇" / "households.csv").unlink()
    code, _, err = _run(county)
    assert code == 2
    assert "涧池镇/households.csv: file not found in the data folder" in err


def test_an_empty_folder_names_what_it_expects(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = _run(tmp_path / "empty")
    assert code == 2
    assert (
        "communities.csv: file not found in the data folder, which must hold communities.csv and "
        "households.csv (or .xlsx), or a workbook with sheets 社区 and 住户; the folder is empty" in err
    )


def test_the_quarterly_sample_is_the_county_sample_split_by_town(tmp_path: Path) -> None:
    """samples/2022q4 (ten town folders, 涧池镇 as a workbook with a title row) judges exactly
    like samples/hanyin-2022q4, the same data in one pair of CSV files (without its waivers)."""
    root = Path(__file__).resolve().parents[1] / "samples"
    split = shutil.copytree(root / "2022q4", tmp_path / "2022q4")
    (split / "waivers.yaml").unlink()
    verdicts = []
    for folder in (split, root / "hanyin-2022q4"):
        code, out, err = _run(folder, "-f", "json", "--by", "town")
        assert code == 1, err
        verdicts.append(
            [(r["id"], r["status"], sorted(r["failing"]), r["by_town"]) for r in json.loads(out)["rules"]]
        )
    assert verdicts[0] == verdicts[1]


def _county(tmp_path: Path) -> Path:
    county = tmp_path / "county"
    write_folder(county / "城关镇", [community("C1", town="城关镇")], [household("H1", "C1")])
    write_folder(county / "涧池镇", [community("C2", town="涧池镇")], [household("H2", "C2")])
    return county


def test_file_names_in_any_letter_case(tmp_path: Path) -> None:
    county = _county(tmp_path)
    for name in ("communities.csv", "households.csv"):
        (county / "城关镇" / name).rename(county / "城关镇" / name.capitalize().replace(".csv", ".CSV"))
    code, out, err = _run(county, "-f", "json")
    assert code == 0, err
    assert "城关镇/Communities.CSV" in [i["file"] for i in json.loads(out)["inputs"]]


def test_a_town_one_level_too_deep_is_named(tmp_path: Path) -> None:
    county = _county(tmp_path)
    town = county / "城关镇"
    (town / "城关镇").mkdir()
    for name in ("communities.csv", "households.csv"):
        (town / name).rename(town / "城关镇" / name)
    code, _, err = _run(county)
    assert code == 2
    assert (
        "城关镇/: a sub-folder of a county folder is a town's folder, but this one holds no data file" in err
    )
    assert "found 城关镇/ (a folder)" in err


def test_a_spreadsheet_of_a_kind_not_read_is_named_with_a_hint(tmp_path: Path) -> None:
    county = _county(tmp_path)
    (county / "城关镇" / "communities.csv").rename(county / "城关镇" / "台账.et")
    code, _, err = _run(county)
    assert code == 2
    assert "台账.et (a WPS spreadsheet: save it as .xlsx)" in err


def test_own_data_beside_town_folders_is_ambiguous(tmp_path: Path) -> None:
    county = _county(tmp_path)
    write_workbook(county / "汇总表.xlsx", {"社区": table_rows("communities", [community()])})
    code, _, err = _run(county)
    assert code == 2
    assert "holds both its own data files and town folders (城关镇/, 涧池镇/); keep one of them" in err
    (county / "汇总表.xlsx").unlink()
    write_workbook(county / "说明.xlsx", {"填表说明": [["各镇按模板填报"]]})  # not a data workbook
    code, _, err = _run(county)
    assert code == 0, err


def test_two_sources_for_one_table_are_ambiguous_and_hidden_sheets_are_not_data(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    write_workbook(folder / "台账.xlsx", {"社区": table_rows("communities", [community()])})
    code, _, err = _run(folder)
    assert code == 2
    assert "communities.csv and 台账.xlsx, sheet 社区 both hold the communities" in err
    (folder / "台账.xlsx").unlink()
    # A hidden sheet named 社区 is not taken for the table.
    import xlsxwriter

    book = xlsxwriter.Workbook(str(folder / "旧台账.xlsx"))
    book.add_worksheet("说明").write_string(0, 0, "x")
    hidden = book.add_worksheet("社区")
    hidden.hide()
    book.close()
    code, _, err = _run(folder)
    assert code == 0, err


def test_town_folders_expect_their_own_town(tmp_path: Path) -> None:
    """A folder named for a town expects it, however many rows say otherwise; a household of
    another town's community is named too."""
    county = tmp_path / "county"
    write_folder(
        county / "城关镇",
        [community("C1", town="双乳镇"), community("C3", town="双乳镇")],  # every row names 双乳镇
        [household("H1", "C1")],
    )
    write_folder(county / "双乳镇", [community("C2", town="双乳镇")], [household("H2", "C1")])
    code, out, _ = _run(county, "-f", "json")
    assert code == 0
    warnings = json.loads(out)["warnings"]
    found = [(w["file"], w["line"], w["column"], w["value"]) for w in warnings if w["code"] == "mixed-towns"]
    assert found == [
        ("城关镇/communities.csv", 2, "town", "双乳镇"),
        ("城关镇/communities.csv", 3, "town", "双乳镇"),
        ("城关镇/households.csv", 2, "community_id", "C1 (双乳镇)"),  # its community's town
    ]
    # Rename the folder to a name that is no town: the majority (双乳镇) is expected instead,
    # and the household of 双乳镇/ whose community sits in the other folder is still fine.
    (county / "城关镇").rename(county / "chengguan")
    code, out, _ = _run(county, "-f", "json")
    assert [w for w in json.loads(out)["warnings"] if w["code"] == "mixed-towns"] == []
    write_folder(
        county / "双乳镇",
        [community("C2", town="双乳镇"), community("C9", town="涧池镇")],
        [household("H2", "C9")],
    )
    code, out, _ = _run(county, "-f", "json")
    found = [(w["file"], w["column"], w["value"]) for w in json.loads(out)["warnings"]]
    assert ("双乳镇/households.csv", "community_id", "C9 (涧池镇)") in found


def test_warnings_past_the_cap_are_counted_not_dropped(tmp_path: Path) -> None:
    """#14: 25 communities of another town in one folder: 20 warnings, then one saying '+5'."""
    county = tmp_path / "county"
    own = [community("C0", town="城关镇"), community("C00", town="城关镇")]
    strays = [community(f"C{i}", town="涧池镇") for i in range(1, 26)]
    write_folder(county / "城关镇", own + strays, [household("H1", "C0")])
    write_folder(county / "涧池镇", [community("CX", town="涧池镇")], [household("H2", "CX")])
    code, out, _ = _run(county, "-f", "json")
    assert code == 0
    warnings = json.loads(out)["warnings"]
    assert len([w for w in warnings if w["code"] == "mixed-towns"]) == 20
    (more,) = [w for w in warnings if w["code"] == "mixed-towns-more"]
    assert more["message"] == "5 more rows in the folder of 城关镇 name another town"
    assert more["message_zh"] == "城关镇 的文件夹中另有 5 行属于其他镇"
    code, out, _ = _run(county)
    assert "5 more rows in the folder of 城关镇 name another town" in out


def test_a_spreadsheet_no_table_is_read_from_is_named(tmp_path: Path) -> None:
    """A copy the clerk edited (communities副本.csv), a summary workbook without the tables'
    sheets: not read, and said so — it may be the real data."""
    county = _county(tmp_path)
    town = county / "城关镇"
    (town / "communities副本.csv").write_bytes((town / "communities.csv").read_bytes())
    write_workbook(town / "汇总.xlsx", {"汇总": [["合计", 1]]})
    (town / "说明.txt").write_text("note", encoding="utf-8")  # not a spreadsheet: nothing said
    code, out, _ = _run(county, "-f", "json")
    assert code == 0
    strays = [(w["file"], w["message"]) for w in json.loads(out)["warnings"] if w["code"] == "stray-file"]
    assert strays == [
        (
            "城关镇/communities副本.csv",
            "is not read: its name is no table of the contract (communities.csv, households.csv); "
            "rename it if it holds the data, or move it out",
        ),
        (
            "城关镇/汇总.xlsx",
            "is not read: none of its sheets is named for a table (社区、住户); "
            "rename it if it holds the data, or move it out",
        ),
    ]
    zh = runner.invoke(app, ["validate", str(county), "--lang", "zh"])
    assert "城关镇/communities副本.csv: 不会被读取:文件名不是数据规范中的表" in zh.stdout


def test_a_damaged_workbook_no_table_is_read_from_is_named_as_damaged(tmp_path: Path) -> None:
    county = _county(tmp_path)
    (county / "城关镇" / "汇总.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    code, out, _ = _run(county, "-f", "json")
    assert code == 0
    (stray,) = [w for w in json.loads(out)["warnings"] if w["code"] == "stray-file"]
    assert stray["message"].startswith("is not read: it cannot be opened as a workbook (is it damaged?)")


def test_a_totals_row_under_one_of_many_towns_is_named(tmp_path: Path) -> None:
    """Seventy towns' files (their last rows looked at in one query, not one by one): the
    one whose households end in a 合计 row is named, at its own file and line."""
    county = tmp_path / "county"
    for t in range(70):
        write_folder(county / f"镇{t:02d}", [community(f"C{t}")], [household(f"H{t}", f"C{t}")])
    path = county / "镇37" / "households.csv"
    last = path.read_text(encoding="utf-8").rstrip("\n").split("\n")[-1]
    path.write_text(
        path.read_text(encoding="utf-8") + "合计" + last[last.index(",") :] + "\n", encoding="utf-8"
    )
    code, out, _ = _run(county, "-f", "json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert [(e["code"], e["file"], e["line"]) for e in errors] == [("note-row", "镇37/households.csv", 3)]


def test_towns_parsed_together_keep_their_rows_when_one_skips_an_empty_row(tmp_path: Path) -> None:
    """Town files parsed in one pass make one table without being put together again; a town
    whose empty row was left out is put together with the others, every row where it was."""
    from houfu_check.validate import load_dataset

    county = tmp_path / "county"
    for t in range(3):
        rows = [household(f"H{t}{k}", f"C{t}") for k in range(3)]
        write_folder(county / f"镇{t}", [community(f"C{t}")], rows)
    path = county / "镇1" / "households.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:2], "," * (lines[0].count(",")), *lines[2:]]), encoding="utf-8")
    dataset = load_dataset(county, tmp_path)
    assert dataset.tables["households"]["household_id"].to_list() == [
        f"H{t}{k}" for t in range(3) for k in range(3)
    ]
    assert [w.code for w in dataset.warnings] == ["blank-rows-skipped"]
    clean = load_dataset(
        write_folder(tmp_path / "one", [community("C0")], [household("H00", "C0")]), tmp_path
    )
    assert clean.tables["households"]["household_id"].to_list() == ["H00"]


def test_a_totals_row_under_a_workbook_among_many_towns_is_a_note_row(tmp_path: Path) -> None:
    """A workbook's sheet holds columns the table does not (序号): its last row is looked at
    in the sheet itself, so a 合计 under 序号 is named as a note row among 70 towns as among 3."""
    county = tmp_path / "county"
    for t in range(70):
        rows = [household(f"H{t}-{k}", f"C{t}") for k in range(3)]
        if t == 3:
            sheet = table_rows("households", rows, zh=True)
            sheet = [["序号", *sheet[0]]] + [[i + 1, *row] for i, row in enumerate(sheet[1:])]
            total: list[object] = ["合计"] + [""] * (len(sheet[0]) - 1)
            total[4] = 12
            comms = table_rows("communities", [community(f"C{t}")], zh=True)
            write_workbook(county / f"镇{t:02d}" / "台账.xlsx", {"社区": comms, "住户": [*sheet, total]})
        else:
            write_folder(county / f"镇{t:02d}", [community(f"C{t}")], rows)
    code, out, _ = _run(county, "-f", "json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert [(e["code"], e["file"], e["line"]) for e in errors] == [("note-row", "镇03/台账.xlsx", 5)]


def test_a_town_files_link_or_a_linked_town_is_never_written_over(tmp_path: Path) -> None:
    """The output is checked against every town file (by device and inode) without a stat
    each: a symbolic or hard link from a town to a file outside, and a town folder that is a
    link to a folder outside, are caught all the same; elsewhere the report is written."""
    county = _county(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    real = outside / "households.csv"
    shutil.move(county / "城关镇" / "households.csv", real)
    (county / "城关镇" / "households.csv").symlink_to(real)
    hard = outside / "communities-copy.csv"
    hard.hardlink_to(county / "涧池镇" / "communities.csv")
    linked_town = outside / "town"
    shutil.move(county / "涧池镇", linked_town)
    (county / "涧池镇").symlink_to(linked_town, target_is_directory=True)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    for output, said in [
        (real, "is an input file"),
        (hard, "is an input file"),
        (linked_town / "report.json", "inside the data folder"),
    ]:
        code, _, err = _run(county, "-f", "json", "-o", str(output))
        assert code == 2, output
        assert said in err
    result = runner.invoke(
        app, ["report", str(county), "--step-summary"], env={"GITHUB_STEP_SUMMARY": str(hard)}
    )
    assert result.exit_code == 2
    assert "is an input file" in result.output
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before
    code, _, err = _run(county, "-f", "json", "-o", str(outside / "report.json"))
    assert code in (0, 1), err
    assert (outside / "report.json").is_file()
