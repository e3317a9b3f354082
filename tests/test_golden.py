"""Golden files: the exact output of every format for one fixed dataset.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff like code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from houfu_check.cli import app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "fixtures" / "golden-data"
GOLDEN = ROOT / "tests" / "golden"


def normalise(text: str) -> str:
    """The rule file's hash changes with every edit of the rules; nothing else may."""
    text = re.sub(r'"file": "[^"]*targets\.yaml"', '"file": "<rules>"', text)
    text = re.sub(r"^(Rules|规则文件): .*$", r"\1: <rules>", text, flags=re.M)
    text = re.sub(r"(Rules|规则文件): built-in rules/targets\.yaml \(sha256 `\w+`\)", r"\1: <rules>", text)
    text = re.sub(r'("rules_file": \{[^}]*"sha256": ")\w+', r"\1<sha>", text, flags=re.S)
    # HTML: the rules line of the footer; charts are matplotlib's drawing (tested in test_html.py)
    text = re.sub(
        r"(Rules|规则文件): built-in rules/targets\.yaml, sha256 <code>\w+</code>", r"\1: <rules>", text
    )
    text = re.sub(r"<svg .*?</svg>", "<svg>…</svg>", text, flags=re.S)
    text = re.sub(r'(name="rules_sha256" value=")\w+', r"\1<sha>", text)
    return text


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("report.json", ["--format", "json"]),
        ("report.en.txt", ["--lang", "en"]),
        ("report.zh.txt", ["--lang", "zh"]),
        ("report.by.en.txt", ["--lang", "en", "--by", "town,lead"]),
        ("report.by.json", ["--format", "json", "--by", "town", "--by", "lead"]),
        ("report.md", ["--format", "markdown", "--lang", "en"]),
        ("report.by.zh.md", ["--format", "markdown", "--lang", "zh", "--by", "town,lead"]),
        ("report.zh.html", ["--format", "html", "--lang", "zh", "--by", "lead"]),
        ("report.en.html", ["--format", "html", "--lang", "en"]),
        ("report.junit.xml", ["--format", "junit", "--lang", "en"]),
    ],
)
def test_golden(name: str, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # A relative data path: the output must not depend on where the checkout lives.
    monkeypatch.chdir(ROOT)
    data = str(DATA.relative_to(ROOT))
    result = CliRunner().invoke(app, ["report", data, *args], env={"NO_COLOR": "1", "COLUMNS": "150"})
    assert result.exit_code == 1, result.stderr
    actual = normalise(result.stdout)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_golden_exports(lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rectification lists, byte for byte, and the workbook's sheets cell by cell."""
    from python_calamine import CalamineWorkbook

    monkeypatch.chdir(ROOT)
    out = tmp_path / "lists"
    args = ["report", str(DATA.relative_to(ROOT)), "-f", "json", "--lang", lang, "--export-failing", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 1
    golden = GOLDEN / f"exports.{lang}"
    book = CalamineWorkbook.from_path(str(out / "failing-units.xlsx"))
    dump = "".join(
        f"## {name}\n" + "".join(f"{row!r}\n" for row in book.get_sheet_by_name(name).to_python())
        for name in book.sheet_names
    )
    produced = {p.name: p.read_bytes() for p in out.glob("*.csv")} | {"failing-units.xlsx.txt": dump.encode()}
    if os.environ.get("UPDATE_GOLDEN"):
        golden.mkdir(exist_ok=True)
        for old in golden.iterdir():
            old.unlink()
        for name, content in produced.items():
            (golden / name).write_bytes(content)
    assert sorted(produced) == sorted(p.name for p in golden.iterdir())
    for name, content in produced.items():
        assert content == (golden / name).read_bytes(), name
