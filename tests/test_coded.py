"""Typed columns are read coded (a dictionary of their texts, a code per row): the same
verdicts and messages as plain text, every cell's text kept exactly."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from builders import community, household, table_rows, write_folder, write_workbook
from houfu_check.errors import ErrorLog, ProblemsFound
from houfu_check.io import coded as coded_io
from houfu_check.io.coded import as_text, coded, is_coded, is_typed, per_values
from houfu_check.io.folder import read_folder
from houfu_check.rules import default_contract
from houfu_check.validate import load_dataset


def per_value(column: pl.Series, expr: pl.Expr) -> pl.Expr:
    """:func:`per_values` for one column."""
    return per_values(pl.DataFrame([column]), {column.name: expr})[column.name]


def _column(values: list[str | None]) -> pl.Series:
    return pl.Series("m", values, dtype=coded("m"))


def test_a_cell_test_runs_once_per_text_and_reaches_every_row() -> None:
    s = _column(["1", "2", None, "x", "1"])  # None: how the reader stores an empty cell
    frame = pl.DataFrame([s])
    number = frame.select(per_value(s, pl.col("m").cast(pl.Int64, strict=False))).to_series()
    assert number.to_list() == [1, 2, None, None, 1]
    empty = frame.select(per_value(s, pl.col("m") == "")).to_series()
    assert empty.to_list() == [False, False, True, False, False]  # the empty cell is "", not unknown
    flag = pl.when(pl.col("m") == "1").then(True).when(pl.col("m") == "2").then(False)
    assert frame.select(per_value(s, flag)).to_series().to_list() == [True, False, None, None, True]
    assert frame.select(
        coded_io.test(frame, "m", lambda c: c.str.len_bytes() == 0)
    ).to_series().to_list() == [
        False,
        False,
        True,
        False,
        False,
    ]
    assert as_text(frame)["m"].to_list() == ["1", "2", "", "x", "1"]


def test_a_column_smaller_than_its_dictionary_is_looked_at_through_its_own_texts() -> None:
    """A town's file read after files with many distinct values: its own few texts are looked
    at, not the whole dictionary (the cost follows the file, not files × dictionary)."""
    pl.Series("q", [str(i) for i in range(5000)], dtype=coded("q"))  # fills q's dictionary
    s = pl.Series("q", ["7", None, "x", "7"], dtype=coded("q"))
    frame = pl.DataFrame([s])
    assert frame.select(per_value(s, pl.col("q").cast(pl.Int64, strict=False))).to_series().to_list() == [
        7,
        None,
        None,
        7,
    ]
    assert frame.select(coded_io.test(frame, "q", lambda c: c == "")).to_series().to_list() == [
        False,
        True,
        False,
        False,
    ]
    assert sorted(coded_io.texts_of(s).to_list()) == ["", "7", "x"]


def test_a_plain_column_is_tested_as_it_is() -> None:
    frame = pl.DataFrame({"t": ["a", "", "b"]})
    assert not is_coded(frame, "t")
    assert frame.select(coded_io.test(frame, "t", lambda c: c == "")).to_series().to_list() == [
        False,
        True,
        False,
    ]


def test_the_typed_columns_of_a_large_csv_file_are_read_coded(tmp_path: Path) -> None:
    """A large file's typed columns are coded (memory); a town's small file stays plain text
    (its own checks then cost what its rows cost) and is coded with its table, if at all."""
    rows = [household(f"H{i:06d}") for i in range(1, 20001)]  # over 1 MiB
    small = read_folder(write_folder(tmp_path / "s"), tmp_path, ErrorLog(), default_contract())
    assert not any(is_coded(small["households"][0].frame, c) for c in small["households"][0].frame.columns)
    raw = read_folder(write_folder(tmp_path / "d", households=rows), tmp_path, ErrorLog(), default_contract())
    assert (tmp_path / "d" / "households.csv").stat().st_size > 1 << 20
    frame = raw["households"][0].frame
    header = raw["households"][0].header
    kinds = {header[int(c)]: is_coded(frame, c) for c in frame.columns}
    assert header[3] == "members"
    assert is_typed(frame, "3")  # a count written plainly: a number
    assert frame.schema[frame.columns[-2]] == pl.Boolean  # a yes/no written true/false: a value
    chinese = [household(f"H{i:06d}", monitored="是" if i % 2 else "否") for i in range(1, 20001)]
    raw = read_folder(
        write_folder(tmp_path / "c", households=chinese), tmp_path, ErrorLog(), default_contract()
    )
    frame = raw["households"][0].frame
    assert is_typed(frame, "3")
    assert is_coded(frame, frame.columns[-2])  # 是/否: a yes/no kept coded (its first block tells)
    assert as_text(frame)[frame.columns[-2]].head(2).to_list() == ["是", "否"]
    assert not kinds["household_id"]  # keys stay plain text
    assert not kinds["community_id"]
    assert "head_name" not in kinds  # a personal column is not kept (read only to count its bytes)
    given = [household("H0", members="04"), *rows]  # a count written otherwise: text, coded
    raw = read_folder(
        write_folder(tmp_path / "e", households=given), tmp_path, ErrorLog(), default_contract()
    )
    frame = raw["households"][0].frame
    assert is_coded(frame, "3")
    assert as_text(frame)["3"][0] == "04"
    assert "2" not in frame.columns  # head_name


def _problem(folder: Path, tmp_path: Path, **kwargs: object) -> list[tuple[str, int | None, str | None]]:
    with pytest.raises(ProblemsFound) as found:
        load_dataset(folder, tmp_path, **kwargs)  # type: ignore[arg-type]
    return [(p.code, p.line, p.column) for p in found.value.log.items]


#: a file of these rows is over 1 MiB: its typed columns are read coded
LARGE = 20_000
SIZES = pytest.mark.parametrize("rows", [0, LARGE], ids=["small file (text)", "large file (coded)"])


def _households(rows: int, *first: dict[str, object]) -> list[dict[str, object]]:
    """``first`` on lines 2, 3, …, then ``rows`` clean households."""
    return [*first, *(household(f"HX{i:06d}") for i in range(rows))]


@SIZES
def test_an_empty_cell_of_a_coded_column_is_named(tmp_path: Path, rows: int) -> None:
    folder = write_folder(
        tmp_path / "d", households=_households(rows, household("H1"), household("H2", members=""))
    )
    assert _problem(folder, tmp_path) == [("empty-cell", 3, "members")]


@SIZES
def test_missing_values_of_the_contract_read_as_empty_in_a_coded_column(tmp_path: Path, rows: int) -> None:
    contract = dataclasses.replace(default_contract(), missing_values=("", "无"))
    given = _households(rows, household("H1", members=" 无 "), household("H2"))
    assert _problem(write_folder(tmp_path / "d", households=given), tmp_path, contract=contract) == [
        ("empty-cell", 2, "members")
    ]
    clean = write_folder(
        tmp_path / "e", households=_households(rows, household("H1"), household("H2", members="无"))
    )
    assert _problem(clean, tmp_path) == [("not-integer", 3, "members")]  # without it: a word


@SIZES
def test_a_quoted_comma_in_a_coded_cell_is_one_cell(tmp_path: Path, rows: int) -> None:
    """The separators inside quoted cells are counted by value, times the rows that hold it."""
    first = [household(f"H{i}", members="4,5") for i in (1, 2, 3)]
    folder = write_folder(tmp_path / "d", households=_households(rows, *first))
    assert _problem(folder, tmp_path) == [("not-integer", n, "members") for n in (2, 3, 4)]


@SIZES
def test_a_line_break_in_a_coded_cell_is_refused_where_it_starts(tmp_path: Path, rows: int) -> None:
    given = _households(rows, household("H1"), household("H2", members="4\n5"), household("H3", members="x"))
    assert _problem(write_folder(tmp_path / "d", households=given), tmp_path) == [
        ("line-break-in-cell", 3, "members")
    ]
    with pytest.raises(ProblemsFound) as found:
        load_dataset(tmp_path / "d", tmp_path)
    said = found.value.log.items[0].message_zh or ""
    assert said.startswith("带引号的单元格从这里起跨了 2 行")  # not a bare "2"


@SIZES
def test_lines_after_a_quoted_break_in_a_text_column_count_it(tmp_path: Path, rows: int) -> None:
    """A line break in a multiline text column moves the lines of the rows after it; the count
    of breaks runs over coded columns too (once per text)."""
    contract = default_contract()
    households = contract.table("households")
    columns = tuple(
        dataclasses.replace(c, multiline=True) if c.name == "household_id" else c for c in households.columns
    )
    tables = tuple(
        dataclasses.replace(t, columns=columns) if t.name == "households" else t for t in contract.tables
    )
    contract = dataclasses.replace(contract, tables=tables)
    given = _households(rows, household("H1\nA"), household("H2", members="x"))
    problems = _problem(write_folder(tmp_path / "d", households=given), tmp_path, contract=contract)
    assert ("not-integer", 4, "members") in problems  # H2 starts on line 4: H1's cell took two


def test_a_workbook_town_beside_csv_towns_is_one_table(tmp_path: Path) -> None:
    """A workbook's cells are read as plain text and coded when the towns are put together."""
    data = tmp_path / "d"
    write_folder(data / "城关镇", [community("C1")], [household("H1", "C1")])
    town = data / "涧池镇"
    write_workbook(town / "communities.xlsx", {"Sheet1": table_rows("communities", [community("C2")])})
    rows = table_rows("households", [household("H2", "C2", members=5, family_doctor_signed_members=5)])
    write_workbook(town / "households.xlsx", {"Sheet1": rows})
    dataset = load_dataset(data, tmp_path)
    assert dataset.tables["households"]["members"].to_list() == [4, 5]


