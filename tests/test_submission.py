"""submission.yaml (issue #14): dates in the forms people write, refused at their line and
field when they are no date or lie far from the round's period."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builders import run_tool

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "2022q4"


def _with_date(tmp_path: Path, date: str) -> Path:
    folder = tmp_path / "q4"
    shutil.copytree(SAMPLE, folder)
    text = (folder / "submission.yaml").read_text(encoding="utf-8")
    (folder / "submission.yaml").write_text(
        text.replace("date: 2023-01-10", f"date: {date}"), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("date", ["2023/01/10", "2023/1/10", "2023年1月10日", "2023.1.10"])
def test_common_date_forms_are_read(tmp_path: Path, date: str) -> None:
    done = run_tool("report", str(_with_date(tmp_path, date)), "-f", "json")
    assert done.returncode == 1, done.stderr  # judged (targets missed), not refused
    assert '"date": "2023-01-10"' in done.stdout


@pytest.mark.parametrize(
    ("date", "said"),
    [
        ("2022-13-45", "submission.yaml, line 5: date: '2022-13-45' is not a day of the calendar"),
        ("yesterday", "submission.yaml, line 5: date: 'yesterday' is not a date; write it as 2023-01-10"),
        (
            "2030-01-01",
            "submission.yaml, line 5: date: 2030-01-01 is more than a quarter away from the period",
        ),
    ],
)
def test_a_date_that_is_none_or_far_from_its_period_is_refused(tmp_path: Path, date: str, said: str) -> None:
    done = run_tool("validate", str(_with_date(tmp_path, date)), "--lang", "en")
    assert done.returncode == 2
    assert said in done.stderr


def test_a_forced_encoding_that_fails_says_it_was_forced() -> None:
    """#14: --encoding utf-8 on a GB18030 file: the message says the user forced it."""
    gb = Path(__file__).resolve().parents[1] / "samples" / "hanyin-2022q4-gb18030"
    done = run_tool("validate", str(gb), "--encoding", "utf-8", "--lang", "en")
    assert done.returncode == 2
    assert (
        "cannot be read as UTF-8, as --encoding asked: leave the option out to detect the file's encoding"
        in done.stderr
    )
    assert run_tool("validate", str(gb)).returncode == 0  # detected, it reads


def test_a_missing_fact_is_said_as_a_key_to_add(tmp_path: Path) -> None:
    """#14: a fact left out of submission.yaml is a key to add, not a 'missing column'."""
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE.parent / "hanyin-2022q4", folder)
    yaml_text = (folder / "submission.yaml").read_text(encoding="utf-8")
    (folder / "submission.yaml").write_text(
        "\n".join(line for line in yaml_text.splitlines() if "completion_review_done" not in line) + "\n",
        encoding="utf-8",
    )
    en = run_tool("validate", str(folder), "--lang", "en")
    assert en.returncode == 2
    said = "submission.yaml, line 1: facts: 'completion_review_done' (已开展竣工验收回头看) is missing"
    assert said in en.stdout + en.stderr
    zh = run_tool("validate", str(folder), "--lang", "zh")
    assert (
        "facts:缺少“completion_review_done”(已开展竣工验收回头看);请在 facts: 下补上" in zh.stdout + zh.stderr
    )
    assert "列" not in zh.stdout + zh.stderr
