"""Chinese first (issue #14): every problem code has a Chinese sentence, and the problems of the
broken inputs the validation tests make are said in Chinese under --lang zh."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from builders import write_folder
from houfu_check import errors
from houfu_check.errors import Problem, ProblemsFound
from houfu_check.messages_zh import TEMPLATES
from houfu_check.validate import load_dataset
from test_validation import CASES, three_households

CODES = sorted(
    {cls.code for _, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, Problem)}
)


def test_every_problem_code_has_a_chinese_sentence() -> None:
    missing = [code for code in CODES if code not in TEMPLATES]
    assert missing == []
    assert sorted(TEMPLATES) == CODES  # and no sentence for a code that does not exist


#: an English sentence: three words of two or more letters in a row
_ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){2,}\b")


def _english_left(text: str) -> list[str]:
    """English runs in a Chinese sentence, leaving out what is quoted (cells, headers) and the
    accepted words of a column (yes/no/true/false … in parentheses)."""
    bare = re.sub(r"'[^']*'|“[^”]*”|\([^)]*\)|\([^)]*\)", "", text)
    return _ENGLISH.findall(bare)


def _said_in_chinese(tmp_path: Path, change: Callable[[Path], None]) -> None:
    """Every problem of the broken folder ``change`` makes has a Chinese sentence, English-free."""
    folder = three_households(tmp_path / "data")
    change(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    for problem in found.value.log.shown():
        said = problem.message_zh
        assert said is not None, f"{problem.code}: no Chinese for {problem.message!r}"
        assert re.search(r"[\u4e00-\u9fff]", said), said
        assert _english_left(said) == [], said
        assert problem.position_in("zh").count("line") == 0


@pytest.mark.parametrize(("change", "code"), [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_broken_inputs_are_said_in_chinese(tmp_path: Path, change: Callable[[Path], None], code: str) -> None:
    _said_in_chinese(tmp_path, change)


def _csv_change(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / "households.csv"
        path.write_bytes(change(path.read_bytes()))

    return apply


def _stray_quote(data: bytes) -> bytes:
    lines = data.split(b"\n")
    cells = lines[2].split(b",")
    cells[3] += b'"x'
    lines[2] = b",".join(cells)
    return b"\n".join(lines)


MORE = [
    ("CR-only line ends", _csv_change(lambda b: b.replace(b"\r\n", b"\n").replace(b"\n", b"\r"))),
    ("UTF-16 without a BOM", _csv_change(lambda b: b.decode("utf-8").encode("utf-16-le"))),
    ("a quote opening the header", _csv_change(lambda b: b'"' + b)),
    ("a stray quote in a field", _csv_change(_stray_quote)),
    ("a full-width digit in an id", _csv_change(lambda b: b.replace(b"\nH2,", "\nH２,".encode(), 1))),
    ("an id in scientific notation", _csv_change(lambda b: b.replace(b"\nH2,", b"\n6.1E+15,", 1))),
]


@pytest.mark.parametrize("change", [pytest.param(c, id=name) for name, c in MORE])
def test_more_broken_inputs_are_said_in_chinese(tmp_path: Path, change: Callable[[Path], None]) -> None:
    _said_in_chinese(tmp_path, change)


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _english_runs(text: str) -> list[str]:
    """Runs of two or more English words in a Chinese report, leaving out ids, codes and file
    names (tokens with '.', '_', '/', '-', digits), quoted cells and what is in parentheses."""
    bare = re.sub(r"<style.*?</style>|<svg.*?</svg>|<[^>]+>", " ", text, flags=re.S)
    bare = re.sub(r"'[^']*'|“[^”]*”|\([^)]*\)|\([^)]*\)|`[^`]*`", " ", bare)
    bare = re.sub(r"\S*[._/0-9-]\S*", " ", bare)  # ids, rule ids, files, numbers, sha256
    runs = re.findall(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,})+\b", bare)
    # a list of names (id, clause, part: the keys allowed) is codes; words a space apart are prose
    return [run for run in runs if re.search(r"[A-Za-z]{2,} +[A-Za-z]{2,}", run)]


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "junit"])
@pytest.mark.parametrize(
    "args",
    [
        ["report", str(SAMPLES / "2022q4"), "--by", "town,lead"],
        ["report", str(SAMPLES / "broken")],
        ["compare", str(SAMPLES / "2022q3"), str(SAMPLES / "2022q4")],
        ["validate", str(SAMPLES / "2022q4")],
    ],
    ids=["report", "broken data", "compare", "validate"],
)
def test_a_chinese_report_holds_no_english_sentence(args: list[str], fmt: str) -> None:
    """#14: under --lang zh, no English words outside ids, codes and file names."""
    from builders import run_tool

    done = run_tool(*args, "--lang", "zh", "-f", fmt, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert done.returncode in (0, 1, 2), done.stderr
    assert _english_runs(done.stdout + done.stderr) == []


def test_lang_may_come_before_the_command() -> None:
    """#14: `houfu-check --lang zh rules check …` (where a newcomer puts it) works for every command."""
    from builders import run_tool

    done = run_tool("--lang", "zh", "report", str(SAMPLES / "broken"))
    assert done.returncode == 2
    assert "数据校验未通过" in done.stderr
    done = run_tool("--lang", "zh", "rules", "check", str(SAMPLES.parent / "rules" / "targets.yaml"))
    assert "共 33 项规则" in done.stdout
    done = run_tool("--lang", "en", "report", str(SAMPLES / "broken"), env={"LANG": "zh_CN.UTF-8"})
    assert "The data did not pass validation" in done.stderr  # --lang wins over the locale


def test_a_broken_pack_is_said_in_chinese() -> None:
    """#14: the mistakes of tests/fixtures/broken-pack (unknown key, misspelt column, a share
    above 100%, a due date outside the year) are said in Chinese, each in full."""
    from builders import run_tool

    done = run_tool(
        "rules",
        "check",
        str(Path(__file__).parent / "fixtures" / "broken-pack" / "targets.yaml"),
        "--lang",
        "zh",
    )
    assert done.returncode == 2
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("  ")]
    assert len(lines) == 4
    for line in lines:
        said = line.split(": ", 1)[1]
        assert re.search(r"[\u4e00-\u9fff]", said), line
        assert _english_runs(said) == [], line


