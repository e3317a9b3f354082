"""The rule file: the shipped one is complete and faithful; broken ones name rule, field and problem."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from builders import community, copy_contract, write_folder
from houfu_check.engine import evaluate
from houfu_check.errors import ProblemsFound, RuleFileProblem
from houfu_check.rules import RuleSet, default_rules_path, load_rules
from houfu_check.validate import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SHIPPED: dict[str, Any] = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))

INVENTORY = {
    # id: (clause, table, kind, target, severity) — the target inventory
    "employment.stable_job_per_household": ("1", "households", "share", "== 100%", "fail"),
    "employment.ledger": ("2", "communities", "share", "== 100%", "fail"),
    "employment.population_ledger": ("2", "communities", "share", "== 100%", "warn"),
    "collective.property_rights_review": ("13", "county", "share", "== 100%", "fail"),
    "housing.completion_review": ("27", "county", "share", "== 100%", "fail"),
    "governance.residents_committee": ("36", "communities", "share", "== 100%", "warn"),
    "employment.zero_employment_households": ("2", "households", "count", "== 0", "fail"),
    "pension.coverage": ("2", "households", "ratio", ">= 100%", "fail"),
    "skills.every_laborer": ("3", "households", "ratio", ">= 100%", "warn"),
    "employment.hardship_fallback": ("5", "households", "share", "== 100%", "fail"),
    "factories.operating": ("8", "communities", "total", ">= 20", "fail"),
    "stars.four_plus": ("16", "communities", "share", "== 100%", "fail"),
    "stars.five_share": ("16", "communities", "share", ">= 40%", "fail"),
    "stars.five_share_large": ("16", "communities", "share", ">= 80%", "fail"),
    "party.first_secretary": ("20", "communities", "share", "== 100%", "fail"),
    "party.young_members": ("20", "communities", "share", "== 100%", "fail"),
    "party.reserve_cadre": ("20", "communities", "share", "== 100%", "fail"),
    "police.office_staffing": ("25", "communities", "share", "== 100%", "fail"),
    "police.station_staffing": ("25", "communities", "share", "== 100%", "fail"),
    "facilities.six_small": ("28", "communities", "share", "== 100%", "fail"),
    "facilities.large_site": ("29", "communities", "share", "== 100%", "fail"),
    "education.no_dropouts": ("30", "households", "total", "== 0", "fail"),
    "health.clinic_doctor": ("31", "communities", "share", "== 100%", "fail"),
    "health.dispatched_doctor": ("31", "communities", "share", "== 100%", "fail"),
    "health.family_doctor": ("31", "households", "ratio", ">= 100%", "fail"),
    "governance.platform_321": ("23", "communities", "share", "== 100%", "fail"),
    "governance.system_9x": ("24", "county", "share", "== 100%", "fail"),
    "property.guidance": ("26", "county", "share", "== 100%", "fail"),
    "property.cross_appointment": ("26", "communities", "share", "== 100%", "fail"),
    "monitoring.assistance": ("2", "households", "share", "== 100%", "fail"),
    "maintenance.guidance": ("37", "county", "share", "== 100%", "fail"),
    "maintenance.fund_collection": ("37", "communities", "share", "== 100%", "warn"),
    "coverage.four_full": ("preamble", "communities", "share", "== 100%", "fail"),
}


def test_shipped_rules_match_the_inventory(shipped_rules: RuleSet) -> None:
    found = {
        r.id: (r.spec.clause, r.spec.table, r.spec.kind, r.spec.target, r.spec.severity)
        for r in shipped_rules.rules
    }
    assert found == INVENTORY


def test_quoted_plan_text_is_verbatim(shipped_rules: RuleSet) -> None:
    plan = (ROOT / "docs" / "hanyin-2022-workplan.txt").read_text(encoding="utf-8")
    for rule in shipped_rules.rules:
        assert rule.spec.text in plan, rule.id
        assert rule.spec.lead, rule.id


def test_plan_copy_matches_shared_when_present() -> None:
    shared = ROOT.parent / "shared" / "plan" / "hanyin-2022-workplan.txt"
    if not shared.exists():
        pytest.skip("no shared/ folder beside the checkout")
    assert shared.read_bytes() == (ROOT / "docs" / "hanyin-2022-workplan.txt").read_bytes()


def _write(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = copy.deepcopy(SHIPPED)
    change(data)
    path = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def _set(rule_id: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        if value is None:
            del _rule(data, rule_id)[field]
        else:
            _rule(data, rule_id)[field] = value

    return change


BROKEN = [
    (
        "unknown key",
        _set("stars.five_share", "treshold", 40),
        "stars.five_share",
        "treshold",
        "the keys allowed here are",
    ),
    ("missing target", _set("stars.five_share", "target", None), "stars.five_share", "target", "required"),
    (
        "bad target",
        _set("stars.five_share", "target", "at least 40"),
        "stars.five_share",
        "target",
        "not a target",
    ),
    (
        "count with %",
        _set("factories.operating", "target", ">= 20%"),
        "factories.operating",
        "target",
        "whole number",
    ),
    (
        "share without %",
        _set("stars.five_share", "target", ">= 40"),
        "stars.five_share",
        "target",
        "percentage",
    ),
    (
        "unknown column",
        _set("stars.four_plus", "condition", "stars >= 4"),
        "stars.four_plus",
        "condition",
        "unknown column 'stars'",
    ),
    (
        "column of the other table",
        _set("pension.coverage", "scope", "households >= 100"),
        "pension.coverage",
        "scope",
        "unknown column 'households': it is a column of communities, not of the rule's table",
    ),
    (
        "unknown part",
        _set("stars.four_plus", "part", "anjv"),
        "stars.four_plus",
        "part",
        "not one of the parts",
    ),
    ("bad severity", _set("stars.four_plus", "severity", "error"), "stars.four_plus", "severity", "fail"),
    ("bad table", _set("stars.four_plus", "table", "villages"), "stars.four_plus", "table", "communities"),
    (
        "share without condition",
        _set("stars.four_plus", "condition", None),
        "stars.four_plus",
        "condition",
        "needs",
    ),
    (
        "total with numerator",
        _set("factories.operating", "numerator", "households"),
        "factories.operating",
        "numerator",
        "takes no",
    ),
    (
        "code in expression",
        _set("stars.four_plus", "condition", "__import__('os')"),
        "stars.four_plus",
        "condition",
        "function call",
    ),
    (
        "bad id",
        _set("stars.four_plus", "id", "Stars Four"),
        "Stars Four",
        "id",
        "lower-case words joined by dots",
    ),
    ("duplicate id", _set("stars.five_share", "id", "stars.four_plus"), "stars.four_plus", "id", "unique"),
]


@pytest.mark.parametrize(("change", "rule", "field", "text"), [pytest.param(*b[1:], id=b[0]) for b in BROKEN])
def test_broken_rule_file_names_rule_and_field(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], rule: str, field: str, text: str
) -> None:
    path = _write(tmp_path, change)
    with pytest.raises(ProblemsFound) as found:
        load_rules(path)
    problems = found.value.log.shown()
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert isinstance(problem, RuleFileProblem)
    assert problem.rule == rule
    assert problem.field_name == field
    assert text in problem.message
    assert problem.line is not None
    assert problem.line > 1
    assert f"rule {rule}" in str(problem)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    path.write_text("version: 1\nrules: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_rules(path)
    (problem,) = found.value.log.shown()
    assert "not valid YAML" in problem.message
    assert problem.line is not None


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text"])
def test_rule_file_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsFound):
        load_rules(path)


def test_python_objects_are_not_constructed(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    path.write_text("!!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_rules(path)
    assert "not valid YAML" in found.value.log.shown()[0].message


def test_another_plan_needs_no_code_change(tmp_path: Path) -> None:
    """Next year's plan: 25 factories instead of 20 turns the same data from pass to fail."""
    path = _write(tmp_path, _set("factories.operating", "target", ">= 25"))
    folder = write_folder(tmp_path / "data", [community(factories_operating=22)])
    dataset = load_dataset(folder, tmp_path)
    shipped = evaluate(load_rules(default_rules_path()), dataset, "d")
    custom = evaluate(load_rules(path), dataset, "d")

    def status(report: Any) -> str:
        return next(r.status for r in report.rules if r.id == "factories.operating")

    assert (status(shipped), status(custom)) == ("pass", "fail")


