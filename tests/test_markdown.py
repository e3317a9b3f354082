"""``--format markdown`` and ``--step-summary``: inert text, and the CI job summary."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.inert import for_markdown as md

runner = CliRunner()


def test_data_is_inert_in_markdown(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>|*x* $x$ ~~s~~ @octocat http://evil.example"
    folder = write_folder(
        tmp_path / "data", [community(hostile, platform_321=False)], [household("H1", hostile)]
    )
    result = runner.invoke(app, ["report", str(folder), "-f", "markdown", "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "<script>" not in result.stdout
    for raw in ("$x$", "~~s~~", "http://"):  # maths, strike, a link
        assert raw not in result.stdout
    assert "\\@octocat" in result.stdout  # no mention
    assert "@octocat" not in result.stdout.replace("\\@octocat", "")
    assert md(hostile) in result.stdout
    for line in result.stdout.splitlines():
        if line.startswith("| ✗"):
            assert line.count(" | ") == 5  # an escaped | never opens a cell


def test_step_summary_is_appended(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    folder = write_folder(tmp_path / "data", [community()], [household()])
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    result = runner.invoke(app, ["report", str(folder), "-f", "json", "--step-summary"], env=env)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["failed"] == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## ")
    assert "`coverage.four_full`" in text
    broken = write_folder(tmp_path / "broken", [community()], [household(members="x")])
    result = runner.invoke(app, ["report", str(broken), "--step-summary", "--lang", "en"], env=env)
    assert result.exit_code == 2
    assert "households.csv, line 2, column members" in summary.read_text(encoding="utf-8")


def test_step_summary_without_the_variable_warns(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household()])
    result = runner.invoke(app, ["report", str(folder), "--step-summary"], env={"GITHUB_STEP_SUMMARY": ""})
    assert result.exit_code == 0
    assert "GITHUB_STEP_SUMMARY is not set" in result.stderr
