"""Hostile input found by a review: each case ends safely (exit 2, or an inert output)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import community, copy_contract, household, write_folder
from houfu_check.cli import app
from houfu_check.rules import default_rules_path

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["report", "{data}", "-o", "{data}/report.txt"],
        ["report", "{data}", "-f", "json,html", "--output-dir", "{data}"],
        ["report", "{data}", "-o", "{data}/newtown/households.csv"],
        ["validate", "{data}", "-f", "json", "-o", "{data}/submission.yaml"],
    ],
    ids=[
        "a report in the data folder",
        "output-dir is the data folder",
        "a fake town",
        "over submission.yaml",
    ],
)
def test_nothing_is_written_into_the_data_folder(tmp_path: Path, args: list[str]) -> None:
    folder = write_folder(tmp_path / "data")
    (folder / "submission.yaml").write_text("period: 2022-Q4\n", encoding="utf-8")
    before = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
    result = runner.invoke(app, [a.format(data=folder) for a in args])
    assert result.exit_code == 2
    assert "inside the data folder" in result.output or "is an input file" in result.output
    assert sorted((p.name, p.read_bytes()) for p in folder.iterdir()) == before


def test_invisible_characters_cannot_hide_a_formula(tmp_path: Path) -> None:
    hid = "\u200b=1+1"
    folder = write_folder(tmp_path / "data", [community()], [household(hid, stably_employed_count=0)])
    out = tmp_path / "lists"
    assert runner.invoke(app, ["report", str(folder), "--export-failing", str(out)]).exit_code == 1
    content = (out / "employment.stable_job_per_household.csv").read_text(encoding="utf-8-sig")
    cell = next(csv.reader(io.StringIO(content.splitlines()[1])))[0]
    assert cell == "'=1+1"


def test_bidi_and_line_separators_do_not_reach_logs(tmp_path: Path) -> None:
    tricky = "H\u202e1\u2028x"
    folder = write_folder(
        tmp_path / "data", [community(town="城关\u2028镇")], [household(tricky, stably_employed_count=0)]
    )
    junit = runner.invoke(app, ["report", str(folder), "-f", "junit"]).stdout
    assert "\u202e" not in junit
    assert "\u2028" not in junit
    terminal = runner.invoke(app, ["report", str(folder), "--by", "town", "--no-color"]).stdout
    assert "\u2028" not in terminal


@pytest.mark.parametrize("where", ["submission.yaml", "waivers.yaml", "rules"])
def test_a_complex_yaml_key_is_refused(tmp_path: Path, where: str) -> None:
    folder = write_folder(tmp_path / "data")
    args = ["validate", str(folder), "-f", "json"]
    if where == "rules":
        rules = tmp_path / "rules.yaml"
        copy_contract(tmp_path)
        rules.write_text(
            default_rules_path().read_text(encoding="utf-8") + "? [a, b]\n: 1\n", encoding="utf-8"
        )
        args = ["rules", "check", str(rules)]
    else:
        (folder / where).write_text("? [a, b]\n: 1\n", encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "a key must be plain text" in result.output


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("condition", "ｌａｂｏｒ_count >= 1", "'ｌａｂｏｒ_count' is not a column name"),
        ("condition", "Ｔｒｕｅ", "'Ｔｒｕｅ' is not a column name"),
        ("target", "'>= ９０%'", "is not a target"),
    ],
)
def test_lookalike_characters_are_refused_in_rules(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    text = default_rules_path().read_text(encoding="utf-8")
    start = text.index("  - id: skills.every_laborer")
    end = text.index("  - id:", start + 10)
    rule = text[start:end]
    lines = [
        f"    {field}: {value}" if line.startswith(f"    {field}:") else line for line in rule.splitlines()
    ]
    rules = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    rules.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "skills.every_laborer" in result.output


@pytest.mark.parametrize("period", ["２０２２-Q4", "0000-Q4"])
def test_lookalike_or_impossible_periods(tmp_path: Path, period: str) -> None:
    folder = write_folder(tmp_path / "data")
    (folder / "submission.yaml").write_text(f"period: '{period}'\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "is not a period" in result.output