def test_packaged_rules_are_the_repository_file() -> None:
    """An installed wheel carries rules/targets.yaml as its default rule file, byte for byte."""
    from importlib import resources

    packaged = resources.files("houfu_check").joinpath("_data/targets.yaml")
    if not packaged.is_file():
        pytest.skip("running from a source tree (editable install): no packaged copy")
    assert packaged.read_bytes() == (ROOT / "rules" / "targets.yaml").read_bytes()
    assert default_rules_path() == Path(str(packaged))
    contract = resources.files("houfu_check").joinpath("_data/contract.yaml")
    assert contract.read_bytes() == (ROOT / "rules" / "contract.yaml").read_bytes()


def test_a_key_written_twice_is_refused(tmp_path: Path) -> None:
    text = default_rules_path().read_text(encoding="utf-8")
    text = text.replace(
        '    sum: factories_operating\n    target: ">= 20"\n',
        '    sum: factories_operating\n    target: ">= 20"\n    target: ">= 0"\n',
    )
    path = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_rules(path)
    (problem,) = found.value.log.shown()
    assert isinstance(problem, RuleFileProblem)
    assert (problem.rule, problem.field_name) == ("factories.operating", "target")
    assert "written twice" in problem.message


def test_huge_literal_is_a_rule_error_not_a_crash(tmp_path: Path) -> None:
    path = _write(tmp_path, _set("stars.four_plus", "scope", "households >= 99999999999999999999999"))
    with pytest.raises(ProblemsFound) as found:
        load_rules(path)
    (problem,) = found.value.log.shown()
    assert (problem.rule, problem.field_name) == ("stars.four_plus", "scope")
    assert "too large" in problem.message


