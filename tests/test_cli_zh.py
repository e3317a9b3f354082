"""#14: the command line itself in Chinese — every --help page and every usage error.

The library behind the command line writes help and usage errors in English; under
``--lang zh`` the tool gives each its Chinese (``cli/zh.py``). A help text with no Chinese, or
a usage error said in English, fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from builders import run_tool
from houfu_check.cli import app
from houfu_check.cli.zh import HELP

SAMPLE = str(Path(__file__).resolve().parents[1] / "samples" / "hanyin-2022q4")


def _helps() -> list[str]:
    found: list[str] = []

    def walk(command: object) -> None:
        for text in (getattr(command, "help", None), getattr(command, "short_help", None)):
            if text:
                found.append(text.strip())
        found.extend(p.help for p in getattr(command, "params", []) if getattr(p, "help", None))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found


def test_every_help_text_has_its_chinese() -> None:
    missing = [text for text in _helps() if text not in HELP]
    assert missing == []
    assert all(re.search(r"[\u4e00-\u9fff]", zh) for zh in HELP.values())


def _english(text: str) -> list[str]:
    """Runs of English words, leaving out options (--format), metavars (<path>), names in
    capitals (DATA, OPTIONS), file names, ids and what is quoted."""
    bare = re.sub(r"houfu-check(?: [a-z]+)*", " ", text)  # the command's own name and path
    bare = re.sub(r"'[^']*'|“[^”]*”|<[^>]*>|\[[^\]]*\]|\S*[._/0-9$-]\S*|\b[A-Z_]{2,}\b", " ", bare)
    return re.findall(r"\b[A-Za-z]{2,}(?: +[A-Za-z]{2,})+\b", bare)


def test_every_help_page_is_chinese_under_lang_zh() -> None:
    result = run_tool("--lang", "zh", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("用法:houfu-check")
    assert "选项" in result.stdout
    assert "命令" in result.stdout
    assert _english(result.stdout) == [], result.stdout
    for command in (["report"], ["validate"], ["compare"], ["init"], ["sample"], ["rules", "explain"]):
        page = run_tool("--lang", "zh", *command, "--help").stdout
        assert page.startswith(f"用法:houfu-check {' '.join(command)}"), page
        assert "显示本帮助后退出" in page
        assert _english(page) == [], (command, _english(page))


USAGE_ERRORS = [
    (["report", SAMPLE, "--bogus"], "没有选项 --bogus"),
    (["report", SAMPLE, "--by-town"], "没有选项 --by-town"),
    (["reprot", SAMPLE], "没有命令 “reprot”;是否想输入 'report'?"),
    (["report"], "缺少参数 DATA"),
    (["report", SAMPLE, "--format", "pdf"], "--format 的值无效:“pdf”不是输出格式;可选:"),
    (["report", SAMPLE, "--encoding", "big5"], "--encoding 的值无效:不支持“big5”;请用 utf-8 或 gb18030"),
    (["report", SAMPLE, "--period", "2022Q9"], "--period 的值无效:“2022Q9”不是报送期"),
    (["report", SAMPLE, "--fail-on", "never"], "--fail-on 的值无效:“never”不是 fail 或 warn"),
    (["report", SAMPLE, "--format", "json,html"], "--format 的值无效:多种格式需要配合 --output-dir"),
    (["report", SAMPLE, "--output"], "选项 --output 需要一个值"),
    (["rules", "explain", "no.such_rule"], "ID 的值无效:没有规则“no.such_rule”;现有规则:"),
    (["sample", "/tmp", "--headers", "fr"], "--headers 的值无效:“fr”不是 en 或 zh"),
    (["report", SAMPLE, "extra"], "多余的参数(extra)"),
    (["sample", "/tmp/never-written", "--rows", "0"], "'--rows' / '-n' 的值无效:应不小于 1"),
    (["sample", "/tmp/never-written", "--rows", "abc"], "'--rows' / '-n' 的值无效:应为整数"),
    (["sample", "/tmp/never-written", "--rows", "5000000000"], "'--rows' / '-n' 的值无效:应不大于 5000000"),
]


@pytest.mark.parametrize(("args", "said"), USAGE_ERRORS, ids=[" ".join(a[::2])[:40] for a, _ in USAGE_ERRORS])
def test_usage_errors_are_chinese_under_lang_zh(args: list[str], said: str) -> None:
    result = run_tool("--lang", "zh", *args)
    assert result.returncode == 2
    assert f"错误:{said}" in result.stderr, result.stderr
    assert "Usage" not in result.stderr
    assert "Error" not in result.stderr
    assert _english(result.stderr.replace(said, "")) == [], result.stderr


def test_english_stays_english() -> None:
    result = run_tool("--lang", "en", "report", SAMPLE, "--bogus")
    assert result.returncode == 2
    assert "Usage: houfu-check report" in result.stderr
    assert "No such option: --bogus" in result.stderr


def test_a_chinese_locale_gives_chinese_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "houfu_check", "--help"],
        capture_output=True,
        text=True,
        env={"LANG": "zh_CN.UTF-8", "PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.stdout.startswith("用法:"), result.stdout + result.stderr


def test_the_json_of_a_usage_error_is_still_a_document() -> None:
    """A CI job asking for JSON still gets one, whatever the language."""
    result = run_tool("--lang", "zh", "report", SAMPLE, "-f", "json", "--fail-on", "never")
    assert result.returncode == 2
    assert json.loads(result.stdout)["status"] == "usage-error"
