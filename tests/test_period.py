"""Periods and annual targets: judged before Q4 on the share due by the quarter's end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import community, copy_contract, household, write_folder
from houfu_check.cli import app
from houfu_check.period import Period

runner = CliRunner()
RULE = "party.young_members"


@pytest.mark.parametrize(
    ("text", "quarter", "due", "end"),
    [
        ("2022-Q1", 1, 1, "2022-03-31"),
        ("2022Q2", 2, 1, "2022-06-30"),
        ("2022-q3", 3, 2, "2022-09-30"),
        (" 2022-Q4 ", 4, 2, "2022-12-31"),
    ],
)
def test_periods(text: str, quarter: int, due: int, end: str) -> None:
    period = Period.parse(text)
    assert (period.year, period.quarter) == (2022, quarter)
    assert period.pro_rata(2) == due  # 2 × q/4, rounded up
    assert period.end.isoformat() == end
    assert str(period) == f"2022-Q{quarter}"


@pytest.mark.parametrize("text", ["2022-Q5", "2022", "Q3", "2022-03"])
def test_not_periods(text: str) -> None:
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(text)


def _young(folder: Path, *args: str) -> tuple[int, dict[str, object], dict[str, object]]:
    result = runner.invoke(app, ["report", str(folder), "-f", "json", *args])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return result.exit_code, report, next(r for r in report["rules"] if r["id"] == RULE)


@pytest.mark.parametrize(
    ("period", "status", "progress", "judged", "code"),
    [
        (None, "fail", None, None, 1),  # no period: the full yearly target
        ("2022-Q2", "pass", "on track", "new_young_party_members >= 1", 0),
        ("2022-Q3", "warn", "behind", "new_young_party_members >= 2", 0),  # 2 × 3/4 → 2
        ("2022-Q4", "fail", None, None, 1),  # the year's end: judged in full
    ],
)
def test_one_new_member_by_the_quarter(
    tmp_path: Path, period: str | None, status: str, progress: str | None, judged: str | None, code: int
) -> None:
    folder = write_folder(tmp_path / "data", [community(new_young_party_members=1)], [household()])
    exit_code, report, rule = _young(folder, *(["--period", period] if period else []))
    assert exit_code == code
    assert report["period"] == period
    assert rule["status"] == status
    if progress is None:
        assert rule["pro_rata"] is None
    else:
        assert rule["pro_rata"] == {
            "period": period,
            "share_of_year": {"2022-Q2": "1/2", "2022-Q3": "3/4"}[period],
            "judged_against": judged,
            "year_end": "new_young_party_members >= 2",
            "progress": progress,
        }


def test_behind_is_a_warning_that_fail_on_warn_counts(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community(new_young_party_members=1)], [household()])
    args = ["report", str(folder), "--period", "2022-Q3", "--lang", "en"]
    result = runner.invoke(app, [*args, "--fail-on", "warn"])
    assert result.exit_code == 1
    assert "warn · behind" in result.stdout
    result = runner.invoke(app, [*args, "-f", "markdown"])
    assert "2022-Q3 (3/4 of the year) requires new\\_young\\_party\\_members \\>= 2" in result.stdout


def test_submission_yaml_gives_the_period_and_the_flag_wins(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community(new_young_party_members=1)], [household()])
    (folder / "submission.yaml").write_text(
        "period: 2022-Q2\ncounty: 汉阴县\nprepared_by: 县易地搬迁后续扶持办\ndate: 2022-07-05\n",
        encoding="utf-8",
    )
    _, report, rule = _young(folder)
    assert report["period"] == "2022-Q2"
    assert rule["pro_rata"]["progress"] == "on track"
    assert report["submission"] == {
        "file": "submission.yaml",
        "period": "2022-Q2",
        "county": "汉阴县",
        "prepared_by": "县易地搬迁后续扶持办",
        "date": "2022-07-05",
    }
    _, report, rule = _young(folder, "--period", "2022-Q4")
    assert report["period"] == "2022-Q4"
    assert rule["status"] == "fail"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("period: 2022-Q5\n", "submission.yaml, line 1: period: '2022-Q5' is not a period"),
        ("period: 2022-Q3\nquarter: 3\n", "submission.yaml, line 2: 'quarter' is not a known field"),
        ("date: yesterday\n", "submission.yaml, line 1: date:"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases are not allowed"),
        ("period: [\n", "not valid YAML"),
    ],
)
def test_a_bad_submission_file_stops_the_run(tmp_path: Path, content: str, message: str) -> None:
    folder = write_folder(tmp_path / "data")
    (folder / "submission.yaml").write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["report", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_bad_period_flag_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(write_folder(tmp_path / "data")), "--period", "Q3"])
    assert result.exit_code == 2
    assert "is not a period" in result.output


def _rules(tmp_path: Path, rule: str) -> Path:
    from houfu_check.rules import default_rules_path

    text = default_rules_path().read_text(encoding="utf-8")
    head = text[: text.index("rules:")]
    path = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    path.write_text(head + "rules:\n" + rule, encoding="utf-8")
    return path


RULE_HEAD = """  - id: factories.yearly
    clause: "8"
    part: leye
    title: {zh: 每年新增工厂, en: New factories a year}
    text: 在产新社区工厂20家以上
    lead: [县人社局]
    table: communities
"""


def test_an_annual_total_is_judged_on_its_share(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        RULE_HEAD + '    kind: total\n    sum: factories_operating\n    annual: true\n    target: ">= 20"\n',
    )
    folder = write_folder(tmp_path / "data", [community(factories_operating=5)], [household()])
    for period, status, target in (("2022-Q1", "pass", 5), ("2022-Q2", "warn", 10), ("2022-Q4", "fail", 20)):
        result = runner.invoke(
            app, ["report", str(folder), "-f", "json", "--rules", str(rules), "--period", period]
        )
        rule = json.loads(result.stdout)["rules"][0]
        assert (rule["status"], rule["target"]["value"]) == (status, target)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '    kind: share\n    condition: new_young_party_members >= per_year(2)\n    target: "== 100%"\n',
            "add 'annual: true'",
        ),
        (
            '    kind: share\n    annual: true\n    condition: new_young_party_members >= 2\n    target: "== 100%"\n',
            "needs per_year(N)",
        ),
        (
            '    kind: share\n    annual: true\n    condition: new_young_party_members >= per_year(x)\n    target: "== 100%"\n',
            "per_year takes one whole number",
        ),
        (
            '    kind: share\n    annual: true\n    condition: new_young_party_members >= max(2)\n    target: "== 100%"\n',
            "the functions are sum(table, …), count(table, …), any(table, …), all(table, …) and per_year(N)",
        ),
    ],
)
def test_annual_rule_file_errors(tmp_path: Path, body: str, message: str) -> None:
    rules = _rules(tmp_path, RULE_HEAD + body)
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2
    assert message in result.output