def test_a_coded_column_of_many_distinct_texts_is_made_plain() -> None:
    """An amount with a value a row gains nothing from a dictionary: it is read back as text
    (its empty cells as ""), while a column of few texts stays coded."""
    many = pl.Series("amount", [f"{i}.5" for i in range(1000)] + [None], dtype=coded("amount"))
    few = pl.Series("flag", ["true", "false"] * 500 + [None], dtype=coded("flag"))
    frame = coded_io.plain_if_crowded(pl.DataFrame([many, few]))
    assert frame.schema["amount"] == pl.String
    assert frame["amount"][-1] == ""
    assert is_coded(frame, "flag")


@pytest.mark.parametrize("column", ["members", "poverty_alleviated"])
def test_an_empty_cell_of_a_large_town_beside_a_small_one_is_named(tmp_path: Path, column: str) -> None:
    """A large town's file is coded, a small town's is not: the table is made plain, and the
    large town's empty cells (null while coded) are still empty cells, named where they are."""
    data = tmp_path / "d"
    large = _households(LARGE, household("H1", "C1"), household("H2", "C1", **{column: ""}))
    write_folder(data / "城关镇", [community("C1")], large)
    write_folder(data / "涧池镇", [community("C2")], [household("H9", "C2")])
    assert (data / "城关镇" / "households.csv").stat().st_size > 1 << 20
    assert _problem(data, tmp_path) == [("empty-cell", 3, column)]


