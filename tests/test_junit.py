"""``--format junit``: valid against the JUnit schema CI platforms read, one test case per rule."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from typer.testing import CliRunner

from builders import community, copy_contract, household, write_folder
from houfu_check.cli import app

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = xmlschema.XMLSchema(ROOT / "tests" / "schemas" / "junit.xsd")
runner = CliRunner()


def _junit(*args: str) -> tuple[int, ET.Element, str]:
    result = runner.invoke(app, ["report", *args, "-f", "junit", "--lang", "en"])
    SCHEMA.validate(result.stdout)  # raises with the offending element
    return result.exit_code, ET.fromstring(result.stdout.encode()), result.stdout


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_sample_report_is_valid_junit_with_a_case_per_rule() -> None:
    code, root, _ = _junit(str(ROOT / "samples" / "hanyin-2022q4"))
    assert code == 1
    cases = _cases(root)
    assert len(cases) == 33
    assert root.get("tests") == "33"
    summary = json.loads(
        runner.invoke(app, ["report", str(ROOT / "samples" / "hanyin-2022q4"), "-f", "json"]).stdout
    )
    rules = {r["id"]: r for r in summary["rules"]}
    assert root.get("failures") == str(summary["summary"]["failed"])
    assert root.get("skipped") == str(summary["summary"]["warned"] + summary["summary"]["not_applicable"])
    for suite in root.iter("testsuite"):
        inside = suite.findall("testcase")
        assert suite.get("tests") == str(len(inside))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in inside))
        assert {c.get("classname") for c in inside} == {suite.get("name", "").rsplit("(", 1)[1][:-1]}
    failure = cases["employment.stable_job_per_household"].find("failure")
    assert failure is not None
    jobs = rules["employment.stable_job_per_household"]
    shown = f"{jobs['actual'] * 100:.1f}% ({jobs['numerator']:,}/{jobs['denominator']:,})"
    assert failure.get("message") == (
        f"employment.stable_job_per_household: actual {shown}, required = 100%; "
        f"{jobs['failing_count']:,} failing households"
    )
    assert "确保动态实现有劳动力搬迁家庭" in (failure.text or "")
    assert f"… and {jobs['failing_count'] - 20:,} more" in (failure.text or "")
    assert cases["employment.stable_job_per_household"].get("classname") == "leye"
    warned = cases["skills.every_laborer"]
    skipped = warned.find("skipped")
    assert skipped is not None
    skills = rules["skills.every_laborer"]
    assert skipped.get("message", "").startswith(
        f"warn: skills.every_laborer: actual {skills['actual'] * 100:.1f}%"
    )
    assert "力争" in (warned.findtext("system-out") or "")
    passed = cases["factories.operating"]
    assert list(passed) == []


def test_not_applicable_rules_are_skipped(tmp_path: Path) -> None:
    # No community of 800 people or more: the large-site rules have nothing in scope.
    folder = write_folder(tmp_path / "data", [community()], [household()])
    code, root, _ = _junit(str(folder))
    assert code == 0
    skipped = _cases(root)["facilities.large_site"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "n/a: no unit in the rule's scope"


def test_data_text_is_escaped_and_xml_safe(tmp_path: Path) -> None:
    hostile = '<a href="x">&</a>]]>\x01\x1b'
    folder = write_folder(
        tmp_path / "data",
        [community("C1", town=hostile[:-2])],  # a town's name, like an id: no control characters
        [household(hostile[:-2], "C1", labor_count=2, stably_employed_count=0)],  # an id: no controls
    )
    code, root, text = _junit(str(folder))
    assert code == 1
    assert "<a href" not in text
    failure = _cases(root)["employment.stable_job_per_household"].find("failure")
    assert failure is not None
    assert '<a href="x">&</a>]]>' in (failure.text or "")  # the id, intact but for the controls


@pytest.mark.parametrize("broken", ["data", "rules"])
def test_problems_are_a_junit_document_too(tmp_path: Path, broken: str) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(members="1x")])
    args = [str(folder)]
    if broken == "rules":
        rules = tmp_path / "rules.yaml"
        copy_contract(tmp_path)
        rules.write_text("rules: [{id: x}]\n", encoding="utf-8")
        args += ["--rules", str(rules)]
    code, root, _ = _junit(*args)
    assert code == 2
    errors = list(root.iter("error"))
    assert errors
    assert root.get("errors") == str(len(errors))
    if broken == "data":
        case = next(root.iter("testcase"))
        assert case.get("name") == "households.csv, line 2, column members"
        assert errors[0].get("type") == "not-integer"
        assert errors[0].get("message", "").startswith("the cell (its text is not shown")


def test_breakdowns_in_junit() -> None:
    code, root, _ = _junit(str(ROOT / "tests" / "fixtures" / "golden-data"), "--by", "town,lead")
    assert code == 1
    failure = _cases(root)["employment.stable_job_per_household"].find("failure")
    assert failure is not None
    assert "towns missing it: " in (failure.text or "")
    leye = next(s for s in root.iter("testsuite") if s.get("name", "").endswith("(leye)"))
    props = {p.get("name"): p.get("value") for p in leye.iter("property")}
    assert props["lead: 县人社局"] == "pass 2, fail 6, warn 1, n/a 0"
