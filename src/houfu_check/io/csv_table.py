"""Read one CSV file as text: every cell a string, every record mapped to its physical line.

Nothing is typed here (that is validation's job), and nothing is changed on disk. A file
that is not UTF-8 is transcoded, streaming, into a temporary UTF-8 copy that the caller's
``workdir`` owns and removes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import polars as pl

from houfu_check.errors import (
    BadQuote,
    DataError,
    EmptyFile,
    EncodingProblem,
    ErrorLog,
    MultilineCell,
    NoRecords,
    ParseFailure,
    ProblemsFound,
    TooLarge,
)
from houfu_check.io.encoding import detect_encoding, find_decode_error, transcode_parts, with_bom
from houfu_check.io.scan import scan_structure
from houfu_check.io.table import RawTable
from houfu_check.limits import MAX_COLUMNS, MAX_HEADER_BYTES


@dataclass(frozen=True)
class ByteFacts:
    """What one pass over a file's bytes tells: its hash, its separators, whether it quotes.

    Commas and quotes are counted on the original bytes: in UTF-8 and GB18030 no byte of a
    multi-byte character is an ASCII comma or quote, so the counts hold for the text too.
    """

    sha256: str
    commas: int
    has_quotes: bool
    has_plus: bool  # a "+" somewhere in the file


def byte_facts(path: Path) -> ByteFacts:
    """Hash and count ``path`` in blocks (run beside the parser: hashing releases the GIL)."""
    digest = hashlib.sha256()
    commas, quotes, plus = 0, False, False
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
            commas += block.count(b",")
            quotes = quotes or b'"' in block
            plus = plus or b"+" in block
    return ByteFacts(digest.hexdigest(), commas, quotes, plus)


def read_csv_table(
    path: Path,
    display: str,
    workdir: Path,
    encoding: str | None = None,
    unit: str = "record",
    keep: Callable[[str], bool] | None = None,
    multiline: Callable[[str], bool] = lambda header: False,
) -> RawTable:
    """Read ``path`` as a text table, or raise :class:`ProblemsFound` saying why it can't be."""
    if path.stat().st_size == 0:
        _fail(EmptyFile(file=display))
    codec = with_bom(path, encoding) if encoding else detect_encoding(path, display)
    header, header_lines = _read_header(path, codec, display)
    # Columns nobody reads (personal or extra ones) are never parsed: less time, less memory,
    # and personal data never enters the tool's memory at all.
    columns = [i for i, cell in enumerate(header) if keep is None or keep(cell)]
    names = [str(i) for i in range(len(header))]  # every column, by position; polars needs all
    small = path.stat().st_size < SMALL_FILE
    with ThreadPoolExecutor(max_workers=1) as pool:
        # beside transcoding and parsing; a small file's facts at once (a thread costs more)
        facts_job = _Done(byte_facts(path)) if small else pool.submit(byte_facts, path)
        sources = [path]
        if codec not in ("utf-8", "utf-8-sig"):
            parts = transcode_parts(path, codec, workdir, display, header)
            if isinstance(parts, EncodingProblem):
                _fail(parts)
            sources = parts
        frame = _parse(sources, columns, names, path, codec, display, header)
        facts = facts_job.result()
        if facts.has_quotes and frame.width < len(header):
            # Quoted fields may span lines or hold separators in the skipped columns too; line
            # numbers and the separator proof need every column, so read them all.
            frame = _parse(sources, list(range(len(header))), names, path, codec, display, header)
        blank = _blank_rows(frame)
        if blank is not None and frame.width < len(header):
            # a row empty in the columns read may hold a name: only every column can tell
            frame = _parse(sources, list(range(len(header))), names, path, codec, display, header)
            blank = _blank_rows(frame)
    table = RawTable(
        display=display,
        path=path,
        encoding=codec,
        sha256=facts.sha256,
        header=[h.strip() for h in header],
        frame=frame,
        has_quotes=facts.has_quotes,
        header_lines=header_lines,
        has_plus=facts.has_plus,
    )
    _check_separators(path, codec, frame, header, display, facts)  # on every record as read
    if blank is not None:
        table.skip_blank_rows(blank)
    if table.frame.height == 0:  # an export that wrote only the header is a broken submission
        _fail(NoRecords(file=display, note=unit))
    if facts.has_quotes:
        _refuse_line_breaks(table, multiline)
    return table


