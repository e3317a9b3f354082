"""``houfu-check rules``: list, explain, check."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from builders import copy_contract
from houfu_check.cli import app
from houfu_check.rules import RuleSet

runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": "150"}


def test_listing_names_every_rule(shipped_rules: RuleSet) -> None:
    result = runner.invoke(app, ["rules", "--lang", "en"], env=ENV)
    assert result.exit_code == 0, result.output
    for rule in shipped_rules.rules:
        assert rule.id in result.stdout
    assert "share ≥ 40%" in result.stdout
    assert "县发改局" in result.stdout


def test_explain_shows_text_scope_condition_target_and_columns() -> None:
    result = runner.invoke(app, ["rules", "explain", "police.office_staffing"], env=ENV)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "至少配备1名民警+2名专职辅警" in out
    assert "scope:      police_post == 'office'" in out
    assert "condition:  police_officers >= 1 and (fulltime_auxiliary_police >= 2" in out
    assert "target:     = 100%" in out
    assert (
        "reads:      communities.fulltime_auxiliary_police, communities.police_assistants, "
        "communities.police_officers, communities.police_post"
    ) in out
    zh = runner.invoke(app, ["rules", "explain", "police.office_staffing", "--lang", "zh"], env=ENV).stdout
    for said in ("条款: 25", "方案原文: ", "范围: police_post == 'office'", "要求: = 100%", "读取的列: "):
        assert said in zh
    for english in ("clause:", "plan text:", "scope:", "reads:"):
        assert english not in zh


def test_explain_unknown_rule_is_a_usage_error() -> None:
    result = runner.invoke(app, ["rules", "explain", "stars.six_share"], env=ENV)
    assert result.exit_code == 2
    assert "stars.five_share" in result.output


def test_check_valid_and_broken_rule_files(tmp_path: Path) -> None:
    from houfu_check.rules import default_rules_path

    good = runner.invoke(app, ["rules", "check", str(default_rules_path())], env=ENV)
    assert good.exit_code == 0
    assert "33 rules, valid" in good.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        default_rules_path().read_text(encoding="utf-8").replace("star_rating >= 4", "stars >= 4"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "check", str(bad)], env=ENV)
    assert result.exit_code == 2  # a copy of the rule file alone: its contract is not beside it
    assert "field contract: the rule file names the contract 'contract.yaml'" in result.stderr
    copy_contract(tmp_path)
    result = runner.invoke(app, ["rules", "check", str(bad)], env=ENV)
    assert result.exit_code == 2
    assert "rule stars.four_plus, field condition: unknown column 'stars'" in result.stderr
