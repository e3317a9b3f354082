"""Hostile input found by a review: each case ends safely (exit 2, or an inert output)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import community, copy_contract, household, run_tool, write_folder
from houfu_check.cli import app
from houfu_check.rules import default_rules_path

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["report", "{data}", "-o", "{data}/report.txt"],
        ["report", "{data}", "-f", "json,html", "--output-dir", "{data}"],
        ["report", "{data}", "-o", "{data}/newtown/households.csv"],
        ["validate", "{data}", "-f", "json", "-o", "{data}/submission.yaml"],
    ],
    ids=[
        "a report in the data folder",
        "output-dir is the data folder",
        "a fake town",
        "over submission.yaml",
    ],
)
def test_nothing_is_written_into_the_data_folder(tmp_path: Path, args: list[str]) -> None:
    folder = write_folder(tmp_path / "data")
    (folder / "submission.yaml").write_text("period: 2022-Q4\n", encoding="utf-8")
    before = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
    result = runner.invoke(app, [a.format(data=folder) for a in args])
    assert result.exit_code == 2
    assert "inside the data folder" in result.output or "is an input file" in result.output
    assert sorted((p.name, p.read_bytes()) for p in folder.iterdir()) == before


def test_invisible_characters_cannot_hide_a_formula(tmp_path: Path) -> None:
    hid = "\u200b=1+1"
    folder = write_folder(
        tmp_path / "data", [community(community_name=hid)], [household(stably_employed_count=0)]
    )
    out = tmp_path / "lists"
    assert runner.invoke(app, ["report", str(folder), "--export-failing", str(out)]).exit_code == 1
    content = (out / "employment.stable_job_per_household.csv").read_text(encoding="utf-8-sig")
    cell = next(csv.reader(io.StringIO(content.splitlines()[1])))[2]  # the community's name
    assert cell == "'=1+1"


@pytest.mark.parametrize("hid", ["\u200bH1", "H1\ufeff", "H\x001", "H\u202e1"])
def test_an_invisible_character_never_makes_a_duplicate_look_unique(tmp_path: Path, hid: str) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household("H1"), household(hid)])
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert (
        "households.csv, line 3, column household_id: 'H1' holds an invisible or control character"
        in result.stderr
    )


def test_bidi_and_line_separators_do_not_reach_logs(tmp_path: Path) -> None:
    tricky = "社区\u202e1\u2028x"
    folder = write_folder(
        tmp_path / "data",
        [community(town="城关\u2028镇", community_name=tricky)],
        [household(stably_employed_count=0)],
    )
    junit = runner.invoke(app, ["report", str(folder), "-f", "junit"]).stdout
    assert "\u202e" not in junit
    assert "\u2028" not in junit
    terminal = runner.invoke(app, ["report", str(folder), "--by", "town", "--no-color"]).stdout
    assert "\u2028" not in terminal


@pytest.mark.parametrize("where", ["submission.yaml", "waivers.yaml", "rules"])
def test_a_complex_yaml_key_is_refused(tmp_path: Path, where: str) -> None:
    folder = write_folder(tmp_path / "data")
    args = ["validate", str(folder), "-f", "json"]
    if where == "rules":
        rules = tmp_path / "rules.yaml"
        copy_contract(tmp_path)
        rules.write_text(
            default_rules_path().read_text(encoding="utf-8") + "? [a, b]\n: 1\n", encoding="utf-8"
        )
        args = ["rules", "check", str(rules)]
    else:
        (folder / where).write_text("? [a, b]\n: 1\n", encoding="utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "a key must be plain text" in result.output


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("condition", "ｌａｂｏｒ_count >= 1", "'ｌａｂｏｒ_count' is not a column name"),
        ("condition", "Ｔｒｕｅ", "'Ｔｒｕｅ' is not a column name"),
        ("target", "'>= ９０%'", "is not a target"),
    ],
)
def test_lookalike_characters_are_refused_in_rules(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    text = default_rules_path().read_text(encoding="utf-8")
    start = text.index("  - id: skills.every_laborer")
    end = text.index("  - id:", start + 10)
    rule = text[start:end]
    lines = [
        f"    {field}: {value}" if line.startswith(f"    {field}:") else line for line in rule.splitlines()
    ]
    rules = tmp_path / "rules.yaml"
    copy_contract(tmp_path)
    rules.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "skills.every_laborer" in result.output


@pytest.mark.parametrize("period", ["２０２２-Q4", "0000-Q4"])
def test_lookalike_or_impossible_periods(tmp_path: Path, period: str) -> None:
    folder = write_folder(tmp_path / "data")
    (folder / "submission.yaml").write_text(f"period: '{period}'\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "is not a period" in result.output


# --- issue #11: nothing silently wrong ---------------------------------------------------------


def test_a_path_is_never_a_pattern(tmp_path: Path) -> None:
    """'q4[a]' is that folder, not the folder 'q4a' that the pattern would match."""
    write_folder(tmp_path / "q4a", [community()], [household("H1")])
    write_folder(tmp_path / "q4[a]", [community()], [household("H1"), household("H2")])
    result = runner.invoke(app, ["validate", str(tmp_path / "q4[a]"), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = {i["table"]: i["rows"] for i in json.loads(result.stdout)["inputs"]}
    assert rows["households"] == 2
    county = tmp_path / "county"
    write_folder(county / "城关镇[补报]", [community()], [household("H1")])
    result = runner.invoke(app, ["validate", str(county), "-f", "json"])
    assert result.exit_code == 0, result.output


def test_a_sum_is_never_wrapped(tmp_path: Path) -> None:
    """Each row's value is bounded below 2^62 when the rule loads; summed in 64 bits, three such
    rows would wrap to a negative total and flip the verdict. Sums run in 128 bits."""
    copy_contract(tmp_path)
    rule = (
        "  - id: x.huge\n    clause: '1'\n    part: leye\n    title: {zh: 大, en: Huge}\n    text: 确保\n"
        "    lead: [县]\n    table: households\n    kind: total\n    sum: members * 4000000000\n"
        '    target: ">= 1"\n'
    )
    text = default_rules_path().read_text(encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(text.split("\nrules:\n")[0] + "\nrules:\n" + rule, encoding="utf-8")
    big = 999_999_999
    homes = [household(f"H{i}", members=big) for i in range(3)]
    folder = write_folder(tmp_path / "data", [community(population=big)], homes)  # a 9-digit cell at most
    result = runner.invoke(
        app, ["report", str(folder), "--rules", str(tmp_path / "rules.yaml"), "-f", "json"]
    )
    rule_out = json.loads(result.stdout)["rules"][0]
    assert rule_out["actual_exact"] == str(3 * big * 4_000_000_000)  # 1.2e19 > 2^63
    assert rule_out["status"] == "pass"


def test_the_step_summary_is_never_an_input(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    before = (folder / "households.csv").read_bytes()
    result = runner.invoke(
        app,
        ["report", str(folder), "--step-summary"],
        env={"GITHUB_STEP_SUMMARY": str(folder / "households.csv")},
    )
    assert result.exit_code == 2
    assert "is an input file" in result.output
    assert (folder / "households.csv").read_bytes() == before


@pytest.mark.parametrize("kind", ["folder", "fifo", "broken link"])
def test_a_waiver_or_submission_file_that_is_not_a_file_is_named(tmp_path: Path, kind: str) -> None:
    for name in ("waivers.yaml", "submission.yaml"):
        folder = write_folder(tmp_path / kind / name.split(".")[0] / "data")
        target = folder / name
        if kind == "folder":
            target.mkdir()
        elif kind == "fifo":
            os.mkfifo(target)
        else:
            target.symlink_to(tmp_path / "nowhere.yaml")
        result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
        assert result.exit_code == 2, (name, result.output)
        assert f"{name}: cannot read the file" in result.output


def test_yaml_inputs_are_bounded_before_they_are_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "check", "/dev/zero"])
    assert result.exit_code == 2
    assert "not a regular file" in result.output
    big = tmp_path / "rules.yaml"
    with big.open("wb") as fh:
        fh.truncate(3 << 30)  # a sparse 3 GiB file: refused by its size, never read
    result = runner.invoke(app, ["rules", "check", str(big)])
    assert result.exit_code == 2
    assert "larger than 1 MiB" in result.output


def test_a_large_gb18030_file_is_never_cut_inside_a_quoted_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parallel transcoder cuts big GB18030 files at line ends outside quotes; a quoted line
    break then reads exactly as in UTF-8 (here: refused where the cell starts, both ways)."""
    from houfu_check.io import encoding

    monkeypatch.setattr(encoding, "PARALLEL_MIN", 1 << 12)  # parallel from 4 KiB, for the test
    homes = [household(f"H{i:04d}", head_name="张三") for i in range(400)]
    folder = write_folder(tmp_path / "gb", [community()], homes, encoding="gb18030")
    path = folder / "households.csv"
    data = path.read_bytes()
    middle = data.index(b"\n", len(data) // 2)  # the cut the transcoder would choose
    names = data.rfind(b"\xd5\xc5\xc8\xfd", 0, middle)  # 张三 (GB18030) on the row before it
    data = data[:names] + b'"\xd5\xc5' + b"\n" + b'\xc8\xfd"' + data[names + 4 :]
    path.write_bytes(data)
    utf8 = write_folder(tmp_path / "u8", [community()], homes)
    (utf8 / "households.csv").write_bytes(data.decode("gb18030").encode("utf-8"))
    outs = []
    for where in (folder, utf8):
        result = runner.invoke(app, ["validate", str(where), "-f", "json"])
        assert result.exit_code == 2, result.output
        outs.append([(e["code"], e["line"], e["column"]) for e in json.loads(result.stdout)["errors"]])
    assert outs[0] == outs[1]
    assert outs[0][0][0] == "line-break-in-cell"


def test_line_cuts_step_over_quoted_line_breaks(tmp_path: Path) -> None:
    from houfu_check.io.encoding import _line_cuts

    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n" + b'1,"x\ny\nz"\n' * 50 + b"2,w\n" * 50)
    data = path.read_bytes()
    for pieces in (2, 3, 4, 7):
        for cut in _line_cuts(path, len(data), pieces)[1:-1]:
            assert data[:cut].count(b'"') % 2 == 0  # never inside a quoted cell
            assert data[cut - 1 : cut] == b"\n"


def test_line_cuts_of_a_file_without_quotes_are_found_without_counting_them(tmp_path: Path) -> None:
    """A file the helper read, and found without quotes, is cut at the line end after each aim
    (the quotes before it are not counted: the same cuts, a pass fewer)."""
    from houfu_check.io.encoding import _line_cuts

    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n" + b"1,xyz\n" * 500)
    data = path.read_bytes()
    for pieces in (2, 3, 7):
        cuts = _line_cuts(path, len(data), pieces, quoted=False)
        assert cuts == _line_cuts(path, len(data), pieces)
        assert len(cuts) == pieces + 1
        assert all(data[cut - 1 : cut] == b"\n" for cut in cuts[1:-1])


def test_small_things_that_went_silently_wrong(tmp_path: Path) -> None:
    """Issue #11, item 14: each of these ended wrongly without a word."""
    # a hidden town folder holding data is named, not dropped
    county = tmp_path / "county"
    write_folder(county / "城关镇", [community("C1")], [household("H1", "C1")])
    write_folder(county / ".涧池镇", [community("C2")], [household("H2", "C2")])
    result = runner.invoke(app, ["validate", str(county), "--lang", "en"])
    assert result.exit_code == 2
    assert ".涧池镇/: a hidden folder (its name starts with '.') holds data files" in result.output
    # a waiver reason of only an invisible character is no reason
    folder = write_folder(tmp_path / "data", [community()], [household(stably_employed_count=0)])
    (folder / "waivers.yaml").write_text(
        'waivers:\n  - rule: employment.stable_job_per_household\n    unit: H1\n    reason: "\\u200b"\n'
        "    approved_by: 县人社局\n    until: 2099-12-31\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["validate", str(folder)]).exit_code == 2
    for filler in ("\\u3164", "\\u2800", "\\u115f \\uffa0"):  # blank fillers, as drawn: nothing
        text = (folder / "waivers.yaml").read_text(encoding="utf-8")
        (folder / "waivers.yaml").write_text(text.replace("\\u200b", filler), encoding="utf-8")
        assert runner.invoke(app, ["validate", str(folder)]).exit_code == 2, filler
        (folder / "waivers.yaml").write_text(text, encoding="utf-8")
    # '=' inside a string literal of a rule expression is left alone
    from houfu_check.rules.expr import _double_equals

    assert _double_equals("police_post = 'office=x'") == "police_post == 'office=x'"
    # a rule id longer than 64 characters is refused when the rule file is checked
    copy_contract(tmp_path)
    long_id = "a." + "b" * 300
    text = default_rules_path().read_text(encoding="utf-8").replace("id: stars.four_plus", f"id: {long_id}")
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(tmp_path / "rules.yaml")])
    assert result.exit_code == 2
    assert "is longer than 64 characters" in result.output
    # rule titles with escape sequences reach the terminal inert
    text = (
        default_rules_path()
        .read_text(encoding="utf-8")
        .replace("title: {zh: 百户以上社区全部四星级以上,", 'title: {zh: "百户\\e[2J\\e]0;x\\a以上",')
    )
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    out = runner.invoke(
        app,
        [
            "report",
            str(write_folder(tmp_path / "d2")),
            "--rules",
            str(tmp_path / "rules.yaml"),
            "--lang",
            "zh",
        ],
    ).stdout
    assert "\x1b" not in out
    assert "\x07" not in out


