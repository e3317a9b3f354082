"""Bad input is normal input: every kind of broken file is named with its file, line and column."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from builders import community, csv_text, household, table, write_folder
from houfu_check.errors import ProblemsFound
from houfu_check.pack.contract import Contract
from houfu_check.validate import load_dataset


def three_households(folder: Path) -> Path:
    """One community and three households: lines 2, 3 and 4 of households.csv."""
    return write_folder(folder, [community("C1")], [household(f"H{i}") for i in (1, 2, 3)])


def edit(name: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        path.write_bytes(change(path.read_bytes()))

    return apply


def replace_line(name: str, line: int, change: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[line - 1] = change(lines[line - 1])
        # surrogateescape lets a test plant raw undecodable bytes as \udcXX characters
        path.write_bytes("\n".join(lines).encode("utf-8", errors="surrogateescape"))

    return apply


def set_cell(name: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    index = list(table(name.removesuffix(".csv")).names).index(column)

    def change(text: str) -> str:
        cells = text.split(",")
        cells[index] = value
        return ",".join(cells)

    return replace_line(name, line, change)


H, C = "households.csv", "communities.csv"

# (case id, change to a valid folder, expected code, file, line, column (substring) or None)
CASES: list[tuple[str, Callable[[Path], None], str, str, int | None, str | None]] = [
    ("missing file", lambda f: (f / H).unlink(), "missing-file", H, None, None),
    ("file is a folder", lambda f: ((f / C).unlink(), (f / C).mkdir()), "not-a-file", C, None, None),
    ("empty file", edit(C, lambda b: b""), "empty-file", C, None, None),
    ("blank header line", edit(C, lambda b: b"\n\n"), "empty-file", C, 1, None),
    (
        "undecodable bytes",
        replace_line(H, 3, lambda t: t.replace("张三", "张\udcff\udcfe")),
        "encoding-error",
        H,
        3,
        "head_name",
    ),
    (
        "missing column",
        edit(H, lambda b: b.replace(b"labor_count", b"labour_count", 1)),
        "missing-column",
        H,
        1,
        "labor_count",
    ),
    (
        "column named twice",
        edit(H, lambda b: b.replace(b",head_name,", b",members,", 1)),
        "duplicate-column",
        H,
        1,
        "members",
    ),
    (
        "unbalanced quote",
        replace_line(H, 3, lambda t: t.replace("H2,C1,", 'H2,"C1,', 1)),
        "unbalanced-quote",
        H,
        3,
        None,
    ),
    (
        "stray quote",
        replace_line(H, 4, lambda t: t.replace("张三", '张"三', 1)),
        "bad-quote",
        H,
        4,
        "head_name",  # the column is named; the personal value never is
    ),
    ("too many fields", replace_line(H, 3, lambda t: t + ",x"), "field-count", H, 3, None),
    (
        "too few fields",
        replace_line(H, 4, lambda t: t.rsplit(",", 1)[0]),
        "field-count",
        H,
        4,
        None,
    ),
    (
        "missing optional field still counts",
        replace_line(H, 2, lambda t: t.replace(",张三,", ",", 1)),
        "field-count",
        H,
        2,
        None,
    ),
    ("empty cell", set_cell(H, 3, "members", ""), "empty-cell", H, 3, "members"),
    ("blank id", set_cell(H, 3, "household_id", "  "), "empty-cell", H, 3, "household_id"),
    ("decimal", set_cell(H, 2, "labor_count", "2.0"), "not-integer", H, 2, "labor_count"),
    ("text number", set_cell(H, 4, "members", "四"), "not-integer", H, 4, "members"),
    ("full-width digit", set_cell(H, 4, "members", "４"), "not-integer", H, 4, "members"),
    ("negative", set_cell(H, 3, "dropout_children", "-1"), "negative-integer", H, 3, "dropout_children"),
    ("too large", set_cell(H, 3, "public_welfare_posts", "9" * 20), "out-of-range", H, 3, "public_welfare"),
    ("members zero", set_cell(H, 2, "members", "0"), "out-of-range", H, 2, "members"),
    ("boolean", set_cell(H, 3, "monitored", "maybe"), "not-boolean", H, 3, "monitored"),
    ("star rating 6", set_cell(C, 2, "star_rating", "6"), "out-of-range", C, 2, "star_rating"),
    ("police post", set_cell(C, 2, "police_post", "派出所"), "unknown-choice", C, 2, "police_post"),
    ("duplicate id", set_cell(H, 4, "household_id", "H1"), "duplicate-id", H, 4, "household_id"),
    ("unknown community", set_cell(H, 3, "community_id", "C9"), "unknown-reference", H, 3, "community_id"),
    ("labor > members", set_cell(H, 2, "labor_count", "5"), "relation", H, 2, "labor_count"),
    ("employed > labor", set_cell(H, 2, "employed_count", "3"), "relation", H, 2, "employed_count"),
    ("stable > employed", set_cell(H, 2, "stably_employed_count", "3"), "relation", H, 2, "stably_employed"),
    ("skilled > labor", set_cell(H, 2, "skilled_labor_count", "3"), "relation", H, 2, "skilled_labor"),
    ("eligible > members", set_cell(H, 3, "pension_eligible", "5"), "relation", H, 3, "pension_eligible"),
    ("insured > eligible", set_cell(H, 3, "pension_insured", "4"), "relation", H, 3, "pension_insured"),
    (
        "a signature row under the table",
        edit(H, lambda b: b + "填表人:王会计,,,,,,,,,,,,,,,,,\n".encode()),
        "note-row",
        H,
        5,
        None,
    ),
]


@pytest.mark.parametrize(
    ("change", "code", "file", "line", "column"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_problem_is_located(
    tmp_path: Path,
    change: Callable[[Path], None],
    code: str,
    file: str,
    line: int | None,
    column: str | None,
) -> None:
    folder = three_households(tmp_path / "data")
    change(folder)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    problems = found.value.log.shown()
    assert [p.code for p in problems] == [code], [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == file
    assert problem.line == line
    if column is None:
        assert problem.column is None or code == "missing-column"
    else:
        assert problem.column is not None
        assert column in problem.column
    assert problem.message  # renders its template
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}
    assert after == before, "input files must stay untouched"


@pytest.mark.parametrize(
    ("name", "column", "value", "line"),
    [
        (H, "members", "４", 3),
        (H, "labor_count", "１２", 3),
        (C, "population", "－５", 2),
        (H, "members", "3４", 4),
    ],
)
def test_full_width_digits_are_said_as_such(
    tmp_path: Path, name: str, column: str, value: str, line: int
) -> None:
    """To a clerk ４ is a four: the message says the cell holds full-width characters and
    what to type instead, in both languages, once (not also as a plain "not a number")."""
    folder = three_households(tmp_path / "data")
    set_cell(name, line, column, value)(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert (problem.file, problem.line, problem.value) == (name, line, value)
    assert (
        "full-width characters (typed with a Chinese input method): write the digits as 0-9"
        in problem.message
    )
    assert "其中有全角字符(中文输入法打出的),请改为半角数字 0-9" in problem.message_in("zh")


@pytest.mark.parametrize("value", ["－", "．", "—"])
def test_a_full_width_placeholder_without_digits_is_said_as_any_text(tmp_path: Path, value: str) -> None:
    """A full-width minus or point alone (a placeholder for none) holds no digit to type again:
    it is not a whole number, said without the full-width advice."""
    folder = three_households(tmp_path / "data")
    set_cell(H, 3, "members", value)(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line, problem.value) == ("not-integer", 3, value)
    assert "full-width" not in problem.message
    assert "全角" not in problem.message_in("zh")


@pytest.mark.parametrize(
    ("line", "column", "forced", "said", "said_zh"),
    [
        (3, "head_name", False, "type this cell again", "请重新输入这一格"),
        (1, None, False, "type the header again", "请重新输入表头"),
        (3, None, False, "type this line again", "请重新输入这一行"),
        (None, None, False, ": save the file again as UTF-8 or GB18030", "读取:请将文件重新另存为"),
        (3, "head_name", True, "leave the option out", "去掉该选项"),
    ],
)
def test_a_byte_that_does_not_decode_says_what_to_type_again(
    line: int | None, column: str | None, forced: bool, said: str, said_zh: str
) -> None:
    """The advice fits where the byte is: a cell, the header, a line; or the encoding forced."""
    from houfu_check.errors import EncodingProblem
    from houfu_check.io.encoding import encoding_note

    note, note_zh = encoding_note("gb18030", line, column, forced)
    problem = EncodingProblem(file=H, line=line, column=column, value="ff", note=note, note_zh=note_zh)
    assert said in problem.message
    assert said_zh in problem.message_in("zh")
    assert problem.message.startswith("bytes 'ff' cannot be read as GB18030")
    assert problem.message_in("zh").startswith("字节 'ff' 无法按 GB18030 读取")


def test_a_bad_byte_in_the_header_says_to_type_the_header_again(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", encoding="gb18030")
    path = folder / H
    path.write_bytes(path.read_bytes().replace(b"members", b"mem\xffbers", 1))
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line, problem.column) == ("encoding-error", 1, None)
    assert "type the header again" in problem.message


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize(
    ("tail", "said"),
    [
        ("填表人：张三\n", [("note-row", 5, "填表人")]),
        ("合计,3\n填表人：张三,日期：2023-01-05\n", [("note-row", 5, "合计"), ("note-row", 6, "填表人")]),
        ('"填表人：张三"\n', [("note-row", 5, "填表人")]),  # quoted
        ('"合计",12\n', [("note-row", 5, "合计")]),
        (",填表人：张三\n", [("note-row", 5, "填表人")]),  # in a later cell, the ones before it empty
        ("H9,C1\n", [("field-count", 5, None)]),  # a record short of its separators: said as one
    ],
)
def test_note_rows_typed_without_separators_are_said_as_notes(
    tmp_path: Path, encoding: str, tail: str, said: list[tuple[str, int, str | None]]
) -> None:
    """A note typed by hand under the table has fewer fields than the header: it is said as a
    note to delete, not as a record missing its separators (README trial, session 10)."""
    folder = three_households(tmp_path / "data")
    path = folder / H
    path.write_bytes((path.read_text(encoding="utf-8") + tail).encode(encoding))
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    problems = found.value.log.shown()
    assert [(p.code, p.line, p.note if p.code == "note-row" else None) for p in problems] == said
    if said[0][0] == "note-row":
        assert f"这一行以“{said[0][2]}”开头" in problems[0].message_in("zh")


def test_a_relation_between_columns_is_said_in_the_files_own_headers(tmp_path: Path) -> None:
    """In Chinese, the relation a row breaks names the columns as the file's header does: a
    file with Chinese headers reads 劳动力人数 ≤ 家庭人口数, not labor_count ≤ members."""
    folder = write_folder(tmp_path / "data", [community("C1")], [household("H1", labor_count=5, members=4)])
    path = folder / H
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    zh = {"labor_count": "劳动力人数", "members": "家庭人口数"}
    path.write_text(
        ",".join(zh.get(cell, cell) for cell in header.split(",")) + "\n" + rest, encoding="utf-8"
    )
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert "应满足 劳动力人数 (labor_count) ≤ 家庭人口数 (members)" in problem.message_in("zh")


def test_missing_column_suggests_nearest_header(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    edit(H, lambda b: b.replace(b"labor_count", "劳动力人".encode(), 1))(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert "the file has '劳动力人': rename it to '劳动力人数'" in problem.message
    assert "文件中有“劳动力人”:请改为“劳动力人数”" in (problem.message_zh or "")


def test_duplicate_names_both_lines(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    set_cell(H, 4, "household_id", "H2")(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert problem.line == 4
    assert "first on line 3" in problem.message


def test_unbalanced_quote_names_the_line_where_it_starts(tmp_path: Path) -> None:
    rows = [household(f"H{i}") for i in range(1, 8)]
    folder = write_folder(tmp_path / "data", [community()], rows)
    replace_line(H, 4, lambda t: t.replace("张三", '"张三', 1))(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line) == ("unbalanced-quote", 4)


def _multiline_names(tmp_path: Path) -> Contract:
    """The shipped contract with community_name and an extra household note allowed to break lines."""
    from houfu_check.pack.contract_file import load_contract
    from houfu_check.rules.load import default_contract_path

    text = (
        default_contract_path()
        .read_text(encoding="utf-8")
        .replace(
            "        description: 社区(安置点)名称 / name of the community\n",
            "        description: 社区(安置点)名称 / name of the community\n        multiline: true\n",
        )
    )
    path = tmp_path / "contract.yaml"
    path.write_text(text, encoding="utf-8")
    return load_contract(path, "contract.yaml")


def test_lines_count_quoted_line_breaks(tmp_path: Path) -> None:
    """A quoted name spanning two lines (where the contract allows it) shifts every later record
    by one physical line; where it does not, the cell is refused where it starts."""
    rows = [community("C1", community_name="月河\n社区"), community("C2"), community("C3", star_rating=9)]
    folder = write_folder(tmp_path / "data", rows, [household()])
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path, contract=_multiline_names(tmp_path))
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line) == ("out-of-range", 5)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line, problem.column) == ("line-break-in-cell", 2, "community_name")


def test_stray_quotes_never_swallow_rows(tmp_path: Path) -> None:
    """A text cell that starts with a quote and a later one that ends with one balance the
    commas: the rows between would become one cell. The file is refused where it opens."""
    homes = [
        household(
            f"H{i:02d}", labor_count=1, employed_count=0, stably_employed_count=0, skilled_labor_count=0
        )
        for i in range(60)
    ]
    folder = write_folder(tmp_path / "data", [community()], homes)
    lines = (folder / H).read_text(encoding="utf-8").splitlines()
    name = list(table("households").names).index("head_name")

    def quote(line: str, end: bool) -> str:
        cells = line.split(",")
        cells[name] = (cells[name] + '"') if end else ('"' + cells[name])
        return ",".join(cells)

    lines[3], lines[58] = quote(lines[3], False), quote(lines[58], True)
    (folder / H).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    problems = found.value.log.shown()
    assert [(p.code, p.line) for p in problems] == [("line-break-in-cell", 4)]
    assert "runs over 56 lines" in problems[0].message


def test_every_problem_in_both_files_is_reported(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    set_cell(C, 2, "star_rating", "x")(folder)
    set_cell(H, 2, "members", "")(folder)
    set_cell(H, 4, "monitored", "?")(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    shown = [(p.file, p.line, p.code) for p in found.value.log.shown()]
    assert shown == [
        (C, 2, "not-integer"),
        (H, 2, "empty-cell"),
        (H, 4, "not-boolean"),
    ]


def test_listing_is_capped_and_counted(tmp_path: Path) -> None:
    rows = [household(f"H{i}", members="x") for i in range(120)]
    folder = write_folder(tmp_path / "data", [community()], rows)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    log = found.value.log
    assert log.total == 120
    assert len(log.shown()) == 50
    assert [p.line for p in log.shown()][:3] == [2, 3, 4]


def test_chinese_headers_name_the_column_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    zh = [c.zh for c in table("households").columns]
    hh = csv_text("households", [household("H1", labor_count="2.5")])
    hh = hh.replace(",".join(table("households").names), ",".join(zh), 1)
    (folder / H).write_bytes(hh.encode("gb18030"))
    (folder / C).write_text(csv_text("communities", [community()]), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert problem.column == "劳动力人数 (labor_count)"
    assert problem.value == "2.5"


def test_utf16_is_refused_with_a_hint(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    text = (folder / H).read_text(encoding="utf-8")
    (folder / H).write_bytes(text.encode("utf-16"))
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert problem.code == "unsupported-encoding"
    assert "UTF-16" in problem.message


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ProblemsFound) as found:
        load_dataset(tmp_path / "nope", tmp_path)
    assert [p.code for p in found.value.log.shown()] == ["folder-not-found"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(tmp_path / "file", tmp_path)
    assert [p.code for p in found.value.log.shown()] == ["not-a-folder"]


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("members", "+3", "not-integer"),
        ("dropout_children", "-0", "negative-integer"),
        ("members", "1e3", "not-integer"),
        ("members", "0x10", "not-integer"),
        ("members", "1_000", "not-integer"),
        ("members", "9" * 16, "out-of-range"),
        ("monitored", "真", "not-boolean"),
        ("monitored", "t", "not-boolean"),
    ],
)
def test_lookalikes_are_refused(tmp_path: Path, column: str, value: str, code: str) -> None:
    folder = three_households(tmp_path / "data")
    set_cell(H, 3, column, value)(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    assert [(p.code, p.line) for p in found.value.log.shown()] == [(code, 3)]


def test_spaces_and_case_are_forgiven(tmp_path: Path) -> None:
    """Trimmed and case-folded cells read as their clean twins, with the same typed values."""
    folder = write_folder(
        tmp_path / "data",
        [community("C1", police_post=" Office ", platform_321="YES", hall=" 有 ")],
        [household(" H1 ", " C1", members=" 4 ", monitored="No", assisted="N", poverty_alleviated="True")],
    )
    clean = write_folder(
        tmp_path / "clean",
        [community("C1", police_post="office", platform_321="yes", hall="有")],
        [household("H1", "C1", members=4, monitored="no", assisted="n", poverty_alleviated="true")],
    )
    messy = load_dataset(folder, tmp_path)
    twin = load_dataset(clean, tmp_path)
    for name in ("communities", "households"):
        assert messy[name].equals(twin[name]), name
    assert messy["households"]["household_id"].to_list() == ["H1"]
    assert messy["communities"]["police_post"].to_list() == ["office"]


def test_unsorted_unique_ids_are_accepted_and_unsorted_duplicates_found(tmp_path: Path) -> None:
    ok = write_folder(tmp_path / "ok", [community()], [household(h) for h in ("H3", "H1", "H2")])
    assert load_dataset(ok, tmp_path)["households"].height == 3
    bad = write_folder(tmp_path / "bad", [community()], [household(h) for h in ("H3", "H1", "H2", "H1")])
    with pytest.raises(ProblemsFound) as found:
        load_dataset(bad, tmp_path)
    assert [(p.code, p.line) for p in found.value.log.shown()] == [("duplicate-id", 5)]


# --- regressions found in review ---------------------------------------------------------------


@pytest.mark.parametrize("town", ["平梁镇", "双乳镇", "双河口镇"])
def test_gbk_whose_first_chinese_is_also_valid_utf8_is_detected(tmp_path: Path, town: str) -> None:
    """Many GBK byte pairs (lead C2-DF, trail 80-BF) are valid UTF-8: the whole block must decide."""
    folder = tmp_path / "data"
    folder.mkdir()
    comms = csv_text("communities", [community("C1", community_name="C1", town=town)])
    (folder / C).write_bytes(comms.encode("gbk"))
    (folder / H).write_bytes(csv_text("households", [household(head_name="郑三")]).encode("gbk"))
    dataset = load_dataset(folder, tmp_path)
    assert dataset["communities"]["town"].to_list() == [town]
    assert {f.encoding for f in dataset.files} == {"gb18030"}


def test_first_chinese_character_cut_at_the_block_end(tmp_path: Path) -> None:
    """The first non-ASCII byte is the last byte of the first block: detection must look on."""
    from houfu_check.io.encoding import BLOCK

    def row(hid: str, name: str) -> str:
        return csv_text("households", [household(hid, head_name=name)]).split("\n", 1)[1]

    text = csv_text("households", [])
    count = 0
    while len(text) + 400 < BLOCK:
        text += row(f"H{count:06d}", "x")
        count += 1
    lead = len("HZ,C1,")
    text += row("HY", "a" * (BLOCK - 1 - len(text) - lead - len(row("HY", ""))))
    data = text.encode("ascii") + row("HZ", "张三").encode("gb18030")
    assert data[: BLOCK - 1].isascii()
    assert data[BLOCK - 1] >= 0x80
    folder = write_folder(tmp_path / "data", [community()], [household()])
    (folder / H).write_bytes(data)
    dataset = load_dataset(folder, tmp_path)
    assert dataset.files[1].encoding == "gb18030"
    assert dataset["households"].height == count + 2


def test_whole_numbers_have_at_most_nine_digits(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    set_cell(H, 3, "members", "1234567890")(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert problem.code == "out-of-range"
    assert "at most 9 digits" in problem.message


def test_leading_zeros_are_judged_alike_in_clean_and_dirty_columns(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    set_cell(H, 2, "dropout_children", "0000000001")(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    assert [p.code for p in found.value.log.shown()] == ["out-of-range"]


def test_header_cell_with_line_breaks(tmp_path: Path) -> None:
    """Excel's Alt+Enter in a header cell: the data still reads, and lines count the breaks."""
    folder = three_households(tmp_path / "data")
    text = (folder / C).read_text(encoding="utf-8")
    text = text.replace("community_name,", 'community_name,"备注\n说明\n(选填)",', 1)
    lines = text.split("\n")
    lines[3] = lines[3].replace("C1社区,", "C1社区,一些说明,", 1)
    (folder / C).write_text("\n".join(lines), encoding="utf-8")
    assert load_dataset(folder, tmp_path)["communities"].height == 1
    set_cell(H, 3, "members", "x")(folder)  # households unaffected
    (folder / C).write_text("\n".join(lines).replace(",5,", ",7,", 1), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    assert [(p.file, p.line, p.code) for p in found.value.log.shown()] == [
        (C, 4, "out-of-range"),
        (H, 3, "not-integer"),
    ]


def test_lone_carriage_return_inside_a_quoted_field_is_not_a_line_end(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    replace_line(H, 2, lambda t: t.replace("张三", '"张\r三"', 1))(folder)
    replace_line(H, 4, lambda t: t + ",extra")(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    assert [(p.code, p.line) for p in found.value.log.shown()] == [("field-count", 4)]


def test_encoding_error_names_the_right_column_and_bytes(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    replace_line(H, 3, lambda t: t.replace("H2,", '"H,2",', 1).replace("张三", "Q\udcffQ"))(folder)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line, problem.column, problem.value) == (
        "encoding-error",
        3,
        "head_name",
        "ff",
    )


def test_forced_utf8_reads_a_bom_and_quoted_headers(tmp_path: Path) -> None:
    folder = three_households(tmp_path / "data")
    text = (folder / C).read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    quoted = ",".join(f'"{h}"' for h in header.split(","))
    (folder / C).write_text("\ufeff" + quoted + "\n" + rest, encoding="utf-8")
    assert load_dataset(folder, tmp_path, encoding="utf-8")["communities"].height == 1


def test_header_only_file_is_rejected(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "data", [community()], [])
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.file, problem.line) == (
        "no-records",
        H,
        None,
    )  # the file has no line 2 to name


@pytest.mark.parametrize(("sep", "shown"), [(";", "';'"), ("\t", "a tab")])
def test_other_separator_gets_one_clear_message(tmp_path: Path, sep: str, shown: str) -> None:
    folder = three_households(tmp_path / "data")
    (folder / H).write_text((folder / H).read_text(encoding="utf-8").replace(",", sep), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.shown()
    assert problem.code == "parse-error"
    assert shown in problem.message


@pytest.mark.parametrize(("content", "plus"), [(b"a,b\nHY-1,3\n", False), (b"a,b\nx,+3\n", True)])
def test_byte_facts_see_any_plus(tmp_path: Path, content: bytes, plus: bool) -> None:
    from houfu_check.io.csv_table import byte_facts

    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert byte_facts(path).has_plus is plus


def test_parallel_transcoding_reads_the_same_and_locates_bad_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large GB18030 files are decoded in parts by worker processes: same rows, same errors."""
    import houfu_check.io.encoding as encoding

    rows = [household(f"H{i:04d}", head_name=f"张{i}") for i in range(400)]
    folder = write_folder(tmp_path / "data", [community()], rows, encoding="gb18030")
    for work in ("w1", "w2", "w3"):
        (tmp_path / work).mkdir()
    whole = load_dataset(folder, tmp_path / "w1")
    monkeypatch.setattr(encoding, "PARALLEL_MIN", 0)
    parts = load_dataset(folder, tmp_path / "w2")
    assert parts["households"].equals(whole["households"])
    assert len(list((tmp_path / "w2").glob("households.part*.utf8.csv"))) == 2
    data = (folder / H).read_bytes().replace("张399".encode("gb18030"), b"\x81\x20399")
    (folder / H).write_bytes(data)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path / "w3")
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line, problem.column) == ("encoding-error", 401, "head_name")
    # the file is GB18030 but for that character: the cell is to be typed again
    assert "cannot be read as GB18030: type this cell again (a damaged or stray character)" in problem.message
    assert "无法按 GB18030 读取:请重新输入这一格(其中有损坏或混入的字符)" in problem.message_in("zh")


def test_parallel_transcoding_without_workers_decodes_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no worker interpreter can start, the file is decoded in this process instead."""
    import houfu_check.io.encoding as encoding

    rows = [household(f"H{i:04d}", head_name=f"张{i}") for i in range(400)]
    folder = write_folder(tmp_path / "data", [community()], rows, encoding="gb18030")
    (tmp_path / "w1").mkdir()
    whole = load_dataset(folder, tmp_path / "w1")
    monkeypatch.setattr(encoding, "PARALLEL_MIN", 0)
    for i, executable in enumerate([str(tmp_path / "no-such-python"), "/bin/true", "/bin/false"]):
        monkeypatch.setattr(encoding.sys, "executable", executable)  # none decodes anything
        (tmp_path / f"w{i + 2}").mkdir()
        again = load_dataset(folder, tmp_path / f"w{i + 2}")
        assert again["households"].equals(whole["households"])


def test_an_interrupt_while_parts_decode_stops_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while the workers decode: the run stops, and no worker is left running."""
    import subprocess

    import houfu_check.io.encoding as encoding

    rows = [household(f"H{i:04d}", head_name=f"张{i}") for i in range(400)]
    folder = write_folder(tmp_path / "data", [community()], rows, encoding="gb18030")
    monkeypatch.setattr(encoding, "PARALLEL_MIN", 0)
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        proc = real(["sleep", "30"])  # a worker that would outlive the run
        started.append(proc)
        return proc

    def interrupted(self: subprocess.Popen[bytes], timeout: float | None = None) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(encoding.subprocess, "Popen", popen)
    monkeypatch.setattr(real, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_dataset(folder, tmp_path)
    monkeypatch.undo()
    assert len(started) == 2
    assert all(proc.wait(timeout=5) != 0 for proc in started)  # killed, not finished


def test_line_breaks_in_a_skipped_column_are_refused_too(tmp_path: Path) -> None:
    """head_name and extra columns are never parsed for clean files; a quoted break in them is
    found all the same (it could hide rows), and named without quoting the cell."""
    rows = [household("H1", head_name="王\n建国"), household("H2"), household("H3", members="x")]
    folder = write_folder(tmp_path / "data", [community()], rows)
    text = (folder / H).read_text(encoding="utf-8")
    (folder / H).write_text(
        text.replace("household_id,", "备注,household_id,", 1).replace("\nH", '\n"a\nb",H'), encoding="utf-8"
    )
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    problems = found.value.log.shown()
    assert [(p.code, p.line, p.column) for p in problems] == [
        ("line-break-in-cell", 2, "备注"),
        ("line-break-in-cell", 5, "备注"),
        ("line-break-in-cell", 7, "备注"),
    ]
    assert all("建国" not in str(p) for p in problems)


def test_yes_no_columns_may_mix_spellings(tmp_path: Path) -> None:
    """The first cell's pair of words is tried first; other spellings still read right."""
    spellings = ["是", "true", "否", "0", "Yes", "N", "有", "无"]
    rows = [household(f"H{i}", monitored=word, assisted=False) for i, word in enumerate(spellings)]
    dataset = load_dataset(write_folder(tmp_path / "data", [community()], rows), tmp_path)
    expected = [word in ("是", "true", "Yes", "有") for word in spellings]
    assert dataset["households"]["monitored"].to_list() == expected


def test_a_stray_quote_never_swallows_rows_into_a_multiline_column(tmp_path: Path) -> None:
    """Where a column may break lines, a line of a cell holding a whole record's commas is
    rows swallowed by a stray quote: refused where it opens, not read as one long name."""
    rows = [community(f"C{i}") for i in range(1, 8)]
    folder = write_folder(tmp_path / "data", rows, [household()])
    path = folder / "communities.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("C2社区", '"C2社区', 1)  # opens on line 3 ...
    lines[6] = lines[6].replace("C6社区", 'C6社区"', 1)  # ... and closes on line 7
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path, contract=_multiline_names(tmp_path))
    (problem,) = found.value.log.shown()
    assert (problem.code, problem.line, problem.column) == ("line-break-in-cell", 3, "community_name")


def test_a_totals_row_with_every_cell_filled_is_a_note_row(tmp_path: Path) -> None:
    """A 合计 row whose cells all hold valid figures is still no household: it is named as a
    note row, not counted (its id is in Chinese; an id so doubted is looked at closely)."""
    folder = three_households(tmp_path / "d")
    path = folder / H
    last = path.read_text(encoding="utf-8").rstrip("\n").split("\n")[-1]
    path.write_text(
        path.read_text(encoding="utf-8") + "合计" + last[last.index(",") :] + "\n", encoding="utf-8"
    )
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    assert [(p.code, p.line) for p in found.value.log.items] == [("note-row", 5)]


def test_a_totals_row_named_in_a_text_column_is_a_note_row(tmp_path: Path) -> None:
    """合计 in a community's name, every other cell valid (its id too): still no community. The
    last rows of every file are looked at, whether or not a column needs stage 2."""
    folder = write_folder(tmp_path / "d", [community("C1"), community("C2")], [household("H1", "C1")])
    path = folder / C
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    name = list(table("communities").names).index("community_name")
    cells = lines[-1].split(",")
    cells[0], cells[name] = "C3", "合计"
    path.write_text("\n".join([*lines, ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    assert [(p.code, p.line) for p in found.value.log.items] == [("note-row", 4)]


@pytest.mark.parametrize("rows", [3, 20000], ids=["small file", "large file"])
def test_a_header_cell_too_long_for_a_name_is_refused(tmp_path: Path, rows: int) -> None:
    """A header cell longer than any cell may be is refused, the same in a small file (whose
    plain header is split quickly) as in a large one, whatever the csv module's limit."""
    folder = write_folder(tmp_path / "d", [community()], [household(f"H{i:05d}") for i in range(rows)])
    path = folder / H
    text = path.read_text(encoding="utf-8")
    end = text.index("\n")
    path.write_text(text[:end] + "," + "x" * 1_001 + text[end:], encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    (problem,) = found.value.log.items
    assert (problem.code, problem.line) == ("too-large", 1)
    assert "1,001" in (problem.message_zh or "")


@pytest.mark.parametrize("rows", [1, 20000], ids=["small file", "large file"])
def test_a_file_the_user_may_not_read_is_named(
    tmp_path: Path, rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A town file without read permission (chmod 000, another user's) ends in exit 2 naming
    it and the reason, in Chinese too — not an internal error."""
    import errno

    from houfu_check.io import csv_table

    folder = write_folder(tmp_path / "d", households=[household(f"H{i:06d}") for i in range(rows)])
    denied = PermissionError(errno.EACCES, "Permission denied")

    def no_read(path: Path, *args: object, **kwargs: object) -> str:
        if Path(path).name == "households.csv":
            raise denied
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    real = csv_table.detect_encoding
    monkeypatch.setattr(csv_table, "detect_encoding", no_read)
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path)
    [problem] = found.value.log.items
    assert (problem.code, problem.file) == ("unreadable-file", "households.csv")
    assert "Permission denied" in problem.message
    assert "没有读取权限" in (problem.message_zh or "")
