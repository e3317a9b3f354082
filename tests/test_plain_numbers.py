"""A large file's whole numbers are kept as numbers only when its bytes prove each was written
plainly (io.plain_numbers): every other way of writing one is read as text, as written."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from builders import community, household, write_folder
from houfu_check.errors import ErrorLog
from houfu_check.io.byte_facts import byte_facts, prefetch, prefetched, stop_prefetch
from houfu_check.io.coded import is_number
from houfu_check.io.folder import read_folder
from houfu_check.io.plain_numbers import written_plainly
from houfu_check.rules import default_contract
from houfu_check.validate import load_dataset


def _proved(tmp_path: Path, data: bytes, parts: list[bytes] | None = None) -> bool:
    """Whether ``data`` (a file with a text column ``id`` and a number column ``n``) proves
    its numbers plain, parsed as the reader parses it: from itself, or from ``parts``."""
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
            schema_overrides={"n": pl.Int64},
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
    assert is_number(raw.frame, "3")
    assert "2" not in raw.frame.columns  # the names were counted, then left
    assert load_dataset(folder, tmp_path).tables["households"]["members"].to_list() == [4] * LARGE


def test_a_large_gb18030_file_written_plainly_keeps_its_counts_as_numbers(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "d", [community("C1")], [household(f"H{i:06d}") for i in range(LARGE)])
    path = folder / "households.csv"
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("gb18030"))
    raw = read_folder(folder, tmp_path, ErrorLog(), default_contract())["households"][0]
    assert raw.encoding == "gb18030"
    assert is_number(raw.frame, "3")


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