def test_a_large_file_is_read_against_its_columns_usual_texts_first(tmp_path: Path) -> None:
    """Clean yes/no words parse against a fixed list (a fast parse), and counts written
    plainly as numbers, 1000 too; a word beyond its list (" true", right once trimmed) has the
    file read again with open dictionaries, counts among them, and reads right."""
    contract = default_contract()
    wide = [
        {**row, "monitored": "是" if row["monitored"] else "否"}  # not true/false: read coded
        for row in _households(LARGE, household("H1", members=1000, family_doctor_signed_members=1000))
    ]
    usual = read_folder(write_folder(tmp_path / "a", households=wide), tmp_path, ErrorLog(), contract)
    frame = usual["households"][0].frame
    assert {type(frame.schema[c]) for c in frame.columns if is_coded(frame, c)} == {pl.Enum}
    assert is_typed(frame, "3")
    assert load_dataset(tmp_path / "a", tmp_path).tables["households"]["members"][0] == 1000
    spaced = _households(
        LARGE, household("H1", members=1000, family_doctor_signed_members=1000, monitored=" true")
    )
    other = read_folder(write_folder(tmp_path / "b", households=spaced), tmp_path, ErrorLog(), contract)
    frame = other["households"][0].frame
    assert {type(frame.schema[c]) for c in frame.columns if is_coded(frame, c)} == {pl.Categorical}
    assert is_coded(frame, "3")
    dataset = load_dataset(tmp_path / "b", tmp_path)
    assert dataset.tables["households"]["members"][0] == 1000
    assert dataset.tables["households"]["monitored"][0] is True