def test_every_rule_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    """Structural problems in one rule do not hide expression problems in another."""

    def change(data: dict[str, Any]) -> None:
        _rule(data, "stars.four_plus")["kind"] = "average"
        _rule(data, "stars.five_share")["severity"] = "error"
        _rule(data, "party.young_members")["condition"] = "young >= 2"
        _rule(data, "police.office_staffing")["scope"] = "police_post == 'offic'"
        _rule(data, "factories.operating")["target"] = "at least 20"

    with pytest.raises(ProblemsFound) as found:
        load_rules(_write(tmp_path, change))
    reported = {(p.rule, p.field_name) for p in found.value.log.shown() if isinstance(p, RuleFileProblem)}
    assert reported == {
        ("stars.four_plus", "kind"),
        ("stars.five_share", "severity"),
        ("party.young_members", "condition"),
        ("police.office_staffing", "scope"),
        ("factories.operating", "target"),
    }


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '    target: ">= 40%"\n',
            "    target: >= 40%\n",
            "rule stars.five_share, field target: the value >= 40% starts with a character YAML reads as "
            'syntax; write it in quotes: ">= 40%"',
        ),
        (
            "    condition: star_rating == 5\n",
            "    condition: 1 if star_rating == 5 else 0\n",
            "is a number; expected a condition",
        ),
        (
            '    condition: employed_count >= 1\n    target: "== 0"\n',
            '    condition: employed_count >= 1\n    target: ">= 90"\n',
            "a count rule counts the units that fail",
        ),
    ],
)
def test_rule_file_mistakes_in_plain_words(tmp_path: Path, old: str, new: str, message: str) -> None:
    """The mistakes a pack author makes, said so that they can act: no library wording."""
    text = default_rules_path().read_text(encoding="utf-8")
    assert old in text
    copy_contract(tmp_path)
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_rules(path)
    shown = [str(p) for p in found.value.log.shown()]
    assert any(message in p for p in shown), shown
    assert not any(w in p for p in shown for w in ("did not find expected", "IfExp", "Input should"))


def test_a_pack_written_in_chinese_only_needs_no_english_titles(tmp_path: Path) -> None:
    """A county's own pack may leave out every ``en``: English reports then show the Chinese."""
    doc = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))
    for part in doc["parts"]:
        del part["en"]
    for rule in doc["rules"]:
        del rule["title"]["en"]
    copy_contract(tmp_path)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ruleset = load_rules(path)
    first = ruleset.rules[0].spec
    assert first.title.en == first.title.zh
    assert ruleset.parts[0].en == ruleset.parts[0].zh
