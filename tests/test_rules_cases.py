"""Every rule of the shipped rule file against hand-made passing, failing, boundary and n/a data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from builders import community, household, write_folder
from houfu_check.engine import evaluate
from houfu_check.rules import RuleSet
from houfu_check.submission import read_submission
from houfu_check.validate import load_dataset

CASES_FILE = Path(__file__).parent / "rule_cases.yaml"
CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))


def _params() -> list[Any]:
    return [
        pytest.param(rule_id, case, id=f"{rule_id}: {case['name']}")
        for rule_id, cases in CASES.items()
        for case in cases
    ]


def _rows(spec: list[dict[str, Any]] | None, make: Any, key: str) -> list[dict[str, Any]] | None:
    if spec is None:
        return None
    rows = []
    for overrides in spec:
        overrides = dict(overrides)
        ident = overrides.pop(key)
        rows.append(make(ident, **overrides))
    return rows


@pytest.mark.parametrize(("rule_id", "case"), _params())
def test_rule_case(rule_id: str, case: dict[str, Any], tmp_path: Path, shipped_rules: RuleSet) -> None:
    folder = write_folder(
        tmp_path / "data",
        _rows(case.get("communities"), community, "community_id"),
        _rows(case.get("households"), household, "household_id"),
    )
    if "facts" in case:
        facts = {name: True for name in shipped_rules.contract.table("county").names} | case["facts"]
        (folder / "submission.yaml").write_text(
            yaml.safe_dump({"facts": facts}, allow_unicode=True), encoding="utf-8"
        )
    dataset = load_dataset(folder, tmp_path, submission=read_submission(folder))
    report = evaluate(shipped_rules, dataset, "data")
    result = next(r for r in report.rules if r.id == rule_id)
    expect = case["expect"]
    assert result.status == expect["status"]
    assert result.actual_exact == expect["actual_exact"]
    assert result.failing == expect["failing"]
    assert result.failing_count == len(expect["failing"])
    if result.status == "n/a":
        assert result.actual is None


def test_every_rule_has_cases(shipped_rules: RuleSet) -> None:
    """Each rule has a passing and a failing (or warning) case; filtered rules an n/a case."""
    assert set(CASES) == {r.id for r in shipped_rules.rules}
    for rule in shipped_rules.rules:
        statuses = {c["expect"]["status"] for c in CASES[rule.id]}
        assert "pass" in statuses, rule.id
        assert statuses & {"fail", "warn"}, rule.id
        if rule.spec.scope != "true":
            assert "n/a" in statuses, rule.id