def test_a_rewritten_report_keeps_its_permissions(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    out = tmp_path / "report.json"
    out.write_text("{}", encoding="utf-8")
    out.chmod(0o600)
    runner.invoke(app, ["report", str(folder), "-f", "json", "-o", str(out)])
    assert out.stat().st_mode & 0o777 == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["tool"] == "houfu-check"


def test_an_export_that_cannot_be_written_is_a_sentence(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household(stably_employed_count=0)])
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root writes anywhere: make the target a file instead
            locked.chmod(0o700)
            locked.rmdir()
            locked.write_text("x", encoding="utf-8")
        result = runner.invoke(app, ["report", str(folder), "--export-failing", str(locked / "lists")])
        assert result.exit_code == 2, result.output
        assert "cannot write the lists to" in result.output
        assert "internal error" not in result.output
    finally:
        if locked.is_dir():
            locked.chmod(0o700)


def test_binary_junk_with_a_lone_carriage_return_is_a_located_problem(tmp_path: Path) -> None:
    """The column of a byte that does not decode is found by parsing the line up to it; a lone
    CR there made the csv module raise while the message was built (exit 3)."""
    folder = write_folder(tmp_path / "data")
    header = (folder / "households.csv").read_bytes().split(b"\n", 1)[0]
    (folder / "households.csv").write_bytes(header + b"\nH1,C1\r,\xff\xfe\x80\x81,junk\n")
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "households.csv, line 2" in result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    "hid",
    ["H\u20661", "H1\u3164", "H\u2800" + "1", "H1\U000e0041", "H\x851", "H1\ufe0f", "H\u034f1", "H\u00a01"],
)
def test_every_invisible_kind_is_refused_in_an_id(tmp_path: Path, hid: str) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household("H1"), household(hid)])
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert "column household_id: 'H1' holds an invisible or control character" in result.stderr


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        (household("H2", cid="王芳", head_name="C1"), "the cell (its text is not shown"),
        (household("王芳"), "the cell (its text is not shown"),
    ],
    ids=["a name where a community id belongs", "a name where a household id belongs"],
)
def test_no_relation_message_quotes_a_name(tmp_path: Path, row: dict[str, object], shown: str) -> None:
    folder = write_folder(tmp_path / "data", [community()], [household("H1"), row, dict(row)])
    for fmt in ("text", "json", "markdown", "html", "junit"):
        result = runner.invoke(app, ["validate", str(folder), "-f", fmt, "--lang", "en"])
        assert result.exit_code == 2
        assert "王芳" not in result.output
    result = runner.invoke(app, ["validate", str(folder), "--lang", "en"])
    assert shown in result.stderr
    assert "'H1'" not in result.stderr  # a plain id is still quoted where it is the problem


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    copy_contract(pack)
    (pack / "targets.yaml").write_bytes(default_rules_path().read_bytes())
    return pack


