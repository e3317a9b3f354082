"""``houfu-check compare OLD NEW``: what changed between two rounds, and for whom."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from typer.testing import CliRunner

from builders import community, copy_contract, household, write_folder
from houfu_check.cli import app
from houfu_check.render import FORMATS

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _rounds(tmp_path: Path, regress: bool = True) -> tuple[Path, Path]:
    old = write_folder(
        tmp_path / "q3",
        [community("C1", town="城关镇"), community("C2", town="涧池镇")],
        [
            household("H1", "C1"),
            household("H2", "C1", stably_employed_count=0),
            household("H3", "C2", members=4),
            household("H5", "C2"),
        ],
    )
    new = write_folder(
        tmp_path / "q4",
        [community("C1", town="城关镇"), community("C2", town="涧池镇", platform_321=not regress)],
        [
            household("H1", "C1", stably_employed_count=0),  # lost a stable job
            household("H2", "C1"),  # found one
            household("H3", "C2", members=9),  # 4 → 9 members in a quarter
            household("H4", "C2"),  # arrived; H5 left
        ],
    )
    return old, new


def _compare(old: Path, new: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["compare", str(old), str(new), "-f", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_what_changed(tmp_path: Path) -> None:
    code, doc = _compare(*_rounds(tmp_path))
    assert code == 1  # a rule went from pass to fail
    rules = {r["id"]: r for r in doc["rules"]}
    platform = rules["governance.platform_321"]
    assert (platform["old"]["status"], platform["new"]["status"], platform["change"]) == (
        "pass",
        "fail",
        "regressed",
    )
    assert platform["delta"] == -0.5
    assert platform["newly_failing"] == ["C2"]
    assert doc["regressions"] == 1
    assert doc["schema_version"] == 2  # the continuity section changed shape (see CHANGELOG)
    jobs = rules["employment.stable_job_per_household"]
    assert (jobs["newly_failing"], jobs["no_longer_failing"]) == (["H1"], ["H2"])
    assert jobs["change"] == "unchanged"  # 3 of 4 then, 3 of 4 now
    assert doc["towns"] == [{"town": "涧池镇", "improved": [], "regressed": ["governance.platform_321"]}]
    cont = doc["continuity"]
    units = {u["table"]: (u["disappeared"], u["appeared"]) for u in cont["units"]}
    assert units == {"households": (["H5"], ["H4"]), "communities": ([], [])}
    assert cont["jumps"] == [{"unit": "H3", "column": "members", "old": 4, "new": 9}]
    assert (cont["table"], cont["max_change"]) == ("households", {"members": 3, "labor_count": 3})


def test_no_regression_exits_0_and_thresholds_come_from_flags(tmp_path: Path) -> None:
    code, doc = _compare(*_rounds(tmp_path, regress=False), "--max-change", "members=5")
    assert code == 0
    assert doc["regressions"] == 0
    assert doc["continuity"]["jumps"] == []  # 4 → 9 is a change of 5, not more


def test_thresholds_from_the_rule_file(tmp_path: Path) -> None:
    from houfu_check.rules import default_rules_path

    rules = tmp_path / "rules.yaml"

    copy_contract(tmp_path)
    text = (
        default_rules_path()
        .read_text(encoding="utf-8")
        .replace("max_change: {members: 3,", "max_change: {members: 6,")
    )
    rules.write_text(text, encoding="utf-8")
    _, doc = _compare(*_rounds(tmp_path), "--rules", str(rules))
    assert doc["continuity"]["jumps"] == []


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
def test_every_format(tmp_path: Path, fmt: str) -> None:
    old, new = _rounds(tmp_path)
    result = runner.invoke(app, ["compare", str(old), str(new), "-f", fmt, "--lang", "en"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    if fmt == "junit":
        xmlschema.XMLSchema(ROOT / "tests" / "schemas" / "junit.xsd").validate(out)
        assert 'type="regressed"' in out
    else:
        assert "33 rules: " in out
        assert "regressed" in out
        assert "H4" in out  # a household that arrived
    if fmt == "html":
        assert "<script" not in out


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("members", "is not COLUMN=N"),
        ("members=x", "is not COLUMN=N"),
        ("head_count=3", "is not a number column"),
    ],
)
def test_a_bad_max_change_is_a_usage_error(tmp_path: Path, flag: str, message: str) -> None:
    old, new = _rounds(tmp_path)
    result = runner.invoke(app, ["compare", str(old), str(new), "--max-change", flag])
    assert result.exit_code == 2
    assert message in result.output


def test_invalid_data_in_a_round_names_the_round(tmp_path: Path) -> None:
    old, new = _rounds(tmp_path)
    write_folder(new, [community()], [household(members="x")])
    result = runner.invoke(app, ["compare", str(old), str(new), "--lang", "en"])
    assert result.exit_code == 2
    assert f"{new / 'households.csv'}, line 2, column members" in result.stderr


def test_the_quarterly_samples(tmp_path: Path) -> None:
    code, doc = _compare(ROOT / "samples" / "2022q3", ROOT / "samples" / "2022q4")
    assert code == 1
    assert (doc["old"]["period"], doc["new"]["period"]) == ("2022-Q3", "2022-Q4")
    rules = {r["id"]: r for r in doc["rules"]}
    assert rules["facilities.six_small"]["change"] == "regressed"  # its waiver ran out
    assert len(rules["employment.stable_job_per_household"]["no_longer_failing"]) >= 60
    households = next(u for u in doc["continuity"]["units"] if u["table"] == "households")
    assert len(households["disappeared"]) == 25
    assert len(households["appeared"]) == 40
    assert len(doc["continuity"]["jumps"]) == 3


def test_both_invalid_rounds_are_named_and_warnings_name_their_round(tmp_path: Path) -> None:
    old, new = _rounds(tmp_path)
    write_folder(old, [community()], [household(members="y")])
    write_folder(new, [community()], [household(members="x")])
    result = runner.invoke(app, ["compare", str(old), str(new), "--lang", "en"])
    assert result.exit_code == 2
    assert f"{old / 'households.csv'}, line 2, column members" in result.stderr
    assert f"{new / 'households.csv'}, line 2, column members" in result.stderr
    q4 = ROOT / "samples" / "2022q4"
    _, doc = _compare(q4, q4, "--allow-same-period")  # the same round twice: asked for
    assert [w["file"] for w in doc["warnings"]] == [f"{q4}/waivers.yaml", f"{q4}/waivers.yaml"]
    assert all(r["change"] == "unchanged" for r in doc["rules"])


def _periods(old: Path, new: Path, then: str, now: str) -> None:
    (old / "submission.yaml").write_text(f"period: {then}\n", encoding="utf-8")
    (new / "submission.yaml").write_text(f"period: {now}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("then", "now", "said"),
    [
        ("2022-Q4", "2022-Q4", "both rounds are of 2022-Q4"),
        ("2022-Q4", "2022-Q3", "is earlier than OLD"),
    ],
    ids=["the same period", "swapped rounds"],
)
def test_rounds_that_cannot_be_compared_are_refused(tmp_path: Path, then: str, now: str, said: str) -> None:
    """#14: two rounds of one period, or NEW before OLD, would invert improved/regressed and the exit."""
    old, new = _rounds(tmp_path)
    _periods(old, new, then, now)
    result = runner.invoke(app, ["compare", str(old), str(new), "--lang", "en"])
    assert result.exit_code == 2
    assert said in result.stderr
    asked = runner.invoke(app, ["compare", str(old), str(new), "-f", "json", "--lang", "en"])
    assert asked.exit_code == 2
    document = json.loads(asked.stdout)  # a CI job still gets the document it asked for
    assert document["status"] == "usage-error"
    assert said in document["errors"][0]["message"]
    assert document["errors"][0]["message_zh"]


