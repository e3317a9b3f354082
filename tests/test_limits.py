"""Resource limits: a huge file, a huge line, a huge header, a symlink loop, a zip bomb.

Each ends in a clear message and exit 2. These run the real command in a subprocess with a
timeout: the timeout guards against a hang, it is not a performance assertion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import community, household, run_tool, table_rows, write_folder, write_workbook


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_tool(*args)


def test_a_2_gib_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    os.truncate(folder / "households.csv", 2 << 30)  # sparse: no disk is used
    done = _run("report", str(folder), "--lang", "en")
    assert done.returncode == 2
    assert "households.csv: the file is 2.0 GiB; files of up to 1.0 GiB are read" in done.stderr
    done = _run("validate", str(folder), "--lang", "zh")
    assert done.returncode == 2
    assert "households.csv: 文件大小为 2.0 GiB;最多读取 1.0 GiB 的文件" in done.stderr


def test_a_town_file_over_the_limit_is_refused_and_never_read(tmp_path: Path) -> None:
    """Among town folders too (a CSV file's reader looks at its size from the open file), and
    the hashing helper leaves it unread."""
    from houfu_check.io import byte_facts

    county = tmp_path / "county"
    write_folder(county / "城关镇", [community("C1", town="城关镇")], [household("H1", "C1")])
    write_folder(county / "涧池镇", [community("C2", town="涧池镇")], [household("H2", "C2")])
    os.truncate(county / "涧池镇" / "households.csv", 2 << 30)
    done = _run("validate", str(county), "--lang", "en", "-f", "json")
    assert done.returncode == 2
    [error] = json.loads(done.stdout)["errors"]
    assert (error["code"], error["file"]) == ("too-large", "涧池镇/households.csv")
    byte_facts.prefetch(county)
    try:
        assert byte_facts.prefetched(county / "城关镇" / "households.csv") is not None
        assert byte_facts.prefetched(county / "涧池镇" / "households.csv") is None
    finally:
        byte_facts.stop_prefetch()


def test_a_50_mb_line_is_a_located_problem_with_a_short_message(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community(community_name="名" * (50 * 2**20 // 3))])
    done = _run("report", str(folder), "--lang", "en", "-f", "json")
    assert done.returncode == 2
    [error] = json.loads(done.stdout)["errors"]
    assert (error["code"], error["line"], error["column"]) == ("too-long", 2, "community_name")
    assert len(error["value"]) <= 201  # the cell is quoted, not carried
    assert len(done.stdout) < 5_000


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            ",".join(f"c{i}" for i in range(1_000_000)),
            "households.csv, line 1: the file cannot be read as CSV: the first line is longer than 1,048,576 bytes",
        ),
        (
            ",".join("c" for _ in range(200_000)),
            "households.csv, line 1: the header has 200,000 columns; at most 1,000 are read",
        ),
    ],
    ids=["a million columns", "too many columns"],
)
def test_a_huge_header(tmp_path: Path, header: str, message: str) -> None:
    folder = write_folder(tmp_path / "data")
    (folder / "households.csv").write_text(header + "\n", encoding="utf-8")
    done = _run("report", str(folder), "--lang", "en")
    assert done.returncode == 2
    assert (
        f"households.csv, line 1: the file cannot be read as CSV: {message}" in done.stderr
        or message in done.stderr
    )


def test_symlink_loops_end(tmp_path: Path) -> None:
    county = tmp_path / "county"
    write_folder(county / "城关镇")
    (county / "城关镇" / "loop").symlink_to(county / "城关镇" / "loop")  # a link to itself
    (county / "back").symlink_to(county)  # a town folder that is the county again
    done = _run("report", str(county), "--lang", "en")
    assert done.returncode in (0, 1, 2)
    assert "Traceback" not in done.stderr


def test_a_workbook_that_unpacks_too_far_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import houfu_check.io.excel
    from houfu_check.cli import app

    monkeypatch.setattr(houfu_check.io.excel, "MAX_WORKBOOK_BYTES", 10_000)  # as a zip bomb would
    write_workbook(
        tmp_path / "data" / "households.xlsx", {"住户": table_rows("households", [household()] * 50)}
    )
    write_workbook(tmp_path / "data" / "communities.xlsx", {"社区": table_rows("communities", [community()])})
    result = CliRunner().invoke(app, ["report", str(tmp_path / "data"), "--lang", "en"])
    assert result.exit_code == 2
    assert "the workbook unpacks to" in result.stderr


def test_an_alias_bomb_in_a_rule_file_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")  # 9^9 strings if expanded
    done = _run("rules", "check", str(bomb))
    assert done.returncode == 2
    assert "anchors and aliases are not allowed" in done.stdout + done.stderr


@pytest.mark.parametrize("value", ["1GB", "abc", "-5", "0"])
def test_a_size_limit_that_is_no_number_is_refused_not_a_traceback(tmp_path: Path, value: str) -> None:
    """HOUFU_CHECK_MAX_FILE_BYTES must be a whole number of bytes: a command says so (exit 2,
    in Chinese too); --help still works."""
    folder = write_folder(tmp_path / "data")
    env = {**os.environ, "HOUFU_CHECK_MAX_FILE_BYTES": value}
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "houfu_check", *args], capture_output=True, text=True, env=env, check=False
    )
    assert run("--help").returncode == 0
    done = run("validate", str(folder), "--lang", "zh")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"HOUFU_CHECK_MAX_FILE_BYTES='{value}' 不是字节数" in done.stderr
