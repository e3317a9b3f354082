"""The README's and the documentation pages' outputs are real: each is regenerated here and
must match, and their reference sections are generated from the code (they cannot drift).

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
from houfu_check.docs import REFERENCES, all_tables_markdown, targets_markdown
from houfu_check.rules import RuleSet, default_contract, load_rules

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
OUTPUT = re.compile(r"(<!-- output: (?P<args>.+?) -->\n```text\n)(?P<body>.*?)(```)", re.S)
CONTRACT = re.compile(r"(<!-- contract -->\n)(?P<body>.*?)(<!-- /contract -->)", re.S)
TARGETS = re.compile(r"(<!-- targets -->\n)(?P<body>.*?)(<!-- /targets -->)", re.S)
REFERENCE = re.compile(r"(<!-- reference: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /reference -->)", re.S)
PAGES = sorted((ROOT / "docs").glob("*.md"))


def _run(args: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, shlex.split(args), env={"NO_COLOR": "1", "COLUMNS": "150"})
    assert result.exit_code in (0, 1, 2), result.output
    return result.stdout + result.stderr


def test_readme_links_the_reference_pages() -> None:
    text = README.read_text(encoding="utf-8")
    for page in PAGES:
        assert f"(docs/{page.name})" in text, page.name


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


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_documentation_pages_are_real(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = page.read_text(encoding="utf-8")
    updated = OUTPUT.sub(lambda m: m.group(1) + _run(m.group("args"), monkeypatch) + m.group(4), text)
    updated = REFERENCE.sub(lambda m: m.group(1) + REFERENCES[m.group("name")]() + "\n" + m.group(4), updated)
    updated = CONTRACT.sub(
        lambda m: m.group(1) + all_tables_markdown(default_contract()) + "\n" + m.group(3), updated
    )
    updated = TARGETS.sub(lambda m: m.group(1) + targets_markdown(load_rules()) + "\n" + m.group(3), updated)
    if os.environ.get("UPDATE_GOLDEN"):
        page.write_text(updated, encoding="utf-8")
        return
    assert updated == text


def test_the_guide_documents_every_kind_and_function() -> None:
    from houfu_check.kinds import KINDS
    from houfu_check.rules.expr import AGGREGATES

    guide = (ROOT / "docs" / "writing-a-pack.md").read_text(encoding="utf-8")
    for name in [*KINDS, *AGGREGATES, "per_year", "plan.", "towns", "rate_per", "due:", "warn:", "annual"]:
        assert name in guide, name


def test_the_targets_page_lists_every_rule(shipped_rules: RuleSet) -> None:
    text = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    for rule in shipped_rules.rules:
        assert f"| `{rule.id}` |" in text, rule.id


def test_the_guides_contract_is_a_valid_contract(tmp_path: Path) -> None:
    """The contract docs/writing-a-pack.md shows whole loads as it is: the guide cannot drift."""
    from houfu_check.pack.contract_file import load_contract

    guide = (ROOT / "docs" / "writing-a-pack.md").read_text(encoding="utf-8")
    block = guide.split("## 1. The contract", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "contract.yaml").write_text(block, encoding="utf-8")
    contract = load_contract(tmp_path / "contract.yaml", "contract.yaml")
    assert [t.name for t in contract.tables] == ["communities", "households", "county"]
    assert contract.town == ("communities", "town")
