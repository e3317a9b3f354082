"""A large file's whole numbers and true/false words are kept as values only when its bytes
prove each was written plainly (io.plain_values): every other way of writing one is read as
text, as written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from builders import community, household, write_folder
from houfu_check.errors import ErrorLog, ProblemsFound
from houfu_check.io import folder as folder_io
from houfu_check.io.byte_facts import byte_facts, prefetch, prefetched, stop_prefetch
from houfu_check.io.coded import is_typed
from houfu_check.io.folder import read_folder
from houfu_check.io.plain_values import NUMBER, typed_dtypes, written_plainly
from houfu_check.rules import default_contract
from houfu_check.validate import load_dataset


def _proved(
    tmp_path: Path, data: bytes, parts: list[bytes] | None = None, dtype: pl.DataType = NUMBER
) -> bool:
    """Whether ``data`` (a file with a text column ``id`` and a typed column ``n``, numbers
    unless ``dtype`` says) proves its values plain, parsed as the reader parses it: from
    itself, or from ``parts``."""
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    sources = [path]
    if parts is not None:
        sources = []
        for i, part in enumerate(parts):
            sources.append(tmp_path / f"f.part{i}.csv")
            sources[-1].write_bytes(part)
    try:
        frame = pl.read_csv(
            sources,
            new_columns=["id", "n"],
            infer_schema=False,
            schema_overrides={"n": dtype},
            empty_string_is_null=False,
        )
    except pl.exceptions.PolarsError:
        return False  # not read as numbers at all
    return written_plainly(frame, sources, byte_facts(path)) is not None


@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (b"id,n\nA,3\nB,12\n", True),
        (b"id,n\r\nA,3\r\nB,12\r\n", True),  # Windows line ends
        (b"id,n\nA,3\nB,12", True),  # no line end after the last record
        (b"\xef\xbb\xbfid,n\nA,3\nB,12\n", True),  # a byte-order mark
        (b"id,n\nA,3\n\nB,12\n", True),  # an empty line between records: a record of empty cells
        (b"id,n\nA,\nB,12\n", True),  # an empty cell
        (b"id,n\nA,-5\nB,0\n", True),  # a negative number, written plainly (a range problem later)
        (b"id,n\nA,1000000000\n", True),  # ten digits, written plainly (too long later)
        ("id,n\n城关,3\n".encode(), True),
        (b"id,n\nA\rX,3\n", True),  # a carriage return inside a text cell
        (b"id,n\nA,+3\nB,12\n", False),
        (b"id,n\nA, 3\nB,12\n", False),
        (b"id,n\nA,03\nB,12\n", False),
        (b"id,n\nA,00\nB,12\n", False),
        (b"id,n\nA,-0\nB,12\n", False),
        (b"id,n\nA,0000000001\n", False),
        (b"id,n\r\nA\rX,+3\r\n", False),  # the carriage return in a cell makes up for nothing
        (b"id,n\nA\rX,+3\n", False),
        (b'id,n\n"A",3\n', False),  # quotes: a cell's bytes are not its text's
    ],
)
def test_the_bytes_prove_each_number_plain_or_not(tmp_path: Path, data: bytes, plain: bool) -> None:
    assert _proved(tmp_path, data) is plain


@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (b"id,n\nA,true\nB,false\n", True),
        (b"id,n\nA,TRUE\nB,False\nC,\n", True),  # any case: the tool reads each alike
        (b"id,n\nA,true\nB,false", True),
        (b"id,n\nA\rX,true\n", True),
        (b'id,n\nA,"true"\n', False),
    ],
)
def test_the_bytes_prove_each_yes_no_plain_or_not(tmp_path: Path, data: bytes, plain: bool) -> None:
    assert _proved(tmp_path, data, dtype=pl.Boolean()) is plain


def test_a_number_written_otherwise_is_found_beside_yes_no_values(tmp_path: Path) -> None:
    """Two typed columns: the count is of every cell, whatever its column."""
    path = tmp_path / "f.csv"
    for data, plain in ((b"id,b,n\nA,false,3\n", True), (b"id,b,n\nA,false,+3\n", False)):
        path.write_bytes(data)
        frame = pl.read_csv(path, schema_overrides={"b": pl.Boolean, "n": pl.Int64})
        assert (written_plainly(frame, [path], byte_facts(path)) is not None) is plain


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (b"id,n,b\nA,3,true\nB,,FALSE\n", {"n": pl.Int64, "b": pl.Boolean}),
        ("id,n,b\nA,3,是\n".encode(), {"n": pl.Int64}),  # 是/否: kept coded
        ("id,n,b\nA,3人,true\n".encode(), {"b": pl.Boolean}),
        ("id,n,b\nA,3人,是\n".encode(), None),
        (b"id,n,b\nA,3,true\nB,4,tr", {"n": pl.Int64, "b": pl.Boolean}),  # the block's last whole line
        (b"id,n,b", None),  # no whole line
    ],
)
def test_the_first_block_tells_which_columns_to_read_as_values(
    block: bytes, expected: dict[str, type[pl.DataType]] | None
) -> None:
    """A file whose first lines write a column otherwise (是/否, 3人) is not parsed for values in
    vain: that column is read coded from the start."""
    found = typed_dtypes(block, ["id", "n", "b"], {"n": "number", "b": "boolean"}, {"b": pl.String()})
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert {name: type(dtype) for name, dtype in found.items() if name in expected} == expected
        assert ("b" in expected) or found["b"] == pl.String  # the coded one as it was


def test_only_a_yes_no_column_of_true_and_false_is_read_as_values() -> None:
    spec = default_contract().table("households").column("monitored")
    assert folder_io._typed(spec, ("",)) == "boolean"
    only_chinese = dataclasses.replace(spec, true_words=("是",), false_words=("否",))
    assert folder_io._typed(only_chinese, ("",)) == ""  # "true" would be no word of it
    assert folder_io._typed(spec, ("", "FALSE")) == ""  # a missing value: an empty cell
    assert folder_io._typed(default_contract().table("households").column("members"), ("",)) == "number"


def test_a_file_read_in_parts_is_counted_without_their_stand_in_header_lines(tmp_path: Path) -> None:
    """A GB18030 file is decoded into UTF-8 parts, each after the first under a stand-in
    header line of the same width: the count is the original file's records."""
    data = "id,n\n城关,3\nB,12\n".encode("gb18030")
    parts = ["id,n\n城关,3\n".encode(), b"x,x\nB,12\n"]
    # the facts are the original's (its separators and carriage returns): the parts' sizes
    # stand for its text in UTF-8
    assert _proved(tmp_path, data, parts)
    parts = ["id,n\n城关,3\n".encode(), b"x,x\nB,012\n"]
    assert not _proved(tmp_path, data, parts)


