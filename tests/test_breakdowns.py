"""``--by town`` and ``--by lead``: the same rules on each town's units, and a tally per lead unit."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.engine import evaluate
from houfu_check.rules import RuleSet
from houfu_check.validate import load_dataset

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def two_towns(tmp_path: Path) -> Path:
    """城关镇: C1 (all well); 涧池镇: C2 with one household lacking a stable job, no 321 platform."""
    return write_folder(
        tmp_path / "data",
        [community("C1", town="城关镇"), community("C2", town="涧池镇", platform_321=False)],
        [
            household("H1", "C1"),
            household("H2", "C2"),
            household("H3", "C2", stably_employed_count=0),
        ],
    )


def test_each_town_is_judged_on_its_own_units(tmp_path: Path, shipped_rules: RuleSet) -> None:
    report = evaluate(shipped_rules, load_dataset(two_towns(tmp_path), tmp_path), "d", by_town=True)
    by_id = {r.id: r for r in report.rules}
    stable = {t.town: t for t in by_id["employment.stable_job_per_household"].by_town or []}
    assert (stable["城关镇"].status, stable["城关镇"].actual_exact) == ("pass", "1")
    assert (stable["涧池镇"].status, stable["涧池镇"].actual_exact, stable["涧池镇"].failing_count) == (
        "fail",
        "1/2",
        1,
    )
    platform = {t.town: t.status for t in by_id["governance.platform_321"].by_town or []}
    assert platform == {"城关镇": "pass", "涧池镇": "fail"}
    stars = {t.town: t.status for t in by_id["stars.five_share_large"].by_town or []}
    assert stars == {"城关镇": "n/a", "涧池镇": "n/a"}


def test_town_figures_add_up_to_the_county(shipped_rules: RuleSet, tmp_path: Path) -> None:
    dataset = load_dataset(ROOT / "samples" / "hanyin-2022q4", tmp_path)
    report = evaluate(shipped_rules, dataset, "d", by_town=True)
    for rule in report.rules:
        towns = rule.by_town or []
        if rule.table == "county":  # a county fact has no town
            assert rule.by_town == [], rule.id
            continue
        assert len(towns) == 10, rule.id
        assert sum(t.scope_count for t in towns) == rule.scope_count, rule.id
        assert sum(t.failing_count for t in towns) == rule.failing_count, rule.id
        if rule.numerator is not None:
            assert sum(t.numerator or 0 for t in towns) == rule.numerator, rule.id
            assert sum(t.denominator or 0 for t in towns) == rule.denominator, rule.id


def test_lead_tally(tmp_path: Path, shipped_rules: RuleSet) -> None:
    report = evaluate(shipped_rules, load_dataset(two_towns(tmp_path), tmp_path), "d", by_lead=True)
    tallies = {t.lead: t for t in report.by_lead or []}
    assert sum(len(t.rules) for t in tallies.values()) == sum(len(r.lead) for r in report.rules)
    rsj = tallies["县人社局"]
    assert rsj.rules == [r.id for r in report.rules if "县人社局" in r.lead]
    assert rsj.passed + rsj.failed + rsj.warned + rsj.not_applicable == len(rsj.rules)
    assert tallies["县委政法委"].failed == 1


def test_json_carries_breakdowns_only_when_asked(tmp_path: Path) -> None:
    folder = two_towns(tmp_path)
    plain = json.loads(runner.invoke(app, ["report", str(folder), "-f", "json"]).stdout)
    assert "by_lead" not in plain
    assert all("by_town" not in r for r in plain["rules"])
    both = json.loads(runner.invoke(app, ["report", str(folder), "-f", "json", "--by", "town,lead"]).stdout)
    assert {t["town"] for t in both["rules"][0]["by_town"]} == {"城关镇", "涧池镇"}
    assert set(both["rules"][0]["by_town"][0]) == {
        "town",
        "status",
        "actual",
        "actual_exact",
        "numerator",
        "denominator",
        "scope_count",
        "failing_count",
    }
    assert both["by_lead"][0]["lead"]
    assert both["summary"] == plain["summary"]


def test_terminal_shows_both_views_and_bad_view_is_usage_error(tmp_path: Path) -> None:
    folder = two_towns(tmp_path)
    result = runner.invoke(
        app, ["report", str(folder), "--by", "town", "--by", "lead", "--lang", "en"], env={"COLUMNS": "150"}
    )
    assert "By town" in result.stdout
    assert "涧池镇" in result.stdout
    assert "By lead unit" in result.stdout
    assert runner.invoke(app, ["report", str(folder), "--by", "village"]).exit_code == 2