def _submission(text: str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        folder = write_folder(tmp / "data")
        (folder / "submission.yaml").write_text(text, encoding="utf-8")
        return ["validate", str(folder)]

    return make


def _towns_missing_a_table(tmp: Path) -> list[str]:
    import test_contract as tc

    pack = tc._towns_pack(tmp / "pack")
    data = tmp / "data"
    sites = "site_id,site_name,township,homes\n{0},一号点,{1},1\n"
    homes = "home_id,site_id,size,income\n{0}H,{0},2,9000.5\n"
    for town, site in (("北镇", "S1"), ("南镇", "S2")):
        (data / town).mkdir(parents=True)
        (data / town / "sites.csv").write_text(sites.format(site, town), encoding="utf-8")
        (data / town / "homes.csv").write_text(homes.format(site), encoding="utf-8")
    people = "person_id,home_id,full_name,signed,born\nP1,S1H,王芳,true,1990-05-01\n"
    (data / "北镇" / "people.csv").write_text(people, encoding="utf-8")
    (data / "submission.yaml").write_text("facts:\n  已印发方案: 是\n", encoding="utf-8")
    return ["validate", str(data), "--rules", str(pack)]


def _workbook_without_header(tmp: Path) -> list[str]:
    from builders import write_workbook

    folder = write_folder(tmp / "data")
    (folder / "communities.csv").unlink()
    write_workbook(folder / "communities.xlsx", {"社区": [["a", "b"], ["1", "2"]]})
    return ["validate", str(folder)]


def _header_with_a_carriage_return(tmp: Path) -> list[str]:
    folder = write_folder(tmp / "data")
    path = folder / "communities.csv"
    data = path.read_bytes()
    path.write_bytes(data.replace(b",", b",x\ry,", 1))
    return ["validate", str(folder)]


def _compare_an_unknown_column(tmp: Path) -> list[str]:
    folder = write_folder(tmp / "data")
    return ["compare", str(folder), str(folder), "--allow-same-period", "--max-change", "foo=3"]


def _sample_with_a_bad_hint(tmp: Path) -> list[str]:
    import test_contract as tc

    pack = tc._towns_pack(tmp / "pack")
    contract = pack.parent / "contract.yaml"
    text = contract.read_text(encoding="utf-8")
    homes = "\n  - name: homes\n"
    assert homes in text
    contract.write_text(
        text.replace(homes, homes + "    sample: {per_parent: nosuch}\n", 1), encoding="utf-8"
    )
    return ["sample", str(tmp / "out"), "--rules", str(pack)]


AUDIT: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("constants not a mapping", _submission("constants: 5\n")),
    ("a constant that is no number", _submission("constants:\n  province_rural_income: abc\n")),
    ("facts empty", _submission("facts:\n")),
    ("facts not a mapping", _submission("facts: 5\n")),
    ("a field of the wrong type", _submission("county: [a, b]\n")),
    ("a constant the pack lacks", _submission("constants:\n  nosuch: 5\n")),
    ("an optional table missing in one town", _towns_missing_a_table),
    ("a workbook without a header row", _workbook_without_header),
    ("a header line the csv module refuses", _header_with_a_carriage_return),
    ("compare, a column that is no number column", _compare_an_unknown_column),
    ("sample, a hint that is no number", _sample_with_a_bad_hint),
    ("rules schema, written", lambda tmp: ["rules", "schema", "-o", str(tmp / "dp.json")]),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=name) for name, m in AUDIT])