LARGE = 20_000  # households: a file over 1 MiB


@pytest.mark.parametrize("ends", ["\n", "\r\n"])
def test_a_large_file_written_plainly_keeps_its_counts_as_numbers(tmp_path: Path, ends: str) -> None:
    folder = write_folder(tmp_path / "d", [community("C1")], [household(f"H{i:06d}") for i in range(LARGE)])
    path = folder / "households.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", ends.encode()))
    raw = read_folder(folder, tmp_path, ErrorLog(), default_contract())["households"][0]
    assert raw.header[3] == "members"
    assert is_typed(raw.frame, "3")
    assert "2" not in raw.frame.columns  # the names were counted, then left
    assert load_dataset(folder, tmp_path).tables["households"]["members"].to_list() == [4] * LARGE


def test_a_large_gb18030_file_written_plainly_keeps_its_counts_as_numbers(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", [community("C1")], [household(f"H{i:06d}") for i in range(LARGE)])
    path = folder / "households.csv"
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("gb18030"))
    raw = read_folder(folder, tmp_path, ErrorLog(), default_contract())["households"][0]
    assert raw.encoding == "gb18030"
    assert is_typed(raw.frame, "3")


def test_the_helper_counts_carriage_returns_as_the_reader_would(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", [community("C1")], [household(f"H{i:06d}") for i in range(LARGE)])
    path = folder / "households.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    try:
        prefetch(folder)
        assert prefetched(path) == byte_facts(path)
        assert byte_facts(path).returns == LARGE + 1
    finally:
        stop_prefetch()


def test_a_yes_no_written_otherwise_after_the_first_block_is_read_as_text(tmp_path: Path) -> None:
    """The first block says true/false; a 是 far below fails the parse for values, and the file
    is read as text: every value right, as a small file's."""
    rows = [household(f"H{i:06d}", monitored=i % 3 == 0) for i in range(LARGE)]
    rows.append(household("H9", monitored="是"))
    folder = write_folder(tmp_path / "d", [community("C1")], rows)
    raw = read_folder(folder, tmp_path, ErrorLog(), default_contract())["households"][0]
    assert not is_typed(raw.frame, raw.frame.columns[-2])
    monitored = load_dataset(folder, tmp_path).tables["households"]["monitored"]
    assert monitored.to_list() == [i % 3 == 0 for i in range(LARGE)] + [True]


def test_yes_no_values_in_any_case_read_as_in_a_small_file(tmp_path: Path) -> None:
    rows = [household(f"H{i:06d}", monitored=("TRUE", "False", "tRUE")[i % 3]) for i in range(LARGE)]
    folder = write_folder(tmp_path / "d", [community("C1")], rows)
    raw = read_folder(folder, tmp_path, ErrorLog(), default_contract())["households"][0]
    assert raw.frame.schema[raw.frame.columns[-2]] == pl.Boolean
    monitored = load_dataset(folder, tmp_path).tables["households"]["monitored"]
    assert monitored.to_list() == [i % 3 != 1 for i in range(LARGE)]


def _outcome(folder: Path, tmp_path: Path) -> tuple[str, list[tuple[object, ...]]]:
    """What validation makes of a folder: its problems (or warnings) as users see them."""
    try:
        dataset = load_dataset(folder, tmp_path)
    except ProblemsFound as found:
        said = found.log.items
    else:
        return "read", [(p.code, p.line, p.column, p.value, p.note) for p in dataset.warnings]
    # the households' own problems (a community's tally of them differs with their number)
    return "refused", [
        (p.code, p.line, p.column, p.value, p.note) for p in said if p.file == "households.csv"
    ]


@pytest.mark.parametrize(
    "odd",
    [
        {"members": -5},
        {"members": 1000000000},
        {"members": ""},
        {"monitored": ""},
        {"monitored": "maybe"},
        {"monitored": "是"},
        {"members": "04"},
    ],
    ids=lambda odd: repr(odd),
)
@pytest.mark.parametrize("where", [3, LARGE - 3], ids=["in the first block", "far below it"])
def test_a_large_file_says_what_a_small_one_says(tmp_path: Path, odd: dict[str, object], where: int) -> None:
    """The same cell, in a small file and in a large one (read as values, or as text once the
    count fails): the same problems, on the same line, with the same value shown."""

    def rows(count: int, at: int) -> list[dict[str, object]]:
        return [household(f"H{i:06d}", **(odd if i == at else {})) for i in range(count)]

    small = write_folder(tmp_path / "s", [community("C1")], rows(10, 3))
    large = write_folder(tmp_path / "l", [community("C1")], rows(LARGE, where))
    said_small, said_large = _outcome(small, tmp_path), _outcome(large, tmp_path)
    line = where + 2  # the header, then line 2 for row 0
    assert said_large[0] == said_small[0]
    assert [p[0] for p in said_large[1]] == [p[0] for p in said_small[1]]
    assert [p[2:] for p in said_large[1]] == [p[2:] for p in said_small[1]]
    assert all(p[1] == line for p in said_large[1])


def test_empty_lines_and_a_totals_row_in_a_large_file_are_said_as_in_a_small_one(tmp_path: Path) -> None:
    for name, count in (("s", 10), ("l", LARGE)):
        folder = write_folder(
            tmp_path / name, [community("C1")], [household(f"H{i:06d}") for i in range(count)]
        )
        path = folder / "households.csv"
        lines = path.read_bytes().split(b"\n")
        lines.insert(4, b",,,,,,,,,,,,,,,,,")  # an empty row between records
        lines.insert(6, b"")  # an empty line
        path.write_bytes(b"\n".join(lines[:-1]) + "\n合计,,,,40,,,,,,,,,,,,,\n".encode())
        said = _outcome(folder, tmp_path)
        assert said[0] == "refused"
        assert [(p[0], p[1]) for p in said[1]] == [("note-row", len(lines))]  # after the last record
        assert not any("张三" in str(p) for p in said[1])


@pytest.mark.parametrize(("name", "code"), [("李四", "empty-cell"), ("合计", "note-row")])
def test_a_row_empty_but_for_a_name_is_said_as_in_a_small_file(tmp_path: Path, name: str, code: str) -> None:
    """A name read only to count its bytes still tells that its row is no empty row: each of
    its empty cells is named (or the row, a totals row), as in a small file, and the name
    never shown."""
    said = []
    for folder_name, count in (("s", 10), ("l", LARGE)):
        rows = [household(f"H{i:06d}") for i in range(count)]
        empty = {key: "" for key in rows[0]} | {"head_name": name}
        folder = write_folder(tmp_path / folder_name, [community("C1")], [*rows, empty])
        said.append(_outcome(folder, tmp_path))
        assert not any("李四" in str(p) for p in said[-1][1])
    assert said[1][0] == said[0][0] == "refused"
    assert [(p[0], *p[2:]) for p in said[1][1]] == [(p[0], *p[2:]) for p in said[0][1]]
    assert {p[1] for p in said[1][1]} == {LARGE + 2}  # its own line: the last
    assert {p[0] for p in said[0][1]} == {code}