@pytest.mark.parametrize("how", ["-o", "GITHUB_STEP_SUMMARY"])
def test_the_packs_contract_is_an_input(tmp_path: Path, how: str) -> None:
    folder = write_folder(tmp_path / "data")
    pack = _pack(tmp_path)
    contract = pack / "contract.yaml"
    before = contract.read_bytes()
    args = ["report", str(folder), "--rules", str(pack / "targets.yaml"), "-f", "json"]
    if how == "-o":
        result = runner.invoke(app, [*args, "-o", str(contract)])
    else:
        result = runner.invoke(app, [*args, "--step-summary"], env={"GITHUB_STEP_SUMMARY": str(contract)})
    assert result.exit_code == 2
    assert "is an input file" in result.output
    assert contract.read_bytes() == before


def test_the_step_summary_never_appends_to_the_report(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data")
    out = tmp_path / "r.json"
    result = runner.invoke(
        app,
        ["report", str(folder), "-f", "json", "-o", str(out), "--step-summary"],
        env={"GITHUB_STEP_SUMMARY": str(out)},
    )
    assert result.exit_code == 2
    json.loads(out.read_text(encoding="utf-8"))  # still one JSON document


def test_a_pipe_given_as_output_is_written_not_replaced(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = write_folder(tmp_path / "data")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [sys.executable, "-c", f"import sys; print(len(open({str(fifo)!r}, 'rb').read()))"],
        stdout=subprocess.PIPE,
    )
    result = runner.invoke(app, ["report", str(folder), "-f", "json", "-o", str(fifo)])
    out, _ = reader.communicate(timeout=30)
    assert result.exit_code == 0, result.output
    assert int(out) > 100
    assert fifo.is_fifo()


def test_a_data_folder_inside_a_town_folder_is_named(tmp_path: Path) -> None:
    county = tmp_path / "county"
    write_folder(county / "城关镇", [community("C1")], [household("H1", "C1")])
    write_folder(county / "涧池镇", [community("C2")], [household("H2", "C2")])
    write_folder(
        county / "涧池镇" / "补报", [community("C3")], [household("H3", "C3", stably_employed_count=0)]
    )
    result = runner.invoke(app, ["report", str(county), "--lang", "en"])
    assert result.exit_code == 2
    assert "涧池镇/补报/: a folder inside a submission folder holds data files" in result.output


def test_the_groups_rules_option_holds_for_explain(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    rules = pack / "targets.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("百户以上社区五星级达40%以上", "本县的另一个标题", 1),
        encoding="utf-8",
    )
    for args in (
        ["rules", "-r", str(rules), "explain", "stars.five_share"],
        ["rules", "explain", "stars.five_share", "-r", str(rules)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "本县的另一个标题" in result.output


def test_a_packs_titles_reach_the_rule_listing_and_the_index_sheet_inert(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    rules = pack / "targets.yaml"
    hostile = '"=1+1\\e]8;;http://evil\\a[bold]x[/]\\e]8;;\\a"'
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            "title: {zh: 有劳动力家庭一户一人稳定就业,", f"title: {{zh: {hostile},", 1
        ),
        encoding="utf-8",
    )
    for args in (
        ["rules", "-r", str(rules), "--lang", "zh"],
        ["rules", "explain", "employment.stable_job_per_household", "-r", str(rules)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output
        assert "\a" not in result.output
        assert "[bold]x[/]" in result.output  # shown as written, never as markup
    folder = write_folder(tmp_path / "data", [community()], [household(stably_employed_count=0)])
    out = tmp_path / "lists"
    args = ["report", str(folder), "--rules", str(rules), "--lang", "zh", "--export-failing", str(out)]
    assert runner.invoke(app, args).exit_code == 1
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(out / "failing-units.xlsx"))
    cells = [str(c) for row in book.get_sheet_by_name("目录").to_python() for c in row]
    assert not any(c.startswith("=") or "\x1b" in c for c in cells)
    assert any(c.startswith("'=1+1") for c in cells)


@pytest.mark.parametrize(
    ("hid", "named"),
    [
        ("H\u20111", "(U+2011, a dash that is not '-')"),
        ("H\u22121", "(U+2212, a dash that is not '-')"),
        ("H\uff11", "(U+FF11, a full-width character)"),
        ("He\u0301", "(U+0301, a combining accent)"),
    ],
    ids=["non-breaking hyphen", "minus sign", "full-width digit", "decomposed accent"],
)
def test_a_lookalike_character_never_makes_a_duplicate_look_unique(
    tmp_path: Path, hid: str, named: str
) -> None:
    """#11: an id that looks like another (H‑1 beside H-1, Ｈ１ beside H1) is refused, located."""
    twin = hid.replace("\u2011", "-").replace("\u2212", "-").replace("\uff11", "1").replace("e\u0301", "é")
    folder = write_folder(tmp_path / "data", [community()], [household(twin), household(hid)])
    done = run_tool("validate", str(folder), "--lang", "en")
    assert done.returncode == 2, done.stdout
    assert "households.csv, line 3, column household_id:" in done.stderr
    assert named in done.stderr
    assert "retype it with plain digits, letters and '-'" in done.stderr


def _households_bytes(tmp_path: Path, change: Any) -> Path:
    """A one-community folder whose households.csv is rewritten by ``change`` (bytes → bytes)."""
    homes = [household(f"H{i}") for i in range(1, 6)]
    folder = write_folder(tmp_path / "data", [community()], homes)
    path = folder / "households.csv"
    path.write_bytes(change(path.read_bytes()))
    return folder


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda b: b.replace(b"\r\n", b"\n").replace(b"\n", b"\r"),
            "households.csv, line 1: the file cannot be read as CSV: the lines end with a carriage "
            "return only (old Mac line ends)",
        ),
        (
            lambda b: b.decode("utf-8").encode("utf-16-le"),
            "households.csv, line 1: the file cannot be read as CSV: the file looks like UTF-16 text",
        ),
        (
            lambda b: b'"' + b,
            "households.csv, line 1: stray quote character; a quote in the header opens a column name "
            "that runs over",
        ),
    ],
    ids=["CR-only line ends", "UTF-16 without a BOM", "a quote opening the header"],
)
def test_unreadable_csv_shapes_are_named_in_plain_words(tmp_path: Path, change: Any, said: str) -> None:
    """#11: no library wording ("new-line character seen in unquoted field", "1 fields",
    "a header but no records") for a file whose shape the reader cannot take."""
    done = run_tool("validate", str(_households_bytes(tmp_path, change)), "--lang", "en")
    assert done.returncode == 2, done.stdout
    assert said in done.stderr
    for library in ("new-line character", "universal-newline", "header but no records", "GB18030;"):
        assert library not in done.stderr


