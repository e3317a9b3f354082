"""The README's outputs are real: each is regenerated here and must match.

``UPDATE_GOLDEN=1 pytest tests/test_readme.py`` rewrites them after an intended change.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from houfu_check.cli import app
from houfu_check.docs import all_tables_markdown, targets_markdown
from houfu_check.rules import RuleSet, default_contract, load_rules

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
OUTPUT = re.compile(r"(<!-- output: (?P<args>.+?) -->\n```text\n)(?P<body>.*?)(```)", re.S)
CONTRACT = re.compile(r"(<!-- contract -->\n)(?P<body>.*?)(<!-- /contract -->)", re.S)
TARGETS = re.compile(r"(<!-- targets -->\n)(?P<body>.*?)(<!-- /targets -->)", re.S)


def _run(args: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, shlex.split(args), env={"NO_COLOR": "1", "COLUMNS": "150"})
    assert result.exit_code in (0, 1, 2), result.output
    return result.stdout + result.stderr


def test_readme_outputs_are_real(monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    blocks = list(OUTPUT.finditer(text))
    assert blocks, "the README shows no command output"

    def fresh(match: re.Match[str]) -> str:
        return match.group(1) + _run(match.group("args"), monkeypatch) + match.group(4)

    updated = OUTPUT.sub(fresh, text)
    updated = CONTRACT.sub(
        lambda m: m.group(1) + all_tables_markdown(default_contract()) + "\n" + m.group(3), updated
    )
    targets = targets_markdown(load_rules())
    updated = TARGETS.sub(lambda m: m.group(1) + targets + "\n" + m.group(3), updated)
    if os.environ.get("UPDATE_GOLDEN"):
        README.write_text(updated, encoding="utf-8")
        return
    assert updated == text


def test_readme_lists_every_rule(shipped_rules: RuleSet) -> None:
    text = README.read_text(encoding="utf-8")
    for rule in shipped_rules.rules:
        assert f"| `{rule.id}` |" in text, rule.id