def _refuse_line_breaks(table: RawTable, multiline: Callable[[str], bool]) -> None:
    """No cell holds a line break but in a column the contract declares ``multiline``: a quoted
    cell that does has swallowed the rows after a stray quote (a text cell that starts with "
    and a later one that ends with "), and the records read would not be the file's rows. Each
    such cell is refused where it starts."""
    frame = table.frame
    checked = [c for c in frame.columns if not multiline(table.header[int(c)])]
    # In a multiline column, a line that holds a whole record's separators is rows swallowed.
    record = rf"[\r\n](?:[^,\r\n]*,){{{max(len(frame.columns) - 1, 1)}}}"
    swallowing = [c for c in frame.columns if c not in checked]
    tests = [pl.col(c).str.contains_any(["\n", "\r"]) for c in checked]
    tests += [pl.col(c).str.contains(record) for c in swallowing]
    if not tests:
        return
    checked = checked + swallowing
    broken = frame.select(pl.any_horizontal(tests))
    rows = broken.to_series().fill_null(False).arg_true()  # a literal search: cheap on clean files
    if not rows.len():
        return
    counts = [pl.col(c).str.count_matches(r"\r\n|\r|\n").fill_null(0) for c in checked]
    spans = frame.select(pl.max_horizontal(counts).alias("n")).get_column("n")
    shown = rows.head(50)
    columns = [
        next(c for c in checked if "\n" in (frame[c][r] or "") or "\r" in (frame[c][r] or ""))
        for r in shown.to_list()
    ]
    log = ErrorLog()
    log.add_many(
        [
            MultilineCell(**pos.at(), column=table.header[int(c)], note=str(int(spans[r]) + 1))
            for pos, c, r in zip(table.where(shown), columns, shown.to_list(), strict=True)
        ],
        rows.len(),
    )
    raise ProblemsFound(log)


#: files smaller than this (a town's) are read on one thread, without helpers
SMALL_FILE = 1 << 20


class _Done:
    """A result already at hand, with the ``result()`` of a future."""

    def __init__(self, value: ByteFacts) -> None:
        self.value = value

    def result(self) -> ByteFacts:
        return self.value


def _parse(
    sources: list[Path],
    columns: list[int],
    names: list[str],
    path: Path,
    codec: str,
    display: str,
    header: list[str],
) -> pl.DataFrame:
    """Every cell as text; on a parser error, the scanner or the decoder says where."""
    try:
        frame = pl.read_csv(
            sources if len(sources) > 1 else sources[0],
            has_header=True,
            columns=columns if 0 < len(columns) < len(header) else None,
            new_columns=names,
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=False,
            glob=False,  # a path is a path: 'q4[a]' must not read the folder 'q4a'
        )
    except pl.exceptions.PolarsError as exc:
        problem: DataError | None = None
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            problem = find_decode_error(path, codec, display, header)
        if problem is None:
            _fail_structure(path, codec, header, display, str(exc))
        _fail(problem or ParseFailure(file=display, note=str(exc).splitlines()[0]))
    return frame


def _fail(problem: DataError) -> NoReturn:
    log = ErrorLog()
    log.add(problem)
    raise ProblemsFound(log)


