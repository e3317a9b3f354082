"""Hostile data comes out inert in every format, and no household head's name comes out at all."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.render import FORMATS

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil","x")'
ANSI = "\x1b[2J\x1b]0;owned\x07"
NAME = "隐私标记Q7Z"  # a head_name that must never appear


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    communities = [
        community(SCRIPT, community_name=FORMULA, town=SCRIPT, platform_321=False),
        # a town's name is checked like an id (no control characters); the name may hold anything
        community(FORMULA, community_name=SCRIPT + ANSI, town=FORMULA),
    ]
    households = [
        household(SCRIPT, SCRIPT, head_name=NAME, labor_count=2, stably_employed_count=0),
        household(FORMULA, FORMULA, head_name=NAME, labor_count=2, stably_employed_count=0),
    ]
    return write_folder(tmp_path_factory.mktemp("hostile") / "data", communities, households)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_is_inert_and_private(fmt: str, hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "lists"
    args = [
        "report",
        str(hostile),
        "-f",
        fmt,
        "--by",
        "town,lead",
        "--no-color",
        "--export-failing",
        str(out),
    ]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    text = result.stdout
    assert NAME not in text
    assert "\x1b" not in text
    assert "\x07" not in text
    if fmt == "json":
        report = json.loads(text)
        failing = next(r for r in report["rules"] if r["id"] == "employment.stable_job_per_household")
        assert SCRIPT in failing["failing"]  # JSON carries the data exactly, as data
    elif fmt == "markdown":
        assert not re.search(r"(?<!\\)<", text), "every < escaped, so no HTML tag opens"
    elif fmt != "terminal":  # a terminal shows <script> as the text it is
        assert "<script" not in text.lower()
    if fmt == "junit":
        ET.fromstring(text.encode())
    for path in out.glob("*.csv"):
        content = path.read_text(encoding="utf-8-sig")
        assert NAME not in content
        for row in csv.reader(content.splitlines()):
            assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), (path.name, row)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_name_in_any_command_or_file(fmt: str, hostile: Path, tmp_path: Path) -> None:
    """The workbook of lists, ``validate`` and ``compare`` carry no head_name either."""
    import zipfile

    out = tmp_path / "lists"
    result = CliRunner().invoke(app, ["report", str(hostile), "-f", fmt, "--export-failing", str(out)])
    assert result.exit_code == 1
    with zipfile.ZipFile(out / "failing-units.xlsx") as book:
        for member in book.namelist():
            assert NAME.encode() not in book.read(member), member
    for args in (["validate", str(hostile)], ["compare", str(hostile), str(hostile)]):
        result = CliRunner().invoke(app, [*args, "-f", fmt])
        assert result.exit_code == 0, result.output
        assert NAME not in result.output


@pytest.mark.parametrize("fmt", ["terminal", "json", "junit"])
def test_an_id_with_control_characters_is_refused_inertly(fmt: str, tmp_path: Path) -> None:
    """An escape sequence in an id would make two ids look alike: refused, and the message
    quotes the id without its control characters."""
    folder = write_folder(tmp_path / "data", [community()], [household(FORMULA + ANSI, labor_count=2)])
    result = CliRunner().invoke(app, ["report", str(folder), "-f", fmt])
    assert result.exit_code == 2
    assert "invisible or control character (U+001B)" in result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output


def test_the_inert_modules_examples_hold() -> None:
    """Every format's cleaning lives in one module; its documented examples are true."""
    import doctest

    import houfu_check.inert

    assert doctest.testmod(houfu_check.inert).failed == 0
