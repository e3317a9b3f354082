"""The rule language (issue #13): every form written in YAML alone, judged on data at its
boundary (cases in rule_language_cases.yaml), and the mistakes a pack author makes, refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from builders import community, copy_contract, household, write_folder
from houfu_check.engine import evaluate
from houfu_check.errors import ProblemsFound
from houfu_check.period import Period
from houfu_check.rules import default_rules_path, load_rules
from houfu_check.rules.model import constant_value
from houfu_check.submission import read_submission
from houfu_check.validate import load_dataset

CASES: dict[str, dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "rule_language_cases.yaml").read_text(encoding="utf-8")
)
HEAD = default_rules_path().read_text(encoding="utf-8").split("\nrules:\n")[0]
BASE = {"clause": "1", "part": "leye", "title": {"zh": "试", "en": "Test"}, "text": "确保", "lead": ["县"]}


def _pack(tmp_path: Path, rule: dict[str, Any], extra: dict[str, Any] | None = None) -> Path:
    """A pack of the shipped contract and one rule (``extra``: more top-level keys, constants)."""
    copy_contract(tmp_path)
    path = tmp_path / "rules.yaml"
    top = {**(extra or {}), "rules": [{"id": "x.rule", **BASE, **rule}]}
    body = yaml.safe_dump(top, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.write_text(HEAD + "\n" + body, encoding="utf-8")
    return path


def _rows(spec: list[dict[str, Any]] | None, make: Any, key: str) -> list[dict[str, Any]] | None:
    if spec is None:
        return None
    return [make(row.pop(key), **row) for row in (dict(r) for r in spec)]


@pytest.mark.parametrize(
    ("name", "case"),
    [pytest.param(n, c, id=f"{n}: {c['name']}") for n, e in CASES.items() for c in e["cases"]],
)
def test_rule_language_case(tmp_path: Path, name: str, case: dict[str, Any]) -> None:
    """A case may give the round's ``period``, newer ``constants`` (as submission.yaml would)
    and a ``previous`` round's rows; ``expect`` may name the ``na_reason`` and ``when_due``."""
    entry = CASES[name]
    period = Period.parse(case["period"]) if "period" in case else None
    overrides = {k: constant_value(v) for k, v in case.get("constants", {}).items()}
    rules = load_rules(_pack(tmp_path, entry["rule"], entry.get("pack")), period, overrides)
    folder = write_folder(
        tmp_path / "data",
        _rows(case.get("communities"), community, "community_id"),
        _rows(case.get("households"), household, "household_id"),
    )
    submission = None
    if "facts" in case:  # the county facts, as submission.yaml gives them
        facts = {name: True for name in rules.contract.table("county").names} | case["facts"]
        (folder / "submission.yaml").write_text(yaml.safe_dump({"facts": facts}, allow_unicode=True), "utf-8")
        submission = read_submission(folder)
    previous = None
    if "previous" in case:
        then = case["previous"]
        old = write_folder(
            tmp_path / "previous",
            _rows(then.get("communities"), community, "community_id"),
            _rows(then.get("households"), household, "household_id"),
        )
        previous = load_dataset(old, tmp_path)
    data = load_dataset(folder, tmp_path, submission=submission)
    result = evaluate(rules, data, "data", previous=previous).rules[0]
    expect = case["expect"]
    assert (result.status, result.actual_exact, result.failing) == (
        expect["status"],
        expect["actual_exact"],
        expect["failing"],
    )
    for key in ("na_reason", "when_due"):
        if key in expect:
            assert getattr(result, key) == expect[key]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"kind": "share", "condition": "platform_321", "target": ">= 90%", "warn": ">= 80%"},
            "must be stricter than the target",
        ),
        (
            {"kind": "share", "condition": "platform_321", "target": ">= 90%", "warn": "<= 95%"},
            "two targets of one kind and direction",
        ),
        ({"kind": "passing", "condition": "platform_321", "target": ">= 90%"}, "needs a whole number"),
        (
            {"kind": "total", "sum": "households / 2", "target": ">= 1"},
            "'/' is for a share in a comparison",
        ),
        ({"kind": "share", "condition": "shop + 'x' > 1", "target": "== 100%"}, "expected a number"),
        ({"kind": "share", "condition": "1 if shop else 'x'", "target": "== 100%"}, "both values must be"),
        # aggregates: only over the tables below the unit's, in their columns, never nested
        (
            {"kind": "share", "condition": "sum(communities, households) > 1", "target": "== 100%"},
            "communities is not a table whose rows belong to the rule's units (tables below this one: households)",
        ),
        (
            {
                "kind": "share",
                "condition": "sum(households, sum(households, members)) > 1",
                "target": "== 100%",
            },
            "is not a table whose rows belong to the rule's units (tables below this one: none)",
        ),
        (
            {"kind": "share", "condition": "any(households, members) ", "target": "== 100%"},
            "any needs a condition (true/false), found a number in 'members'",
        ),
        (
            {"kind": "share", "condition": "sum(households) > 1", "target": "== 100%"},
            "write sum(table, expression), e.g. sum(households, <column or condition>)",
        ),
        (
            {"kind": "share", "condition": "labor_count > 1", "target": "== 100%"},
            "it is a column of households, a table below the rule's; add its rows up with an aggregate, "
            "e.g. sum(households, labor_count)",
        ),
        (
            {"kind": "share", "condition": "max(households, members) > 1", "target": "== 100%"},
            "the functions are",
        ),
        # towns as units read only aggregates
        (
            {"table": "towns", "kind": "share", "condition": "star_rating == 5", "target": "== 100%"},
            "add its rows up with an aggregate, e.g. sum(communities, star_rating)",
        ),
        # constants
        (
            {"kind": "share", "condition": "households >= plan.nothing", "target": "== 100%"},
            "'plan.nothing' is not a constant of the plan; constants: none (add constants: to the pack)",
        ),
        (
            {"kind": "ratio", "numerator": "households", "denominator": "1", "target": ">= plan.x"},
            "'plan.x' is not",
        ),
        (
            {"kind": "share", "condition": "os.system == 1", "target": "== 100%"},
            "attribute access is not allowed",
        ),
        # growth, rates and deadlines
        ({"kind": "growth", "sum": "households", "target": ">= 8"}, "a growth rule needs a percentage"),
        (
            {"kind": "growth", "numerator": "households", "target": ">= 8%"},
            "a growth rule compares a ratio (numerator and denominator) or a total (sum)",
        ),
        (
            {"kind": "total", "sum": "households", "rate_per": 1000, "target": ">= 1"},
            "rate_per is for a ratio",
        ),
        ({"kind": "share", "condition": "shop", "target": ">= 101%"}, "a share lies between 0% and 100%"),
        (
            {"kind": "count", "condition": "shop", "target": ">= 90"},
            "counts the units that fail its condition",
        ),
        (
            {"kind": "growth", "sum": "households", "target": ">= 8%", "annual": True},
            "a growth rule compares two rounds; it cannot be annual",
        ),
        ({"kind": "count", "condition": "shop", "target": ">= 0"}, "can never fail"),
        ({"kind": "share", "condition": "shop", "target": "<= 100%"}, "can never fail"),
        ({"kind": "share", "condition": "households / 0 >= 1", "target": "== 100%"}, "divides by 0"),
        (
            {"kind": "share", "condition": "households / (1 - 1) >= 1", "target": "== 100%"},
            "write a fixed divisor as one number above 0",
        ),
        (
            {
                "kind": "ratio",
                "numerator": "households",
                "denominator": "1",
                "rate_per": True,
                "target": ">= 1",
            },
            "rate_per",
        ),
        (
            {"kind": "grow", "condition": "shop", "target": ">= 90%"},
            "'grow' is not a kind of measure; the kinds are: share, ratio, total, count, passing, growth",
        ),
    ],
)
def test_rule_language_mistakes_are_refused(tmp_path: Path, rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ProblemsFound) as found:
        load_rules(_pack(tmp_path, {"table": "communities", **rule}))
    shown = [str(p) for p in found.value.log.shown()]
    assert any(message in p for p in shown), shown
    assert all(", rule x.rule, field " in p for p in shown), shown  # file, line, rule and field


def test_a_due_date_outside_the_plans_year_is_refused(tmp_path: Path) -> None:
    path = _pack(
        tmp_path, {"table": "communities", "kind": "share", "condition": "shop", "target": "== 100%"}
    )
    text = path.read_text(encoding="utf-8").replace("  issuer:", "  year: 2022\n  issuer:", 1)
    path.write_text(text.replace("target: == 100%", "target: == 100%\n  due: 2023-01-31"), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_rules(path)
    shown = [str(p) for p in found.value.log.shown()]
    assert any("field due: the due date 2023-01-31 is outside the plan's year (2022" in p for p in shown), (
        shown
    )
