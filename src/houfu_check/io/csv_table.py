"""Read one CSV file as text: every cell's text, every record mapped to its physical line.

Nothing is typed here (that is validation's job), but for a large file's numbers and
true/false words proven written plainly, whose values are their text (:mod:`.plain_values`);
nothing is changed on disk. A file that is not UTF-8 is transcoded, streaming, into a
temporary UTF-8 copy that the caller's ``workdir`` owns and removes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import io
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
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
    UnreadableFile,
)
from houfu_check.io.byte_facts import (
    READ,
    SMALL_FILE,
    ByteFacts,
    Identity,
    byte_facts,
    expect,
    facts_of,
    file_identity,
    prefetched,
    prefetched_of,
    prefetching,
)
from houfu_check.io.coded import (
    Coding,
    as_text,
    coded,
    coded_layout,
    is_coded,
    is_typed,
    plain_if_crowded,
    test,
    tests,
    texts_of,
    usual,
)
from houfu_check.io.encoding import (
    Transcoding,
    detect_encoding,
    encoding_note,
    find_decode_error,
    in_parts,
    with_bom,
)
from houfu_check.io.plain_values import typed_dtypes, written_plainly
from houfu_check.io.scan import scan_structure
from houfu_check.io.table import RawTable
from houfu_check.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_HEADER_BYTES, file_too_large


@dataclass
class CsvJob:
    """One CSV file to read, with what the contract says about its table."""

    path: Path
    display: str
    unit: str = "record"
    keep: Callable[[str], bool] | None = None  # a header cell of a column the tool reads
    multiline: Callable[[str], bool] = lambda header: False  # a column whose cells may break lines
    # a typed column's name and usual texts: kept coded (see io.coded)
    coded: Callable[[str], Coding | None] = lambda header: None


@dataclass
class _Prepared:
    """What is known of a file before its rows are parsed."""

    job: CsvJob
    codec: str
    header: list[str]
    header_lines: int
    columns: list[int]  # the positions parsed: the columns the tool reads
    names: list[str]
    dtypes: dict[str, pl.DataType]  # the coded columns (see io.coded); the others are text
    fallback: dict[str, pl.DataType]  # the coded columns' open dictionaries, when a fixed list fails
    typed: dict[str, str]  # the coded columns that may be read as values (io.plain_values)
    facts: ByteFacts | None = None  # at hand for a small file; a large one's come beside the parse
    data: bytes | None = None  # a small file's bytes, for a parse together with others
    # a large GB18030 file's parts, decoding since its folder was planned (see read_csv_tables)
    transcoding: Transcoding | None = None
    size: int = 0  # its bytes, when prepared


def read_csv_table(
    path: Path,
    display: str,
    workdir: Path,
    encoding: str | None = None,
    unit: str = "record",
    keep: Callable[[str], bool] | None = None,
    multiline: Callable[[str], bool] = lambda header: False,
    coded: Callable[[str], Coding | None] = lambda header: None,
    early: Transcoding | None = None,
) -> RawTable:
    """Read ``path`` as a text table, or raise :class:`ProblemsFound` saying why it can't be
    (``early``: its decoding into parts, started when its folder was planned)."""
    prepared = _prepare(CsvJob(path, display, unit, keep, multiline, coded), encoding)
    prepared.transcoding = early
    with ThreadPoolExecutor(max_workers=1) as pool:
        # beside transcoding and parsing; a small file's facts at once (a thread costs more)
        # (a large file's: the helper started with the command, or a thread here)
        facts_job = _Done(prepared.facts) if prepared.facts else _facts_job(pool, path)
        sources = [path]
        if not _utf8(prepared):
            parts = _decoded(prepared, workdir)
            if isinstance(parts, EncodingProblem):
                _fail(parts)
            sources = parts
        # a file that quotes needs every column (see _finish): read them at once if it shows early
        first = _first_block(path) if prepared.facts is None else b""
        every = prepared.facts.has_quotes if prepared.facts else b'"' in first
        # numbers and yes/no words as values first (no quote: their bytes may prove them plain)
        frame = None
        if prepared.typed and not every:
            block = first if sources[0] == path else _first_block(sources[0])
            dtypes = typed_dtypes(block, prepared.names, prepared.typed, prepared.dtypes)
            frame = _typed_read(prepared, sources, dtypes) if dtypes else None
        if frame is None:
            frame = _parse_prepared(prepared, sources, every=every)
        prepared.facts = facts_job.result()
        kept, bounds = None, None
        if any(is_typed(frame, name) for name in frame.columns):
            bounds = written_plainly(frame, sources, prepared.facts)
            if bounds is not None:  # every typed cell is its value's text
                kept = [prepared.names[i] for i in prepared.columns]  # the others were read to count
            else:  # a value written otherwise ("+3", "007"): read as text, and validated as written
                if not prepared.facts.has_quotes:  # such a number is in no fixed list: not tried
                    prepared.dtypes = prepared.fallback
                frame = _parse_prepared(prepared, sources, every=prepared.facts.has_quotes)
        table = _finish(prepared, frame, sources, kept)
        table.bounds = bounds or {}
        return table


def read_csv_tables(
    jobs: list[CsvJob],
    workdir: Path,
    encoding: str | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> list[RawTable | ProblemsFound]:
    """Read many files (a county's town folders) as :func:`read_csv_table` reads one, each
    with its own hash, problems and lines — but the small UTF-8 files that share a header are
    parsed in one pass, since a parse per file costs more than the rows in it."""
    prepared: list[_Prepared | ProblemsFound] = []
    groups: dict[tuple[object, ...], list[int]] = {}
    if prefetching():
        expect([job.path for job in jobs])
    for i, job in enumerate(jobs):
        try:
            ready = _prepare(job, encoding)
        except ProblemsFound as problems:
            prepared.append(_bare(problems))
            continue
        except OSError as exc:  # a file the user may not read (its permissions), or gone
            prepared.append(_unreadable(job.display, exc))
            continue
        prepared.append(ready)
        facts = ready.facts
        if facts is not None and ready.codec == "utf-8" and not facts.has_quotes and ready.header_lines == 1:
            groups.setdefault((tuple(ready.header), tuple(ready.columns)), []).append(i)
    # a file's rows, parsed with the others of its group: that frame, and where the file starts
    together: dict[int, tuple[pl.DataFrame, int, int]] = {}
    for group in groups.values():
        if len(group) > 1:
            progress(f"reading {len(group):,} files")
            parsed = _parse_together([p for i in group if isinstance(p := prepared[i], _Prepared)])
            if parsed is not None:
                frame, counts = parsed
                starts = _starts(counts)
                together.update(
                    (i, (frame, at, rows)) for i, at, rows in zip(group, starts, counts, strict=True)
                )
    results: list[RawTable | ProblemsFound] = []
    # a large GB18030 file's parts are decoded from now on, while the files before it are read
    # (the first file decoded in parts: one file's workers at a time, as when read)
    apart = [p for i, p in enumerate(prepared) if isinstance(p, _Prepared) and i not in together]
    try:
        if ahead := next((p for p in apart if in_parts(p.size) and not _utf8(p)), None):
            with contextlib.suppress(OSError):  # said when the file is read
                ahead.transcoding = _transcoding(ahead, workdir, wait=False)
        _read_each(jobs, prepared, together, workdir, encoding, progress, results)
    finally:  # no worker outlives a read that failed
        for alone in apart:
            if alone.transcoding is not None:
                alone.transcoding.stop()
    return results


def _read_each(
    jobs: list[CsvJob],
    prepared: list[_Prepared | ProblemsFound],
    together: dict[int, tuple[pl.DataFrame, int, int]],
    workdir: Path,
    encoding: str | None,
    progress: Callable[[str], None],
    results: list[RawTable | ProblemsFound],
) -> None:
    """:func:`read_csv_tables`' reading, file by file, in order."""
    for i, (job, done) in enumerate(zip(jobs, prepared, strict=True)):
        if isinstance(done, ProblemsFound):
            results.append(done)
        elif i in together:
            parent, at, rows = together[i]
            mine = parent.slice(at, rows)
            table = _attempt(partial(_finish, done, mine, [job.path]), job.display)
            if isinstance(table, RawTable) and table.frame is mine:  # its rows as parsed
                table.joined = (parent, at, mine)
            results.append(table)
        else:  # alone: a large, quoted or GB18030 file, or one whose group could not be parsed
            progress(f"reading {job.display}")
            alone = partial(read_csv_table, job.path, job.display, workdir, encoding, job.unit, job.keep)
            # prepared again (the file may have changed since its folder was planned)
            results.append(_attempt(partial(alone, job.multiline, job.coded, done.transcoding), job.display))


def _utf8(prepared: _Prepared) -> bool:
    return prepared.codec in ("utf-8", "utf-8-sig")


def _decoded(prepared: _Prepared, workdir: Path) -> list[Path] | EncodingProblem:
    """A file's UTF-8 parts: those decoded since its folder was planned, where the file is
    still the one they were decoded from, with the same header and encoding; else decoded now."""
    early, prepared.transcoding = prepared.transcoding, None
    if early is not None:
        same = (early.codec, early.header) == (prepared.codec, prepared.header)
        if same and _identity_of(prepared.job.path) == early.identity:
            parts = early.result()
            if _identity_of(prepared.job.path) == early.identity:  # not changed while decoded
                return parts
        early.stop()
    return _transcoding(prepared, workdir, wait=True).result()


def _identity_of(path: Path) -> Identity | None:
    try:
        return file_identity(os.stat(path))
    except OSError:
        return None


def _transcoding(prepared: _Prepared, workdir: Path, wait: bool) -> Transcoding:
    """A file's decoding into UTF-8 parts, started; one the helper found without quotes is cut
    at any line end (its facts waited for, or taken if told already: ``wait``)."""
    path = prepared.job.path
    known = prepared.facts or (prefetched(path, wait) if prefetching() else None)
    quotes = known is None or known.has_quotes
    return Transcoding(path, prepared.codec, workdir, prepared.job.display, prepared.header, quotes)


def _attempt(read: Callable[[], RawTable], display: str) -> RawTable | ProblemsFound:
    try:
        return read()
    except ProblemsFound as problems:
        return _bare(problems)
    except OSError as exc:
        return _unreadable(display, exc)


def _bare(problems: ProblemsFound) -> ProblemsFound:
    """A file's problems, kept for the report without the frames they were raised in (nor
    those of the error they were raised from): those hold the file's bytes and cells, and a
    county's thousand refused files would hold them all."""
    problems.__context__ = problems.__cause__ = None
    return problems.with_traceback(None)


def _unreadable(display: str, exc: OSError) -> ProblemsFound:
    """A file that cannot be opened or read, said with the system's reason (in Chinese too)."""
    reason = exc.strerror or type(exc).__name__
    reason_zh = {errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限", errno.ENOENT: "文件不存在"}
    log = ErrorLog()
    log.add(UnreadableFile(file=display, note=reason, note_zh=reason_zh.get(exc.errno or 0, reason)))
    return ProblemsFound(log)


def _starts(counts: list[int]) -> list[int]:
    """Where each file's rows start, given each file's row count."""
    starts, at = [], 0
    for rows in counts:
        starts.append(at)
        at += rows
    return starts


def _parse_together(group: list[_Prepared]) -> tuple[pl.DataFrame, list[int]] | None:
    """The rows of files with one header, parsed in one pass, and each file's count of them;
    None when the pass fails (then each file is parsed alone, and says where it is broken)."""
    first = group[0]
    paths = [p.job.path for p in group]
    picked = (
        [first.names[i] for i in first.columns] if 0 < len(first.columns) < len(first.header) else first.names
    )
    joined = _joined(group, picked)
    if joined is not None:
        return joined
    try:
        frame = (
            pl.scan_csv(
                paths,
                has_header=True,
                new_columns=first.names,
                infer_schema=False,
                empty_string_is_null=False,
                raise_if_empty=False,
                glob=False,
                include_file_paths="__file",
                schema_overrides=first.dtypes,
            )
            .select(*picked, "__file")
            .collect()
        )
    except pl.exceptions.PolarsError:
        return None
    counted = dict(frame.group_by("__file", maintain_order=True).len().iter_rows())
    counts = [int(counted.get(str(path), 0)) for path in paths]
    return (frame.drop("__file"), counts) if sum(counts) == frame.height else None


def _joined(group: list[_Prepared], picked: list[str]) -> tuple[pl.DataFrame, list[int]] | None:
    """The files' records put end to end under one header and parsed once, each file's rows
    counted by its line ends — exact for these files (no quote, no line that may be empty, so
    one line is one record); None when that does not hold or the count disagrees."""
    bodies: list[bytes | memoryview] = []
    counts: list[int] = []
    header = b""
    for prepared in group:
        data, facts = prepared.data, prepared.facts
        if data is None or facts is None or facts.maybe_blank:
            return None
        if b"\r" in data and b"\r" in data.replace(b"\r\n", b"\n"):  # a lone carriage return
            return None
        end = data.find(b"\n") + 1
        if end == 0:
            return None
        header = header or data[:end]
        bodies.append(memoryview(data)[end:])  # the records, not copied until joined
        unended = end < len(data) and not data.endswith(b"\n")
        if unended:
            bodies.append(b"\n")
        counts.append(data.count(b"\n", end) + unended)
    first = group[0]
    try:
        frame = pl.read_csv(
            header + b"".join(bodies),
            has_header=True,
            columns=picked,
            new_columns=first.names,
            infer_schema=False,
            schema_overrides=first.dtypes,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    return (frame, counts) if frame.height == sum(counts) else None


def _prepare(job: CsvJob, encoding: str | None) -> _Prepared:
    path, display = job.path, job.display
    size, data, facts = _small_file(path)  # a small file is read once
    if size == 0:
        _fail(EmptyFile(file=display))
    if said := file_too_large(size):
        _fail(TooLarge(file=display, note=said[0], note_zh=said[1]))
    if encoding:
        codec = with_bom(path, encoding)
    elif facts is not None and facts.utf8:  # the helper decoded it already
        codec = "utf-8"
    else:
        codec = detect_encoding(path, display, data)
    header, header_lines = _read_header(path, codec, display, data)
    # Columns nobody reads (personal or extra ones) are not kept: less time, less memory, and
    # personal data stays out of the tables (a large file's are parsed only to count their
    # bytes, io.plain_values, and dropped but where they tell a row is not empty).
    columns = _kept(tuple(header), job.keep)
    names = _names(len(header))  # every column, by position; polars needs all
    # a large file's typed columns are read coded (memory); a town's small file stays plain text,
    # so its own checks cost what its rows cost, and its table is coded once, put together
    codings = {names[i]: coding for i in columns if (coding := job.coded(header[i]))} if data is None else {}
    fallback = {name: coded(coding.name) for name, coding in codings.items()}
    # first against each column's fixed list of usual texts, where it has one (a faster parse)
    dtypes = {name: usual(c.usual) if c.usual else fallback[name] for name, c in codings.items()}
    typed = {name: coding.typed for name, coding in codings.items() if coding.typed}
    if data is not None and facts is None:
        facts = facts_of(data)
    return _Prepared(
        job,
        codec,
        header,
        header_lines,
        columns,
        names,
        dtypes,
        fallback,
        typed,
        facts,
        data,
        size=size,
    )


def _small_file(path: Path) -> tuple[int, bytes | None, ByteFacts | None]:
    """A file's size; a small one's bytes too, and the helper's facts of them where it read
    these very bytes (its identity from the open file, before and after the read). Read with
    the descriptor alone: a county's thousands of town files, no buffered file object each."""
    fd = os.open(path, READ)  # a named pipe: not waited for (its size is 0: an empty file)
    try:
        st = os.fstat(fd)
        if not 0 < st.st_size < SMALL_FILE:
            return st.st_size, None, None
        data = _read_fd(fd, st.st_size + 1)
        if len(data) > st.st_size:  # it grew: read whole, as it is now
            data += _read_fd(fd, None)
        if len(data) != st.st_size or not prefetching():
            return len(data), data, None  # changed while read: its facts are worked out here
        again = os.fstat(fd)
    finally:
        os.close(fd)
    unchanged = (again.st_mtime_ns, again.st_ctime_ns) == (st.st_mtime_ns, st.st_ctime_ns)
    facts = prefetched_of(st) if unchanged else None
    return st.st_size, data, facts


def _read_fd(fd: int, most: int | None) -> bytes:
    """Up to ``most`` bytes of the open file ``fd`` (None: to its end); a read may return fewer
    bytes than asked, so it is repeated until the file ends."""
    chunks = []
    while most is None or most > 0:
        chunk = os.read(fd, most if most is not None else 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
        most = most - len(chunk) if most is not None else None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


@lru_cache(maxsize=64)
def _names(width: int) -> list[str]:
    """Every column's name by position, "0", "1", …: polars needs one per column (town files
    share a width: one list, read only)."""
    return [str(i) for i in range(width)]


@lru_cache(maxsize=64)
def _stripped(header: tuple[str, ...]) -> list[str]:
    """A header's cells as tables keep them (town folders share a header: one list, read only)."""
    return [cell.strip() for cell in header]


@lru_cache(maxsize=64)
def _kept(header: tuple[str, ...], keep: Callable[[str], bool] | None) -> list[int]:
    """The positions of the columns read (town folders share a header: worked out once)."""
    return [i for i, cell in enumerate(header) if keep is None or keep(cell)]


def _first_block(path: Path) -> bytes:
    """A large file's first block: whether it quotes (a quoted export quotes every row), and
    how its typed columns' cells are written, as a rule (io.plain_values)."""
    with path.open("rb") as fh:
        return fh.read(SMALL_FILE)


def _parse_prepared(prepared: _Prepared, sources: list[Path], every: bool = False) -> pl.DataFrame:
    columns = list(range(len(prepared.header))) if every else prepared.columns
    job = prepared.job
    names, header = prepared.names, prepared.header
    if prepared.dtypes != prepared.fallback:
        try:
            return _read(sources, columns, names, header, prepared.dtypes)
        except pl.exceptions.PolarsError:
            # a cell beyond a column's usual texts (or a broken file: the parse below says where)
            prepared.dtypes = prepared.fallback
    return _parse(sources, columns, names, job.path, prepared.codec, job.display, header, prepared.dtypes)


def _typed_read(
    prepared: _Prepared, sources: list[Path], dtypes: dict[str, pl.DataType]
) -> pl.DataFrame | None:
    """Every column, numbers and yes/no words as values (:mod:`houfu_check.io.plain_values`:
    the cells of every column are counted); None when a cell is no value (then read as text)."""
    every = list(range(len(prepared.header)))
    try:
        return _read(sources, every, prepared.names, prepared.header, dtypes)
    except pl.exceptions.PolarsError:
        return None


def _finish(
    prepared: _Prepared, frame: pl.DataFrame, sources: list[Path], kept: list[str] | None = None
) -> RawTable:
    """The checks of a parsed file: separators, empty rows, no records, line breaks; ``kept``:
    the columns kept of a frame of every column (read to count their bytes)."""
    job, header, facts = prepared.job, prepared.header, prepared.facts
    assert facts is not None
    if facts.has_quotes and frame.width < len(header):
        # Quoted fields may span lines or hold separators in the skipped columns too; line
        # numbers and the separator proof need every column, so read them all.
        frame = _parse_prepared(prepared, sources, every=True)
    frame = plain_if_crowded(frame) if prepared.dtypes else frame
    blank = _blank_rows(frame if kept is None else frame.select(kept)) if facts.maybe_blank else None
    if kept is not None and len(kept) < frame.width:
        # every column was read to count its bytes: the others (a name) leave at once, unless
        # a row is empty in the columns kept, where only every column tells whether it is
        if blank is None:
            frame = frame.select(kept)
        else:
            blank = _blank_rows(frame)
    if blank is not None and frame.width < len(header):
        # a row empty in the columns read may hold a name: only every column can tell
        frame = _parse_prepared(prepared, sources, every=True)
        frame = plain_if_crowded(frame) if prepared.dtypes else frame
        blank = _blank_rows(frame)
    table = RawTable(
        display=job.display,
        path=job.path,
        encoding=prepared.codec,
        sha256=facts.sha256,
        header=_stripped(tuple(header)),
        frame=frame,
        has_quotes=facts.has_quotes,
        header_lines=prepared.header_lines,
        has_plus=facts.has_plus,
        coded=coded_layout(frame) if prepared.dtypes else (),
    )
    _check_separators(job.path, prepared.codec, frame, header, job.display, facts)  # every record read
    if blank is not None:
        table.skip_blank_rows(blank)
    if table.frame.height == 0:  # an export that wrote only the header is a broken submission
        _fail(NoRecords(file=job.display, note=job.unit))
    if facts.has_quotes:
        _refuse_line_breaks(table, job.multiline)
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
    if not checked and not swallowing:
        return
    found = tests(frame, checked, lambda cell: cell.str.contains_any(["\n", "\r"]))
    found += tests(frame, swallowing, lambda cell: cell.str.contains(record))
    checked = checked + swallowing
    broken = frame.select(pl.any_horizontal(found))
    rows = broken.to_series().fill_null(False).arg_true()  # a literal search: cheap on clean files
    if not rows.len():
        return
    frame = as_text(frame)  # the refusal: every cell as text
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


def _facts_job(pool: ThreadPoolExecutor, path: Path) -> _Later | Future[ByteFacts]:
    """A large file's byte facts: the helper's (:func:`~houfu_check.io.byte_facts.prefetch`),
    asked for once the parse is done, or worked out by a thread beside the parse."""
    if prefetching():
        return _Later(path)
    return pool.submit(byte_facts, path)


class _Later:
    """The helper's facts of a file, asked for when needed (it works while the file parses);
    worked out here if it did not read this very file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def result(self) -> ByteFacts:
        return prefetched(self.path) or byte_facts(self.path)


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
    dtypes: dict[str, pl.DataType] | None = None,
) -> pl.DataFrame:
    """Every cell as text (``dtypes``: the coded columns); on a parser error, the scanner or the
    decoder says where."""
    try:
        frame = _read(sources, columns, names, header, dtypes)
    except pl.exceptions.PolarsError as exc:
        problem: DataError | None = None
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            problem = find_decode_error(path, codec, display, header)
        if problem is None:
            _fail_structure(path, codec, header, display, str(exc))
        _fail(problem or _parser_said(display, str(exc)))
    return frame


def _read(
    sources: list[Path],
    columns: list[int],
    names: list[str],
    header: list[str],
    dtypes: dict[str, pl.DataType] | None,
) -> pl.DataFrame:
    return pl.read_csv(
        sources if len(sources) > 1 else sources[0],
        has_header=True,
        columns=columns if 0 < len(columns) < len(header) else None,
        new_columns=names,
        infer_schema=False,
        schema_overrides=dtypes,
        empty_string_is_null=False,
        raise_if_empty=False,
        glob=False,  # a path is a path: 'q4[a]' must not read the folder 'q4a'
    )


def _fail(problem: DataError) -> NoReturn:
    log = ErrorLog()
    log.add(problem)
    raise ProblemsFound(log)


def _read_header(path: Path, codec: str, display: str, data: bytes | None = None) -> tuple[list[str], int]:
    """The header cells and how many physical lines they take (a quoted cell may hold breaks);
    ``data``: the whole (small) file, already read."""
    if data is not None:
        end = data.find(b"\n")
        line = data[:end].removesuffix(b"\r") if end > 0 else b""
        cells = _plain_header(line, codec) if line else None
        if cells is not None:  # a town's usual header: one plain line
            return _bounded(list(cells), display), 1
        head = data[: max(1 << 16, end + 1)] if end >= 0 else data[:MAX_HEADER_BYTES]
        more = len(head) < len(data)
    else:
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
        why, why_zh = str(exc), str(exc)
        if "NUL" in why:
            why, why_zh = (
                "it holds a NUL byte (is the file a workbook or UTF-16?)",
                "其中有 NUL 字节(这个文件是工作簿或 UTF-16 吗?)",
            )
        elif "new-line character" in why:  # a carriage return alone inside the line
            why, why_zh = (
                "a column name holds a line break outside quotes (a lone carriage return?)",
                "有列名含有引号外的换行符(单独的回车符?)",
            )
        note, note_zh = f"the header line cannot be read: {why}", f"无法读取表头行:{why_zh}"
        _fail(ParseFailure(file=display, line=1, note=note, note_zh=note_zh))
    if any(cell.count("\n") > 2 for cell in header):  # a quote that never closes swallows lines
        note = (
            f"a quote in the header opens a column name that runs over {reader.line_num:,} lines; "
            "remove the stray quote (a column name holds no line breaks beyond one or two)"
        )
        _fail(BadQuote(file=display, line=1, note=note))
    if bad and text.count("\n") < max(reader.line_num, 1):  # the bad byte is inside the header
        note, note_zh = encoding_note(codec, 1, None)
        _fail(
            find_decode_error(path, codec, display)
            or EncodingProblem(file=display, line=1, value="", note=note, note_zh=note_zh)
        )
    if not any(cell.strip() for cell in header):
        _fail(EmptyFile(file=display, line=1, note=" with the column names"))
    return _bounded(header, display), reader.line_num


@lru_cache(maxsize=256)
def _plain_header(line: bytes, codec: str) -> tuple[str, ...] | None:
    """A header line without quotes, carriage returns or NULs, split as the csv module would
    split it; None when it is not one, or does not decode (town folders share a header: each
    spelling is split once)."""
    if any(byte in line for byte in (b'"', b"\r", b"\x00")):
        return None
    try:
        cells = tuple(line.decode(codec).split(","))
    except UnicodeDecodeError:
        return None
    return cells if any(cell.strip() for cell in cells) else None


def _bounded(header: list[str], display: str) -> list[str]:
    """The header cells, or a refusal when there are too many or one is too long to be a name."""
    if len(header) > MAX_COLUMNS:
        note = (
            f"the header has {len(header):,} columns; at most {MAX_COLUMNS:,} are read (the contract has ~50)"
        )
        zh = f"表头有 {len(header):,} 列;最多读取 {MAX_COLUMNS:,} 列(数据约定约 50 列)"
        _fail(TooLarge(file=display, line=1, note=note, note_zh=zh))
    longest = max(map(len, header), default=0)
    if longest > MAX_CELL_CHARS:
        note = f"a column name of {longest:,} characters; a header cell holds at most {MAX_CELL_CHARS:,}"
        zh = f"有一个列名长达 {longest:,} 个字符;表头单元格最多 {MAX_CELL_CHARS:,} 个字符"
        _fail(TooLarge(file=display, line=1, note=note, note_zh=zh))
    return header


def _blank_rows(frame: pl.DataFrame) -> pl.Series | None:
    """Per record, whether every cell is empty or spaces; None when none is (the common case,
    told by one column, cheaply)."""
    if frame.width == 0 or frame.height == 0:
        return None

    def empty(cell: pl.Expr) -> pl.Expr:  # a quoted line break is no empty cell: left to the line-break check
        cell = cell.fill_null("")
        return (cell.str.strip_chars() == "") & ~cell.str.contains("[\r\n]")

    # a blank row is empty in every column: one tells, a typed one cheapest (an empty cell is
    # null), else a coded one (once per text)
    probe = next((c for c in frame.columns if is_typed(frame, c)), None)
    probe = probe or next((c for c in frame.columns if is_coded(frame, c)), frame.columns[0])
    if is_typed(frame, probe):
        maybe = pl.col(probe).is_null()
    elif is_coded(frame, probe):
        maybe = test(frame, probe, empty)
    else:  # a plain column: its cell is empty or starts with a space (cheaper than trimming)
        first = pl.col(probe).fill_null("")
        maybe = (first.str.len_bytes() == 0) | first.str.contains(r"^\s")
    if not frame.select(maybe.any()).item():
        return None
    every = pl.all_horizontal(tests(frame, frame.columns, empty))
    blank = frame.select(every.alias("b")).to_series()
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
            expected += sum(_commas_in(frame, c) for c in frame.columns)
    if commas != expected:
        problems, total = scan_structure(path, len(header), display, codec, names=header)
        if problems:
            log = ErrorLog()
            log.add_many(list(problems), total)
            raise ProblemsFound(log)


def _commas_in(frame: pl.DataFrame, name: str) -> int:
    """The separators inside the cells of a column (a coded one's: each text's, times its rows)."""
    if not is_coded(frame, name):
        return int(frame.select(pl.col(name).str.count_matches(",", literal=True).sum()).item() or 0)
    column = frame.get_column(name)
    if not texts_of(column).str.contains(",", literal=True).any():
        return 0  # no text of its dictionary holds one (numbers, yes/no words, as a rule)
    counts = column.value_counts().select(
        (pl.col(name).cast(pl.String).str.count_matches(",", literal=True) * pl.col("count")).sum()
    )
    return int(counts.item() or 0)


def _fail_structure(path: Path, codec: str, header: list[str], display: str, reason: str) -> NoReturn:
    problems, total = scan_structure(path, len(header), display, codec, names=header)
    if problems:
        log = ErrorLog()
        log.add_many(list(problems), total)
        raise ProblemsFound(log)
    _fail(_parser_said(display, reason))


def _parser_said(display: str, reason: str) -> ParseFailure:
    """What the CSV parser said of a file no scan could place: its own words, framed in Chinese
    too (they are technical, and the same in both)."""
    said = reason.splitlines()[0] if reason else "unknown"
    return ParseFailure(file=display, note=said, note_zh=f"解析器报告:{said}")