@SIZES
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("007", []),  # leading zeros: read as 7, as before
        ("00", [("out-of-range", 2, "members")]),  # zero: a household has a member
        ("-0", [("negative-integer", 2, "members")]),
        ("+3", [("not-integer", 2, "members")]),
        (" 3", []),  # trimmed
        ("3.0", [("not-integer", 2, "members")]),
        ("1000", []),
        ("0000000004", [("out-of-range", 2, "members")]),  # ten digits
    ],
)
def test_a_count_beyond_the_usual_texts_reads_as_in_a_small_file(
    tmp_path: Path, rows: int, cell: str, expected: list[tuple[str, int, str]]
) -> None:
    """Cells a fixed list does not hold (leading zeros, signs, spaces) fail its parse and are
    read as written: the same problems as a small file's, on the same line."""
    given = _households(rows, household("H1", members=cell, family_doctor_signed_members=0), household("H2"))
    folder = write_folder(tmp_path / "d", households=given)
    if expected:
        assert _problem(folder, tmp_path) == expected
    else:
        dataset = load_dataset(folder, tmp_path)
        assert dataset.tables["households"]["members"][0] == int(cell)


@SIZES
def test_a_yes_no_word_in_another_case_reads_as_in_a_small_file(tmp_path: Path, rows: int) -> None:
    given = _households(rows, household("H1", monitored="tRUE"), household("H2", monitored="否"))
    dataset = load_dataset(write_folder(tmp_path / "d", households=given), tmp_path)
    assert dataset.tables["households"]["monitored"].head(2).to_list() == [True, False]


@SIZES
def test_a_missing_value_word_as_written_reads_as_empty(tmp_path: Path, rows: int) -> None:
    """The contract's missing values are among a fixed list's texts: "无" is an empty cell."""
    contract = dataclasses.replace(default_contract(), missing_values=("", "无"))
    given = _households(rows, household("H1"), household("H2", members="无"))
    folder = write_folder(tmp_path / "d", households=given)
    assert _problem(folder, tmp_path, contract=contract) == [("empty-cell", 3, "members")]