def test_a_stray_quote_inside_a_field_names_its_column(tmp_path: Path) -> None:
    def stray(data: bytes) -> bytes:
        lines = data.split(b"\n")
        cells = lines[2].split(b",")
        cells[3] = cells[3] + b'"x'  # members
        lines[2] = b",".join(cells)
        return b"\n".join(lines)

    done = run_tool("validate", str(_households_bytes(tmp_path, stray)), "--lang", "en")
    assert done.returncode == 2
    assert "households.csv, line 3, column members: stray quote character" in done.stderr


def test_ids_excel_wrote_in_scientific_notation_get_a_hint(tmp_path: Path) -> None:
    """#14: 6.10921E+15 twice is not a duplicate household to delete: Excel lost the digits."""
    homes = [household("6.10921E+15"), household("6.10921E+15"), household("H3")]
    folder = write_folder(tmp_path / "data", [community()], homes)
    done = run_tool("validate", str(folder), "--lang", "en")
    assert done.returncode == 2
    assert "households.csv, line 2, column household_id:" in done.stderr
    assert "Excel wrote in scientific notation" in done.stderr
    assert "format the column as Text" in done.stderr


def test_sums_run_in_64_bits_only_where_no_sum_can_wrap() -> None:
    """A whole-number term is summed in 64 bits when the table's rows times the term's bound on
    a row stay below 2^63 (a count column: 10^9 a row), else in 128 bits."""
    import polars as pl

    from houfu_check.engine import _summable
    from houfu_check.rules import default_contract
    from houfu_check.rules.expr import compile_expr

    columns = {c.name: c for c in default_contract().table("households").columns}
    count = compile_expr("members", columns, "int")
    product = compile_expr("members * labor_count", columns, "int")
    assert count.magnitude is not None
    frame = pl.DataFrame({"members": [999_999_999], "labor_count": [999_999_999]})
    rows_ok = (2**63 - 1) // count.magnitude
    assert frame.select(_summable(count, rows_ok)).dtypes == [pl.Int64]
    assert frame.select(_summable(count, rows_ok + 1)).dtypes == [pl.Int128]
    assert frame.select(_summable(product, 9)).dtypes == [pl.Int64]  # 10^18 a row: 9 rows fit
    assert frame.select(_summable(product, 10)).dtypes == [pl.Int128]  # ten may not