def _read_header(path: Path, codec: str, display: str) -> tuple[list[str], int]:
    """The header cells and how many physical lines they take (a quoted cell may hold breaks)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
        while b"\n" not in head and len(head) < MAX_HEADER_BYTES:  # a long header line
            block = fh.read(1 << 16)
            if not block:
                break
            head += block
        more = bool(fh.read(1))
    if b"\r" in head and b"\n" not in head:
        note = (
            "the lines end with a carriage return only (old Mac line ends), which CSV readers do "
            "not take; save the file again as CSV (UTF-8 or GB18030) with ordinary line ends"
        )
        _fail(ParseFailure(file=display, line=1, note=note))
    if head.count(b"\x00") * 4 > len(head):
        note = (
            "the file looks like UTF-16 text (every other byte is 0), which is not read; save it as "
            "CSV UTF-8 (逗号分隔 CSV UTF-8) or GB18030"
        )
        _fail(ParseFailure(file=display, line=1, note=note))
    if more and b"\n" not in head:
        _fail(
            ParseFailure(
                file=display,
                line=1,
                note=f"the first line is longer than {MAX_HEADER_BYTES:,} bytes; expected a header line",
            )
        )
    bad = False
    try:
        text = codecs.getincrementaldecoder(codec)().decode(head, final=not more)
    except UnicodeDecodeError as exc:
        text, bad = head[: exc.start].decode(codec, errors="ignore"), True
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, [])
    except csv.Error as exc:
        why = "it holds a NUL byte (is the file a workbook or UTF-16?)" if "NUL" in str(exc) else str(exc)
        _fail(ParseFailure(file=display, line=1, note=f"the header line cannot be read: {why}"))
    if any(cell.count("\n") > 2 for cell in header):  # a quote that never closes swallows lines
        note = (
            f"a quote in the header opens a column name that runs over {reader.line_num:,} lines; "
            "remove the stray quote (a column name holds no line breaks beyond one or two)"
        )
        _fail(BadQuote(file=display, line=1, note=note))
    if bad and text.count("\n") < max(reader.line_num, 1):  # the bad byte is inside the header
        _fail(
            find_decode_error(path, codec, display)
            or EncodingProblem(file=display, line=1, value="", note=codec)
        )
    if not any(cell.strip() for cell in header):
        _fail(EmptyFile(file=display, line=1, note=" with the column names"))
    if len(header) > MAX_COLUMNS:
        note = (
            f"the header has {len(header):,} columns; at most {MAX_COLUMNS:,} are read (the contract has ~50)"
        )
        _fail(TooLarge(file=display, line=1, note=note))
    return header, reader.line_num


def _blank_rows(frame: pl.DataFrame) -> pl.Series | None:
    """Per record, whether every cell is empty or spaces; None when none is (the common case,
    told by one column: a blank row is empty in each)."""
    if frame.width == 0 or frame.height == 0:
        return None
    first = pl.col(frame.columns[0]).fill_null("")
    if not frame.select(((first.str.len_bytes() == 0) | first.str.contains(r"^\s+$")).any()).item():
        return None
    blank = frame.select(
        pl.all_horizontal(pl.col(c).fill_null("").str.strip_chars() == "" for c in frame.columns).alias("b")
    ).to_series()
    return blank if blank.any() else None


def _check_separators(
    path: Path, codec: str, frame: pl.DataFrame, header: list[str], display: str, facts: ByteFacts
) -> None:
    """Prove every record has the header's field count, cheaply; scan the file when not.

    The separators in the file must be exactly those between fields plus those inside
    (quoted) values. Counting bytes is far cheaper than parsing lines.
    """
    commas, quotes = facts.commas, facts.has_quotes
    expected = (frame.height + 1) * (len(header) - 1)
    if quotes:
        expected += sum(h.count(",") for h in header)
        if frame.height:
            inner = frame.select(
                pl.sum_horizontal(pl.col(c).str.count_matches(",", literal=True).sum() for c in frame.columns)
            ).item()
            expected += int(inner or 0)
    if commas != expected:
        problems, total = scan_structure(path, len(header), display, codec, names=header)
        if problems:
            log = ErrorLog()
            log.add_many(list(problems), total)
            raise ProblemsFound(log)


def _fail_structure(path: Path, codec: str, header: list[str], display: str, reason: str) -> NoReturn:
    problems, total = scan_structure(path, len(header), display, codec, names=header)
    if problems:
        log = ErrorLog()
        log.add_many(list(problems), total)
        raise ProblemsFound(log)
    _fail(ParseFailure(file=display, note=reason.splitlines()[0] if reason else "unknown"))
