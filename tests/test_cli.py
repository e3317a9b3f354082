"""The command line as users and CI jobs meet it: exit codes, formats, files, privacy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import community, household, write_folder
from houfu_check.cli import app

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DATA = ROOT / "tests" / "fixtures" / "golden-data"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "150"})
    return result.exit_code, result.stdout, result.stderr


def passing_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data", [community()], [household()])


def test_all_targets_met_exits_0(tmp_path: Path) -> None:
    code, out, _ = run("report", str(passing_folder(tmp_path)), "--lang", "en")
    assert code == 0
    assert "0 failed" in out


def test_missed_target_exits_1() -> None:
    code, out, _ = run("report", str(GOLDEN_DATA), "--lang", "en")
    assert code == 1
    assert "16 failed" in out


def test_warning_alone_exits_0_unless_fail_on_warn(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(skilled_labor_count=1)])
    code, out, _ = run("report", str(folder), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["summary"]["warned"] == 1
    assert report["summary"]["failed"] == 0
    code, _, _ = run("report", str(folder), "--format", "json", "--fail-on", "warn")
    assert code == 1


def test_invalid_data_exits_2_with_positions_on_stderr(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(members="x")])
    code, out, err = run("report", str(folder))
    assert code == 2
    assert out == ""
    assert "households.csv, line 2, column members" in err
    assert "Traceback" not in err


def test_invalid_data_in_json_mode_is_a_json_document(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community(star_rating="x")], [household()])
    code, out, _ = run("report", str(folder), "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["status"] == "invalid-data"
    assert doc["error_count"] == 1
    assert doc["errors"][0] | {"message": None} == {
        "code": "not-integer",
        "file": "communities.csv",
        "sheet": None,
        "line": 2,
        "column": "star_rating",
        "header": "star_rating",
        "value": "x",
        "message": None,
        "message_zh": "'x' 不是整数;应为整数 0–5",  # the same sentence in Chinese
    }
    assert "rules" not in doc


def test_a_name_out_of_place_is_not_quoted(tmp_path: Path) -> None:
    """A misaligned household row puts the head's name in a number column: the message names
    the position and column, never the text (a table with a personal column)."""
    folder = write_folder(tmp_path / "data", [community()], [household(members="王芳", head_name="4")])
    for fmt in ("terminal", "json", "markdown", "html", "junit"):
        code, out, err = run("report", str(folder), "--format", fmt, "--lang", "en")
        assert code == 2
        assert "王芳" not in out + err, fmt
    code, out, err = run("report", str(folder), "--lang", "en")
    assert "households.csv, line 2, column members: the cell (its text is not shown" in err
    doc = json.loads(run("report", str(folder), "--format", "json")[1])
    assert doc["errors"][0]["value"] is None
    # a value without letters is still quoted: it helps and cannot be a name
    folder = write_folder(tmp_path / "d2", [community()], [household(members="3.0")])
    assert "'3.0' is not a whole number" in run("report", str(folder), "--lang", "en")[2]


def test_invalid_rules_exit_2(tmp_path: Path) -> None:
    rules = tmp_path / "bad.yaml"
    rules.write_text("version: 1\nplan: {title: x}\nparts: []\nrules: []\n", encoding="utf-8")
    code, _, err = run("report", str(passing_folder(tmp_path)), "--rules", str(rules))
    assert code == 2
    assert "bad.yaml" in err


def test_missing_rules_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("report", str(passing_folder(tmp_path)), "--rules", str(tmp_path / "none.yaml"))
    assert code == 2
    assert "cannot read the file" in err


@pytest.mark.parametrize(
    "args",
    [
        ["report"],
        ["report", "x", "--format", "pdf"],
        ["report", "x", "--lang", "fr"],
        ["report", "x", "--fail-on", "never"],
        ["report", "x", "--encoding", "latin-1"],
        ["frobnicate"],
    ],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    code, _, _ = run(*args)
    assert code == 2


def test_internal_error_exits_3_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import houfu_check.engine

    def boom(*_: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(houfu_check.engine, "evaluate", boom)
    code, _, err = run("report", str(passing_folder(tmp_path)))
    assert code == 3
    assert "internal error: RuntimeError: kaboom" in err
    assert "Traceback" not in err
    code, _, err = run("report", str(passing_folder(tmp_path)), "--debug")
    assert code == 3
    assert "Traceback" in err


def test_output_file_is_written_and_never_over_an_input(tmp_path: Path) -> None:
    folder = passing_folder(tmp_path)
    out = tmp_path / "out" / "r.json"
    code, stdout, _ = run("report", str(folder), "-f", "json", "-o", str(out))
    assert code == 0
    assert stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["rules"] == 33
    before = (folder / "households.csv").read_bytes()
    code, _, _ = run("report", str(folder), "-f", "json", "-o", str(folder / "households.csv"))
    assert code == 2
    assert (folder / "households.csv").read_bytes() == before
    assert not list(out.parent.glob(".*.tmp"))


def test_json_shape() -> None:
    code, out, _ = run("report", str(GOLDEN_DATA), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert {"schema_version", "summary", "rules", "inputs", "rules_file"} <= set(doc)
    assert len(doc["rules"]) == 33
    for rule in doc["rules"]:
        assert {"id", "status", "actual", "target", "scope_count", "failing"} <= set(rule)
        assert rule["status"] in {"pass", "fail", "warn", "n/a"}
        assert isinstance(rule["failing"], list)
        assert len(rule["failing"]) == rule["failing_count"]
        if rule["kind"] in ("share", "ratio") and rule["actual"] is not None:
            assert 0 <= rule["actual"] <= 1
        if rule["kind"] in ("count", "total") and rule["actual"] is not None:
            assert isinstance(rule["actual"], int)
    for item in doc["inputs"]:
        assert len(item["sha256"]) == 64
    five = next(r for r in doc["rules"] if r["id"] == "stars.five_share")
    assert five["target"] == {"op": ">=", "value": 0.4, "percent": True, "text": "≥ 40%"}
    assert five["actual_exact"] == "1/3"


def test_failing_list_is_complete_in_json(tmp_path: Path) -> None:
    rows = [household(f"H{i:03d}", family_doctor_signed_members=0) for i in range(200)]
    folder = write_folder(tmp_path / "data", [community()], rows)
    _, out, _ = run("report", str(folder), "-f", "json")
    rule = next(r for r in json.loads(out)["rules"] if r["id"] == "health.family_doctor")
    assert rule["failing"] == [f"H{i:03d}" for i in range(200)]


def test_no_personal_name_in_any_output(tmp_path: Path) -> None:
    marker = "隐私标记姓名"
    rows = [household(f"H{i}", head_name=f"{marker}{i}", family_doctor_signed_members=0) for i in range(5)]
    folder = write_folder(tmp_path / "data", [community()], rows)
    outputs = []
    for fmt in ("terminal", "json"):
        for lang in ("zh", "en"):
            _, out, err = run("report", str(folder), "-f", fmt, "--lang", lang)
            outputs += [out, err]
    broken = write_folder(tmp_path / "broken", [community()], [household(head_name=marker, members="x")])
    for fmt in ("terminal", "json"):
        _, out, err = run("report", str(broken), "-f", fmt)
        outputs += [out, err]
    assert all(marker not in text for text in outputs)
    assert any("H3" in text for text in outputs)


def test_chinese_labels(tmp_path: Path) -> None:
    code, out, _ = run("report", str(GOLDEN_DATA), "--lang", "zh")
    assert code == 1
    assert "未达标" in out
    assert "条款" in out


def test_lang_defaults_from_locale(tmp_path: Path) -> None:
    folder = passing_folder(tmp_path)
    zh = runner.invoke(app, ["report", str(folder)], env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    en = runner.invoke(app, ["report", str(folder)], env={"LANG": "en_US.UTF-8", "LC_ALL": ""})
    assert "达标" in zh.stdout
    assert "passed" in en.stdout


def test_no_colour_when_piped_or_no_color(tmp_path: Path) -> None:
    _, out, _ = run("report", str(GOLDEN_DATA))
    assert "\x1b[" not in out
    forced = runner.invoke(app, ["report", str(GOLDEN_DATA), "--color"])
    assert "\x1b[" in forced.stdout


def test_gb18030_chinese_headers_give_the_same_verdicts(tmp_path: Path) -> None:
    zh_folder = tmp_path / "zh"
    zh_folder.mkdir()
    from builders import table

    for name in ("communities", "households"):
        text = (GOLDEN_DATA / f"{name}.csv").read_text(encoding="utf-8")
        header, rest = text.split("\n", 1)
        zh = ",".join(table(name).column(h).zh for h in header.split(","))
        rest = rest.replace("true", "是").replace("false", "否").replace("\n", "\r\n")
        (zh_folder / f"{name}.csv").write_bytes((zh + "\r\n" + rest).encode("gb18030"))
    facts = table("county")
    lines = (GOLDEN_DATA / "submission.yaml").read_text(encoding="utf-8").splitlines()
    for col in facts.columns:  # the county facts under their Chinese names too
        lines = [line.replace(f"{col.name}:", f"{col.zh}:") for line in lines]
    (zh_folder / "submission.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, utf8, _ = run("report", str(GOLDEN_DATA), "-f", "json")
    _, gb, _ = run("report", str(zh_folder), "-f", "json")
    verdicts = [(r["id"], r["status"], r["actual_exact"], r["failing"]) for r in json.loads(utf8)["rules"]]
    assert verdicts == [
        (r["id"], r["status"], r["actual_exact"], r["failing"]) for r in json.loads(gb)["rules"]
    ]
    assert {i["encoding"] for i in json.loads(gb)["inputs"]} == {"gb18030"}
    _, forced, _ = run("report", str(zh_folder), "-f", "json", "--encoding", "gbk")
    assert json.loads(forced)["summary"] == json.loads(gb)["summary"]


def test_real_subprocess_from_another_directory(tmp_path: Path) -> None:
    """The console script finds the shipped rules wherever it is run from."""
    env = {**os.environ, "NO_COLOR": "1", "LANG": "en_US.UTF-8"}
    exe = Path(sys.executable).parent / "houfu-check"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "houfu_check"]
    proc = subprocess.run(
        [*cmd, "report", str(GOLDEN_DATA), "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["failed"] == 16
    proc = subprocess.run(
        [sys.executable, "-m", "houfu_check", "report", str(tmp_path / "missing")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "folder not found" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("share", "target", "text"),
    [
        (1.0, 1.0, "100%"),
        (0.0, 1.0, "0%"),
        (0.4, 0.4, "40%"),
        (2 / 3, 1.0, "66.7%"),
        (0.99951, 1.0, "99.95%"),
        (0.0004, 1.0, "0.04%"),
        (0.39996, 0.4, "39.996%"),
        (0.4000001, 0.4, ">40%"),
        (0.999999999, 1.0, "<100%"),
    ],
)
def test_percent_never_rounds_to_a_value_it_does_not_have(share: float, target: float, text: str) -> None:
    from houfu_check.render.base import format_percent

    assert format_percent(share, target) == text


def test_a_closed_pipe_keeps_the_verdict(tmp_path: Path) -> None:
    """``report … | head -c 10`` under pipefail: exit 0 stays 0, 2 stays 2, no traceback."""
    rows = [household(f"H{i:05d}", skilled_labor_count=1) for i in range(20000)]  # warn only
    folder = write_folder(tmp_path / "data", [community()], rows)
    broken = write_folder(tmp_path / "broken", [community()], [household(members="x")] * 3000)
    exe = Path(sys.executable).parent / "houfu-check"
    cmd = f"'{exe}'" if exe.exists() else f"'{sys.executable}' -m houfu_check"
    for data, expected in ((folder, 0), (broken, 2)):
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", f"{cmd} report '{data}' -f json | head -c 10"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == expected, proc.stderr
        assert "Traceback" not in proc.stderr


def test_every_format_has_a_renderer() -> None:
    from houfu_check.render import FORMATS, Renderer, renderer

    for name in FORMATS:
        made = renderer(name)
        assert isinstance(made, Renderer)
        assert made.name == name


def test_progress_steps_are_reported_in_order(tmp_path: Path) -> None:
    from houfu_check.validate import load_dataset

    steps: list[str] = []
    load_dataset(passing_folder(tmp_path), tmp_path, progress=steps.append)
    assert steps == ["reading communities.csv", "reading households.csv", "validating"]


def test_no_progress_display_off_a_terminal(tmp_path: Path) -> None:
    """Piped or captured output (CI logs, JSON) never carries spinner frames."""
    for fmt in ("terminal", "json"):
        _, out, err = run("report", str(GOLDEN_DATA), "-f", fmt)
        assert "…" not in err
        assert "validating" not in out + err


def test_no_color_is_honoured_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from houfu_check.render.base import Options
    from houfu_check.render.terminal import console_for

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("NO_COLOR", "1")
    out = Tty()
    console_for(out, Options()).print("[red]x[/red]")
    assert "\x1b[" not in out.getvalue()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Tty()
    console_for(out, Options()).print("[red]x[/red]")
    assert "\x1b[" in out.getvalue()


def test_narrow_terminal_splits_the_town_table(tmp_path: Path) -> None:
    from houfu_check.engine import evaluate
    from houfu_check.render.base import Options
    from houfu_check.render.terminal import TerminalRenderer
    from houfu_check.rules import load_rules
    from houfu_check.validate import load_dataset

    dataset = load_dataset(ROOT / "samples" / "hanyin-2022q4", tmp_path)
    report = evaluate(load_rules(), dataset, "d", by_town=True)
    tables = TerminalRenderer()._town_tables(report, Options(), 80)
    assert len(tables) > 1
    assert sum(len(t.columns) - 2 for t in tables) == 10  # each beside the rule and the county
    assert all(str(t.columns[1].header) == "county" for t in tables)
    from rich.console import Console

    console = Console(width=200)
    assert all(console.measure(t).maximum <= 80 for t in tables)  # each fits the width it was cut for


def test_several_formats_into_an_output_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run(
        "report", str(GOLDEN_DATA), "-f", "json,markdown,terminal", "--output-dir", str(out)
    )
    assert code == 1
    assert stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md", "report.txt"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["summary"]["failed"] == 16
    assert (out / "report.md").read_text(encoding="utf-8").startswith("## ")
    assert "\x1b[" not in (out / "report.txt").read_text(encoding="utf-8")


def test_several_formats_with_bad_data_write_their_error_documents(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(members="x")])
    out = tmp_path / "out"
    code, _, err = run("report", str(folder), "-f", "json,terminal", "--output-dir", str(out), "--lang", "en")
    assert code == 2
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["status"] == "invalid-data"
    assert "households.csv, line 2, column members" in (out / "report.txt").read_text(encoding="utf-8")
    assert "households.csv, line 2, column members" in err


@pytest.mark.parametrize(
    "args",
    [["-f", "json,markdown"], ["-f", "json", "-o", "x.json", "--output-dir", "d"], ["-f", ","]],
)
def test_output_choices_that_make_no_sense_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    code, _, _ = run("report", str(GOLDEN_DATA), *args)
    assert code == 2


def test_a_towns_messy_file_gets_one_clear_error(tmp_path: Path) -> None:
    """GB18030, Chinese headers, CRLF, and a typo on line 4,000: file, line, column, exit 2."""
    from builders import table
    from houfu_check.rules import default_contract
    from houfu_check.sample import generate, write

    frames = generate(default_contract(), 5_000, 25, seed=11)
    write(tmp_path / "town", frames, default_contract(), headers="zh", encoding="gb18030")
    path = tmp_path / "town" / "households.csv"
    lines = path.read_bytes().decode("gb18030").split("\n")
    cells = lines[3999].split(",")  # physical line 4,000
    cells[list(table("households").names).index("labor_count")] = "二"
    lines[3999] = ",".join(cells)
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    code, out, err = run("report", str(tmp_path / "town"), "--lang", "en")
    assert code == 2
    assert out == ""
    assert (
        "households.csv, line 4000, column 劳动力人数 (labor_count): the cell (its text is not shown" in err
    )
    assert "二" not in err  # letters in a household file may be a name out of place: never quoted
    assert "Traceback" not in err


def test_outputs_to_files_say_so_and_problems_reach_stderr(tmp_path: Path) -> None:
    good = write_folder(tmp_path / "good", [community()], [household()])
    code, out, err = run("report", str(good), "-f", "json,html", "--output-dir", str(tmp_path / "out"))
    assert code == 0
    assert out == ""
    assert f"wrote {tmp_path / 'out' / 'report.json'}, {tmp_path / 'out' / 'report.html'}" in err
    bad = write_folder(tmp_path / "bad", [community()], [household(members="x")])
    code, out, err = run("report", str(bad), "-f", "json", "-o", str(tmp_path / "r.json"))
    assert code == 2
    assert "households.csv, line 2, column members" in err  # nobody reads the JSON on stdout
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["status"] == "invalid-data"
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, _, err = run("report", str(good), "-f", "json", "--output-dir", str(tmp_path / "afile"))
    assert code == 2
    assert "--output-dir" in err


def test_long_town_names_keep_every_town_column(tmp_path: Path) -> None:
    towns = ["城关镇" * 30, "涧池镇", "蒲溪镇"]
    folder = write_folder(
        tmp_path / "data",
        [community(f"C{i}", town=t) for i, t in enumerate(towns)],
        [household(f"H{i}", f"C{i}") for i in range(3)],
    )
    code, out, _ = run("report", str(folder), "--by", "town", "--lang", "en")
    assert code == 0
    assert "涧池镇" in out
    assert "蒲溪镇" in out
    assert "城关镇城关镇城…" in out  # cut to 16 cells
    assert "┳┳" not in out  # no column squeezed to nothing


def test_output_where_no_folder_can_be_made(tmp_path: Path) -> None:
    folder = passing_folder(tmp_path)
    for args in (["-o", "/proc/houfu-nope/x.json"], ["--output-dir", "/proc/houfu-nope"]):
        code, _out, err = run("report", str(folder), "-f", "json", *args)
        assert code == 2
        assert "cannot write '/proc/houfu-nope/" in err


def test_a_previous_round_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    """Even with no growth rule to use it: a mistyped folder must not pass unseen."""
    code, _, err = run("report", str(GOLDEN_DATA), "--previous", str(tmp_path / "nope"))
    assert code == 2
    assert "previous: the previous round's folder" in err
    assert "does not exist" in err