def test_large_towns_read_against_a_fixed_list_and_an_open_dictionary_are_one_table(tmp_path: Path) -> None:
    """One large town's counts and yes/no words are plain values; another's yes/no words do
    not fit their fixed list (" true") and its counts are written otherwise ("04"):
    that town is read with open dictionaries. The table is put together from both, every
    value where it was."""
    data = tmp_path / "d"
    usual = [household(f"HA{i:06d}", "C1") for i in range(LARGE)]
    write_folder(data / "城关镇", [community("C1")], usual)
    wide = household("H2", "C2", members=1000, family_doctor_signed_members=1000, monitored=" true")
    odd = household("H3", "C2", members="04")
    later = (household(f"HB{i:06d}", "C2") for i in range(LARGE))
    write_folder(data / "涧池镇", [community("C2")], [wide, odd, *later])
    raw = read_folder(data, tmp_path, ErrorLog(), default_contract())
    members = {type(t.frame.schema["3"]) for t in raw["households"]}
    assert members == {pl.Int64, pl.Categorical}
    monitored = {type(t.frame.schema[t.frame.columns[-2]]) for t in raw["households"]}
    assert monitored == {pl.Boolean, pl.Categorical}
    households = load_dataset(data, tmp_path).tables["households"]
    assert households["members"][0] == 4
    assert households["members"][LARGE] == 1000
    assert households["members"][LARGE + 1] == 4
    assert households["monitored"][LARGE] is True


@SIZES
@pytest.mark.parametrize(
    ("cid", "expected"),
    [
        ("C1", None),
        (" C1 ", None),  # trimmed: the key it names
        ("C1\u200b", "invisible-character"),
        ("Ｃ1", "lookalike-character"),
        ("C9", "unknown-reference"),
        ("", "empty-cell"),
    ],
)
def test_a_reference_to_plain_keys_is_checked_as_closely_as_any_key(
    tmp_path: Path, rows: int, cid: str, expected: str | None
) -> None:
    """A household's community found among the communities' plain keys is plain itself (no
    pattern runs over it); any other is looked at exactly, as every key is."""
    given = [household(f"HX{i:06d}", "C1") for i in range(rows)]
    folder = write_folder(tmp_path / "d", [community("C1")], [*given, household("H1", cid)])
    if expected is None:
        assert load_dataset(folder, tmp_path).tables["households"]["community_id"][-1] == "C1"
    else:
        assert [code for code, _, _ in _problem(folder, tmp_path)][:1] == [expected]


def test_a_reference_to_keys_beyond_ascii_is_checked_exactly(tmp_path: Path) -> None:
    """Keys in Chinese are not plain ASCII: their references are looked at exactly."""
    folder = write_folder(
        tmp_path / "d",
        [community("城关C1"), community("城关C2")],
        [household("H1", "城关C1"), household("H2", "城关C2\u200b")],
    )
    assert [code for code, _, _ in _problem(folder, tmp_path)] == ["invisible-character", "unknown-reference"]


@SIZES
def test_a_repeated_missing_value_word_is_one_text_of_the_list(tmp_path: Path, rows: int) -> None:
    """A contract that names a missing value twice reads a large file as a small one."""
    contract = dataclasses.replace(default_contract(), missing_values=("", "/", "/"))
    given = _households(rows, household("H1", members="/"), household("H2"))
    folder = write_folder(tmp_path / "d", households=given)
    assert _problem(folder, tmp_path, contract=contract) == [("empty-cell", 2, "members")]


def test_a_reference_with_a_fixed_list_of_values_is_checked_as_before(tmp_path: Path) -> None:
    """A foreign key that is a choice (its keys listed in the contract) is no text key: its
    cells are checked as a choice, and the reference as ever."""
    contract = default_contract()
    households = contract.table("households")
    columns = tuple(
        dataclasses.replace(c, kind="choice", choices={"c1": "C1", "c2": "C2"}, values=("C1", "C2"))
        if c.name == "community_id"
        else c
        for c in households.columns
    )
    tables = tuple(
        dataclasses.replace(t, columns=columns) if t.name == "households" else t for t in contract.tables
    )
    contract = dataclasses.replace(contract, tables=tables)
    folder = write_folder(
        tmp_path / "d", [community("C1"), community("C2")], [household("H1", "C1"), household("H2", "C2")]
    )
    dataset = load_dataset(folder, tmp_path, contract=contract)
    assert dataset.tables["households"]["community_id"].to_list() == ["C1", "C2"]
