"""The exit-code matrix: every outcome × every format, and machine formats always parse.

Outcomes: valid pass (0), valid fail (1), warn only (0), warn with --fail-on warn (1), bad
data (2), bad rules (2), bad usage (2), internal error (3). In every case a machine format
on stdout is a document of its kind (JSON, JUnit XML, an HTML page, Markdown).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from typer.testing import CliRunner

from builders import community, copy_contract, household, write_folder
from houfu_check.cli import app
from houfu_check.render import FORMATS

ROOT = Path(__file__).resolve().parents[1]
JUNIT = xmlschema.XMLSchema(ROOT / "tests" / "schemas" / "junit.xsd")


def _pass(tmp: Path) -> list[str]:
    return [str(write_folder(tmp / "data"))]


def _fail(tmp: Path) -> list[str]:
    return [str(write_folder(tmp / "data", [community(platform_321=False)], [household()]))]


def _warn(tmp: Path) -> list[str]:  # skills.every_laborer is a 力争 target: a warning
    return [str(write_folder(tmp / "data", [community()], [household(skilled_labor_count=1)]))]


def _warn_counts(tmp: Path) -> list[str]:
    return [*_warn(tmp), "--fail-on", "warn"]


def _bad_data(tmp: Path) -> list[str]:
    return [str(write_folder(tmp / "data", [community()], [household(members="x")]))]


def _bad_rules(tmp: Path) -> list[str]:
    rules = tmp / "rules.yaml"
    copy_contract(tmp)
    rules.write_text("version: 1\nrules: [x]\n", encoding="utf-8")
    return [*_pass(tmp), "--rules", str(rules)]


def _bad_usage(tmp: Path) -> list[str]:
    return [*_pass(tmp), "--fail-on", "sometimes"]


def _internal(tmp: Path) -> list[str]:
    return _pass(tmp)


CASES: dict[str, tuple[Callable[[Path], list[str]], int, str]] = {
    # outcome: (arguments, exit code, what a machine document says)
    "valid pass": (_pass, 0, "report"),
    "valid fail": (_fail, 1, "report"),
    "warn only": (_warn, 0, "report"),
    "warn with --fail-on warn": (_warn_counts, 1, "report"),
    "bad data": (_bad_data, 2, "invalid-data"),
    "bad rules": (_bad_rules, 2, "invalid-rules"),
    "bad usage": (_bad_usage, 2, "usage-error"),
    "internal error": (_internal, 3, "internal-error"),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("outcome", list(CASES))
def test_exit_code_matrix(outcome: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make, code, kind = CASES[outcome]
    if outcome == "internal error":

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr("houfu_check.engine.evaluate", broken)
    result = CliRunner().invoke(app, ["report", *make(tmp_path), "-f", fmt, "--lang", "en"])
    assert result.exit_code == code, result.output
    out = result.stdout
    assert "Traceback" not in result.output
    if fmt == "json":
        doc = json.loads(out)
        assert doc.get("status", "report") == kind
        if kind != "report":
            assert doc["errors"]  # with their positions
            assert all("file" in e and "line" in e for e in doc["errors"])
    elif fmt == "junit":
        JUNIT.validate(out)
        root = ET.fromstring(out.encode())
        if kind != "report":
            assert root.find("testsuite").get("name") == kind  # type: ignore[union-attr]
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>")
        assert out.rstrip().endswith("</html>")
    elif fmt == "markdown":
        assert out.strip()
    else:  # terminal: the report on stdout, or the problem on stderr
        assert (out if kind == "report" else result.stderr).strip()