@pytest.mark.parametrize(
    ("table", "expr", "total"),
    [
        # a decimal in a condition marks the rule decimal; its values are whole, summed exactly
        ("households", "members * 4000000000 if members > 0.5 else 0", 3 * 999_999_999 * 4_000_000_000),
        # a number written beside an aggregate: 128 bits from the first step
        ("communities", "count(households) + 3000000000 * 4000000000", 3 + 12 * 10**18),
        # a yes/no counted as 1 inside an aggregate, times numbers written
        ("communities", "sum(households, poverty_alleviated * 3000000000 * 4000000000)", 3 * 12 * 10**18),
    ],
    ids=["decimal condition", "number beside an aggregate", "yes/no inside an aggregate"],
)
def test_no_step_of_a_sum_wraps(tmp_path: Path, table: str, expr: str, total: int) -> None:
    """Every whole-number step of a total is exact: none runs in 64 bits where it could wrap."""
    copy_contract(tmp_path)
    rule = (
        "  - id: x.huge\n    clause: '1'\n    part: leye\n    title: {zh: 大, en: Huge}\n    text: 确保\n"
        f"    lead: [县]\n    table: {table}\n    kind: total\n    sum: {expr}\n"
        '    target: ">= 1"\n'
    )
    text = default_rules_path().read_text(encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(text.split("\nrules:\n")[0] + "\nrules:\n" + rule, encoding="utf-8")
    big = 999_999_999
    homes = [household(f"H{i}", members=big, poverty_alleviated=True) for i in range(3)]
    folder = write_folder(tmp_path / "data", [community(population=big)], homes)
    result = runner.invoke(
        app, ["report", str(folder), "--rules", str(tmp_path / "rules.yaml"), "-f", "json"]
    )
    rule_out = json.loads(result.stdout)["rules"][0]
    assert rule_out["actual_exact"] == str(total)
    assert rule_out["status"] == "pass"


def _digests(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("how", ["--previous", "submission.yaml"])
def test_the_previous_rounds_files_are_inputs(tmp_path: Path, how: str) -> None:
    """The previous round is read too (growth rules): no output goes over its files or into it."""
    prev = write_folder(tmp_path / "prev")
    (prev / "submission.yaml").write_text("period: 2022-Q3\n", encoding="utf-8")
    data = write_folder(tmp_path / "data")
    (data / "submission.yaml").write_text(
        "period: 2022-Q4\n" + ("previous: ../prev\n" if how == "submission.yaml" else ""), encoding="utf-8"
    )
    before = _digests(prev)
    given = ["--previous", str(prev)] if how == "--previous" else []
    for output in (prev / "households.csv", prev / "report.json"):
        result = runner.invoke(app, ["report", str(data), *given, "-f", "json", "-o", str(output)])
        assert result.exit_code == 2, result.output
        assert "is an input file" in result.output or "inside the data folder" in result.output
    result = runner.invoke(app, ["report", str(data), *given, "--export-failing", str(prev / "lists")])
    assert result.exit_code == 2, result.output
    assert _digests(prev) == before


@pytest.mark.parametrize("named", ["../shared/contract.yaml", "contract.txt"])
def test_the_contract_the_rule_file_names_is_an_input(tmp_path: Path, named: str) -> None:
    """Wherever the rule file's contract: points (another folder, any suffix), it is an input."""
    from houfu_check.rules.load import default_contract_path

    pack = tmp_path / "pack"
    pack.mkdir()
    contract = (pack / named).resolve()
    contract.parent.mkdir(parents=True, exist_ok=True)
    contract.write_bytes(default_contract_path().read_bytes())
    rules = (
        default_rules_path()
        .read_text(encoding="utf-8")
        .replace("contract: contract.yaml", f"contract: {named}")
    )
    assert f"contract: {named}" in rules
    (pack / "targets.yaml").write_text(rules, encoding="utf-8")
    folder = write_folder(tmp_path / "data")
    before = contract.read_bytes()
    args = ["report", str(folder), "--rules", str(pack / "targets.yaml"), "-f", "json", "-o", str(contract)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "is an input file" in result.output
    assert contract.read_bytes() == before


def test_failing_lists_never_go_into_a_town_folder_linked_from_elsewhere(tmp_path: Path) -> None:
    county = tmp_path / "county"
    write_folder(county / "城关镇", [community("C1", town="城关镇")], [household("H1", "C1")])
    outside = write_folder(tmp_path / "outside", [community("C2", town="涧池镇")], [household("H2", "C2")])
    (county / "涧池镇").symlink_to(outside, target_is_directory=True)
    before = _digests(outside)
    result = runner.invoke(app, ["report", str(county), "--export-failing", str(outside)])
    assert result.exit_code == 2, result.output
    assert _digests(outside) == before


def test_a_folder_mounted_into_the_county_is_the_county(tmp_path: Path) -> None:
    """A town folder bind-mounted from elsewhere (a container's volume): an output there is
    inside the data folder, though no spelling of the path says so."""
    import subprocess

    county = tmp_path / "county"
    write_folder(county / "城关镇", [community("C1", town="城关镇")], [household("H1", "C1")])
    outside = write_folder(tmp_path / "outside", [community("C2", town="涧池镇")], [household("H2", "C2")])
    (county / "涧池镇").mkdir()
    mounted = subprocess.run(
        ["mount", "--bind", str(outside), str(county / "涧池镇")], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip("no bind mounts here (not root, or no mount namespace)")
    try:
        result = runner.invoke(app, ["report", str(county), "-f", "json", "-o", str(outside / "report.json")])
        assert result.exit_code == 2, result.output
        assert "inside the data folder" in result.output
        assert not (outside / "report.json").exists()
    finally:
        subprocess.run(["umount", str(county / "涧池镇")], check=False)


def test_a_refused_file_keeps_none_of_its_frames(tmp_path: Path) -> None:
    """A refusal kept for the report holds neither its frames nor the error it was raised from
    (their locals are the file's bytes and cells)."""
    from houfu_check.errors import ProblemsFound
    from houfu_check.io.csv_table import CsvJob, read_csv_tables

    path = tmp_path / "communities.csv"
    path.write_bytes(b"community_id,to\rwn\nC1,x\n")
    (done,) = read_csv_tables([CsvJob(path, "communities.csv")], tmp_path)
    assert isinstance(done, ProblemsFound)
    assert done.__traceback__ is None
    assert done.__context__ is None
    assert done.__cause__ is None


def test_a_large_gb18030_files_parts_decoding_starts_early_and_never_outlives_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its parts are decoded while the files before it are read (the same tables as read one
    after another); a read that fails leaves no worker behind."""
    from houfu_check.errors import ErrorLog
    from houfu_check.io import csv_table, encoding
    from houfu_check.io.folder import read_folder
    from houfu_check.rules import default_contract

    monkeypatch.setattr(encoding, "PARALLEL_MIN", 1 << 14)  # parallel from 16 KiB, for the test
    homes = [household(f"H{i:04d}", f"C{i % 20}", head_name="张三") for i in range(400)]
    places = [community(f"C{i}") for i in range(20)]  # a large file, decoded whole: not ahead
    folder = write_folder(tmp_path / "gb", places, homes, encoding="gb18030")
    assert 1 << 10 < (folder / "communities.csv").stat().st_size < 1 << 14
    monkeypatch.setattr(csv_table, "SMALL_FILE", 1 << 10)  # a large file, for the test
    started: list[encoding.Transcoding] = []
    real = encoding.Transcoding.__init__

    def watched(self: encoding.Transcoding, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        started.append(self)

    monkeypatch.setattr(encoding.Transcoding, "__init__", watched)
    raw = read_folder(folder, tmp_path, ErrorLog(), default_contract())
    assert raw["households"][0].frame.height == 400
    assert started[0].source.name == "households.csv"  # the file decoded in parts, ahead
    assert len(started[0].procs) >= 2
    assert all(proc.poll() is not None for t in started for proc in t.procs)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    started.clear()
    monkeypatch.setattr(csv_table, "_read_each", interrupted)
    with pytest.raises(KeyboardInterrupt):
        read_folder(folder, tmp_path, ErrorLog(), default_contract())
    assert started
    assert all(proc.poll() is not None for t in started for proc in t.procs)  # stopped, reaped


def test_an_interrupt_between_two_workers_starts_leaves_none_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the second review: Ctrl+C while a file's decoding workers are started stops those
    already running (they ignore SIGINT: the parent stops them)."""
    import subprocess

    from houfu_check.io import encoding

    monkeypatch.setattr(encoding, "PARALLEL_MIN", 1 << 12)
    homes = [household(f"H{i:04d}", head_name="张三") for i in range(400)]
    folder = write_folder(tmp_path / "gb", [community()], homes, encoding="gb18030")
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        if started:
            raise KeyboardInterrupt
        started.append(real(*args, **kwargs))  # type: ignore[call-overload]
        return started[-1]

    monkeypatch.setattr(encoding.subprocess, "Popen", popen)
    with pytest.raises(KeyboardInterrupt):
        encoding.Transcoding(folder / "households.csv", "gb18030", tmp_path, "households.csv", ["a"] * 18)
    assert started
    assert started[0].poll() is not None  # killed and reaped


def test_a_file_replaced_after_its_folder_was_planned_is_read_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the second review: the parts decoded early are of the file as planned; a file
    replaced since is decoded again, so its rows, its problems and its hash are the new file's."""
    from houfu_check.errors import ErrorLog, ProblemsFound
    from houfu_check.io import csv_table, encoding
    from houfu_check.io.folder import read_folder
    from houfu_check.rules import default_contract

    monkeypatch.setattr(encoding, "PARALLEL_MIN", 1 << 12)
    monkeypatch.setattr(csv_table, "SMALL_FILE", 1 << 12)
    homes = [household(f"H{i:04d}", head_name="张三") for i in range(400)]
    folder = write_folder(tmp_path / "gb", [community()], homes, encoding="gb18030")
    path = folder / "households.csv"
    broken = path.read_bytes().replace(b"\xd5\xc5", b"\xff\xff", 1)  # 张 → no GB18030
    real = csv_table._read_each

    def replaced(*args: Any) -> None:
        for early in (p.transcoding for p in args[1] if getattr(p, "transcoding", None)):
            for proc in early.procs:
                proc.wait()  # its parts decoded from the file as planned
        fresh = path.with_name("new.tmp")
        fresh.write_bytes(broken)
        fresh.replace(path)  # another inode: what an editor's save does
        real(*args)

    monkeypatch.setattr(csv_table, "_read_each", replaced)
    log = ErrorLog()
    with contextlib.suppress(ProblemsFound):
        read_folder(folder, tmp_path, log, default_contract())
    assert [(p.code, p.file) for p in log.items] == [("encoding-error", "households.csv")]
