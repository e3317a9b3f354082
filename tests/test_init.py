"""``houfu-check init``: empty templates the validator accepts once filled in."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from builders import community, household, table
from houfu_check.cli import app
from houfu_check.rules import default_contract

runner = CliRunner()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_templates_filled_in_validate(lang: str, tmp_path: Path) -> None:
    folder = tmp_path / "q4"
    result = runner.invoke(app, ["init", str(folder), "--lang", lang])
    assert result.exit_code == 0, result.output
    for spec in default_contract().data_tables:
        raw = (folder / spec.file_name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        header = raw.decode("utf-8-sig").strip().split(",")
        assert header == [c.zh if lang == "zh" else c.name for c in spec.columns]
    # Fill in one row each, as a town office would, in the template's column order.
    for spec, row in (("communities", community()), ("households", household())):
        with (folder / f"{spec}.csv").open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerow(
                [{True: "是", False: "否"}.get(v, v) if isinstance(v, bool) else v for v in row.values()]
            )
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output


def test_workbook_template(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "q4"), "--xlsx", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "q4" / "submission.xlsx"
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["社区", "住户", "数据字典"]
    households = book.get_sheet_by_name("住户").to_python()
    assert households[0] == [c.zh for c in table("households").columns]
    dictionary = book.get_sheet_by_name("数据字典").to_python()
    assert len(dictionary) == 1 + sum(len(spec.columns) for spec in default_contract().tables)
    labor = next(row for row in dictionary if row[1] == "labor_count")
    assert labor[2] == "劳动力人数"
    assert "employment.stable_job_per_household" in labor[5]  # the rules that read it
    assert dictionary[0] == ["表", "列(规范名)", "中文列名", "类型", "说明", "用到它的规则"]
    assert not any(re.search(r"/\s*[A-Za-z]", str(row[4])) for row in dictionary)  # no "中文 / English"
    assert not any("cl." in str(row[4]) for row in dictionary)  # (第 28 条)
    assert labor[0] == "住户"
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    lists = re.findall(r'<dataValidation type="list"[^>]*>.*?<formula1>(.*?)</formula1>', sheet, re.S)
    assert '"是,否"' in lists  # yes/no drop-downs
    assert '"警务工作室,警务工作站,无"' in lists  # the police post
    assert '<dataValidation type="whole"' in sheet
    # The validator finds the header: the only complaint is that no rows are filled in yet.
    result = runner.invoke(app, ["validate", str(tmp_path / "q4"), "--lang", "en"])
    assert result.exit_code == 2
    assert "submission.xlsx, sheet 住户: the file has a header but no records" in result.stderr


def test_init_never_writes_over_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "q4"
    folder.mkdir()
    (folder / "households.csv").write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (folder / "households.csv").read_text(encoding="utf-8") == "mine\n"
    assert not (folder / "communities.csv").exists()
