"""``houfu-check validate``: the contract alone, exit 0 or 2, in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xmlschema
from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app
from houfu_check.render import FORMATS

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_valid_data_that_misses_targets_still_validates(fmt: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community(platform_321=False)], [household()])
    result = runner.invoke(app, ["validate", str(folder), "-f", fmt, "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    if fmt == "json":
        doc = json.loads(out)
        assert doc["status"] == "valid"
        assert [(i["file"], i["rows"]) for i in doc["inputs"]] == [
            ("communities.csv", 1),
            ("households.csv", 1),
        ]
        assert doc["warnings"] == []
    elif fmt == "junit":
        xmlschema.XMLSchema(ROOT / "tests" / "schemas" / "junit.xsd").validate(out)
        assert 'name="households.csv"' in out
    else:
        assert "The data is valid (no target was checked)" in out
        assert "households.csv" in out


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_invalid_data_exits_2_in_every_format(fmt: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(members="x")])
    result = runner.invoke(app, ["validate", str(folder), "-f", fmt, "--lang", "en"])
    assert result.exit_code == 2
    position = "households.csv, line 2, column members"
    if fmt == "json":
        assert json.loads(result.stdout)["errors"][0]["line"] == 2
    elif fmt == "terminal":
        assert position in result.stderr
    else:
        assert position in result.stdout


def test_warnings_are_shown_and_do_not_fail(tmp_path: Path) -> None:
    county = tmp_path / "county"
    write_folder(
        county / "城关镇", [community("C1"), community("C3"), community("C4", town="涧池镇")], [household()]
    )
    write_folder(county / "涧池镇", [community("C2", town="涧池镇")], [household("H2", "C2")])
    result = runner.invoke(app, ["validate", str(county), "--lang", "en"])
    assert result.exit_code == 0
    assert "Warnings about the data (1):" in result.stdout
    assert "城关镇/communities.csv, line 4, column town" in result.stdout


def test_validate_never_writes_over_an_input(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    before = (folder / "households.csv").read_bytes()
    result = runner.invoke(app, ["validate", str(folder), "-f", "json", "-o", str(folder / "households.csv")])
    assert result.exit_code == 2
    assert "is an input file" in result.output
    assert (folder / "households.csv").read_bytes() == before