def test_the_same_period_is_allowed_when_asked(tmp_path: Path) -> None:
    old, new = _rounds(tmp_path)
    _periods(old, new, "2022-Q4", "2022-Q4")
    code, _ = _compare(old, new, "--allow-same-period")
    assert code == 1


def test_fail_on_regression_counts_a_failing_rule_that_got_worse(tmp_path: Path) -> None:
    """A rule failing in both rounds but further off now is no pass → fail: exit 0 by default,
    1 with --fail-on regression; the JSON says what each number counts."""
    old, new = _rounds(tmp_path, regress=False)
    code, doc = _compare(old, new)
    stable = next(r for r in doc["rules"] if r["id"] == "employment.stable_job_per_household")
    assert (stable["old"]["status"], stable["new"]["status"], stable["change"]) == (
        "fail",
        "fail",
        "unchanged",
    )
    assert (doc["regressions"], doc["pass_to_fail"]) == (0, 0)
    assert code == 0
    worse = [r["id"] for r in doc["rules"] if r["change"] == "regressed"]
    assert doc["regressed"] == len(worse)
    code, _ = _compare(old, new, "--fail-on", "regression")
    assert code == (1 if worse else 0)


def test_terminal_and_markdown_name_the_newly_failing_units(tmp_path: Path) -> None:
    old, new = _rounds(tmp_path)
    for fmt in ("terminal", "markdown"):
        result = runner.invoke(app, ["compare", str(old), str(new), "-f", fmt, "--lang", "en"])
        assert "1 (C2)" in result.stdout, fmt  # the platform rule: C2 newly failing, by name


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_continuity_is_said_in_chinese(tmp_path: Path, fmt: str) -> None:
    """#14: the tables and watched columns by their Chinese names, not the contract's."""
    old, new = _rounds(tmp_path)
    result = runner.invoke(app, ["compare", str(old), str(new), "-f", fmt, "--lang", "zh"])
    assert result.exit_code == 1
    assert "消失的单位(住户)" in result.stdout
    assert "H3 家庭人口数: 4 → 9" in result.stdout
    assert re.search(r"家庭人口数 (>|\\>|&gt;) 3", result.stdout)  # escaped as each format escapes
    assert "(households)" not in result.stdout


def test_no_jump_heading_without_watched_columns(tmp_path: Path) -> None:
    from houfu_check.rules import default_rules_path

    copy_contract(tmp_path)
    rules = tmp_path / "rules.yaml"
    text = default_rules_path().read_text(encoding="utf-8")
    start = text.index("continuity:")
    end = text.index("\n", text.index("max_change:", start))
    rules.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    old, new = _rounds(tmp_path)
    result = runner.invoke(app, ["compare", str(old), str(new), "--rules", str(rules), "--lang", "zh"])
    assert result.exit_code == 1, result.output
    assert "两期衔接" in result.stdout
    assert "变化过大" not in result.stdout