def test_what_the_audit_found_in_english_is_said_in_chinese(
    tmp_path: Path, make: Callable[[Path], list[str]]
) -> None:
    """Sentences an audit of this round found only in English (submission.yaml's shape, a town
    without an optional table, a workbook without a header, compare and sample, "wrote")."""
    from builders import run_tool

    done = run_tool(*make(tmp_path), "--lang", "zh", env={"COLUMNS": "200", "NO_COLOR": "1"})
    said = done.stdout + done.stderr
    assert re.search(r"[\u4e00-\u9fff]", said), said
    assert _english_runs(said) == [], said
    assert done.returncode != 0 or "已写入" in said, said  # a refusal, or what was written


def test_progress_and_an_internal_error_are_said_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from houfu_check.cli import run
    from houfu_check.render import Options

    assert run.step_in("reading 1,600 files", "zh") == "正在读取 1,600 个文件"
    assert run.step_in("reading 城关镇/households.csv", "zh") == "正在读取 城关镇/households.csv"

    def broken() -> int:
        raise RuntimeError("boom")

    with pytest.raises(typer.Exit):
        run.guarded(False, broken, [], Options(lang="zh"))
    err = capsys.readouterr().err
    assert "houfu-check:内部错误:RuntimeError: boom" in err
    assert _english_runs(err.replace("--debug", "")) == []


def test_a_town_name_with_a_space_is_a_name_in_chinese_too(tmp_path: Path) -> None:
    """A town folder's name is a name in both languages, spaces and all (mixed-towns)."""
    from builders import community, household, run_tool

    county = tmp_path / "county"
    write_folder(
        county / "城关 镇",
        [community("C1", town="城关 镇"), community("C2", town="平梁镇")],
        [household("H1", "C1")],
    )
    write_folder(county / "平梁镇", [community("C3", town="平梁镇")], [household("H3", "C3")])
    done = run_tool("validate", str(county), "--lang", "zh")
    assert "'平梁镇' 出现在 城关 镇 的文件夹中" in done.stdout, done.stdout
