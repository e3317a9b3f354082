"""Waivers: approved exceptions leave a unit out of a rule, visibly; nothing is waived silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.render import FORMATS

runner = CliRunner()
RULE = "governance.platform_321"


def _data(tmp_path: Path) -> Path:
    # C2 and C3 have no 321 platform: 1 of 3 communities passes.
    return write_folder(
        tmp_path / "data",
        [community("C1"), community("C2", platform_321=False), community("C3", platform_321=False)],
        [household("H1", "C1")],
    )


def _waive(folder: Path, *items: str, name: str = "waivers.yaml") -> Path:
    path = folder / name
    path.write_text("waivers:\n" + "".join(items), encoding="utf-8")
    return path


def _item(
    unit: str, until: str = "2023-06-30", rule: str = RULE, reason: str = "安置点2023年建成平台"
) -> str:
    return f"  - rule: {rule}\n    unit: {unit}\n    reason: {reason}\n    approved_by: 县委政法委\n    until: {until}\n"


def _rule(folder: Path, *args: str) -> tuple[int, dict[str, object], dict[str, object]]:
    result = runner.invoke(app, ["report", str(folder), "-f", "json", "--period", "2022-Q4", *args])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return result.exit_code, report, next(r for r in report["rules"] if r["id"] == RULE)


def test_a_waived_unit_leaves_the_rule(tmp_path: Path) -> None:
    folder = _data(tmp_path)
    _, _, before = _rule(folder)
    assert (before["failing"], before["actual_exact"]) == (["C2", "C3"], "1/3")
    _waive(folder, _item("C2"))
    _, report, rule = _rule(folder)
    assert rule["failing"] == ["C3"]
    assert (rule["numerator"], rule["denominator"]) == (1, 2)  # C2 is out of the figures too
    assert rule["waived"] == [
        {
            "unit": "C2",
            "reason": "安置点2023年建成平台",
            "approved_by": "县委政法委",
            "until": "2023-06-30",
            "would_fail": True,
        }
    ]
    assert report["warnings"] == []


def test_waiving_every_failing_unit_passes_the_rule(tmp_path: Path) -> None:
    folder = _data(tmp_path)
    _waive(folder, _item("C2"), _item("C3"))
    code, _, rule = _rule(folder)
    assert rule["status"] == "pass"
    assert code == 0


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
def test_waived_units_are_listed_in_every_format(tmp_path: Path, fmt: str) -> None:
    folder = _data(tmp_path)
    _waive(folder, _item("C2"))
    result = runner.invoke(app, ["report", str(folder), "-f", fmt, "--lang", "en", "--period", "2022-Q4"])
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "C2: 安置点2023年建成平台 (approved by 县委政法委, until 2023-06-30); would fail otherwise" in text


def test_an_expired_waiver_is_a_warning_and_not_applied(tmp_path: Path) -> None:
    folder = _data(tmp_path)
    _waive(folder, _item("C2", until="2022-09-30"))
    code, report, rule = _rule(folder)  # the period 2022-Q4 ends on 2022-12-31
    assert code == 1
    assert rule["failing"] == ["C2", "C3"]
    assert rule["waived"] == []
    [warning] = report["warnings"]
    assert warning["code"] == "waiver-expired"
    assert (warning["file"], warning["line"]) == ("waivers.yaml", 2)
    assert "ended on 2022-09-30 (before 2022-12-31); it is not applied" in warning["message"]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            [_item("C2", rule="governance.platform_999")],
            "waivers.yaml, line 2: 'governance.platform_999' is not a rule id",
        ),
        ([_item("C9")], "waivers.yaml, line 2: 'C9' is not a community_id in the data"),
        ([_item("C2"), _item("C2")], "waivers.yaml, line 7: C2 is waived for governance.platform_321 twice"),
        (
            ["  - rule: governance.platform_321\n    unit: C2\n    approved_by: x\n    until: 2023-01-01\n"],
            "waiver #1 has no 'reason'",
        ),
        ([_item("C2", reason="''")], "waivers.yaml, line 4: waiver #1, reason:"),
        ([_item("C2", until="soon")], "waivers.yaml, line 6: waiver #1, until:"),
        ([_item("C2") + "    note: x\n"], "'note' is not a field of a waiver"),
    ],
    ids=[
        "unknown rule",
        "unknown unit",
        "duplicate",
        "no reason",
        "empty reason",
        "bad date",
        "unknown field",
    ],
)
def test_bad_waivers_stop_the_run(tmp_path: Path, items: list[str], message: str) -> None:
    folder = _data(tmp_path)
    _waive(folder, *items)
    result = runner.invoke(app, ["report", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert "The waiver file is not valid" in result.stderr
    assert message in result.stderr


def test_a_waiver_file_given_on_the_command_line(tmp_path: Path) -> None:
    folder = _data(tmp_path)
    elsewhere = _waive(tmp_path, _item("C2"), name="approved.yaml")
    _, _, rule = _rule(folder, "--waivers", str(elsewhere))
    assert rule["failing"] == ["C3"]
    result = runner.invoke(app, ["report", str(folder), "--waivers", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "cannot read the file" in result.output


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "waivers:\n  - rule: stars.five_share\n    unit: C1\n    reason: x\n    approved_by: y\n"
            "    until: 2022-13-01\n",
            "第 6 行: 第 1 条豁免的 until(有效期至):“2022-13-01”不是有效日期;请写成 2023-01-10 这样的格式",
        ),
        ("waivers:\n  - rule: [x\n", "第 3 行: 不是有效的 YAML:请检查这一行的缩进和引号"),
        (
            "waivers:\n  - rule: no.such\n    unit: C1\n    reason: x\n    approved_by: y\n    until: 2023-06-30\n",
            "“no.such”不是内置 rules/targets.yaml 中的规则编号",
        ),
        ("waivers:\n  - &a {rule: x}\n  - *a\n", "不允许使用锚点和别名"),
    ],
    ids=["a date that is none", "broken YAML", "an unknown rule", "an alias"],
)
def test_waiver_file_mistakes_are_said_in_chinese(tmp_path: Path, text: str, said: str) -> None:
    """#14: no parser or validator wording ('Value error', 'did not find expected') under zh."""
    folder = _data(tmp_path)
    (folder / "waivers.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["report", str(folder), "--lang", "zh"])
    assert result.exit_code == 2
    out = result.stdout + result.stderr
    assert said in out, out
    assert "Value error" not in out
    assert "expected" not in out
