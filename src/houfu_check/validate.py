"""Text tables → typed frames, or every problem with its file, line and column.

All checks are column expressions evaluated at once over the whole table; rows are only
looked at one by one for the few problems that are shown. Order per cell: empty, then type,
then range; relations between columns and tables are checked on cells that passed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from houfu_check.contract import (
    FALSE_WORDS,
    MAX_DIGITS,
    TRUE_WORDS,
    ColumnSpec,
    TableSpec,
    table,
    tables,
)
from houfu_check.dataset import Dataset, InputFile, Progress, no_progress
from houfu_check.errors import (
    BlankRow,
    DataError,
    DuplicateColumn,
    DuplicateId,
    EmptyCell,
    ErrorLog,
    MissingColumn,
    MixedTowns,
    NegativeInteger,
    NotBoolean,
    NotInteger,
    OutOfRange,
    ParseFailure,
    ProblemsFound,
    RelationViolation,
    TooLong,
    UnknownChoice,
    UnknownReference,
)
from houfu_check.io.folder import read_folder
from houfu_check.io.table import Position, RawTable, TableParts
from houfu_check.limits import MAX_CELL_CHARS

_DIGITS = r"^[0-9]+$"
_NEGATIVE = r"^-[0-9]+$"


def load_dataset(
    folder: Path,
    workdir: Path,
    encoding: str | None = None,
    cap: int = 50,
    progress: Progress = no_progress,
) -> Dataset:
    """Read and validate a data folder; raise :class:`ProblemsFound` listing every problem."""
    log = ErrorLog(cap=cap)
    raw = read_folder(folder, workdir, log, encoding, progress)
    progress("validating")
    return validate(raw, log)


def validate(raw: dict[str, list[RawTable]], log: ErrorLog) -> Dataset:
    """Typed frames for ``raw`` (each table from one file, or one per town folder); raise
    :class:`ProblemsFound` if ``log`` holds any problem."""
    typed: dict[str, pl.DataFrame] = {}
    texts: dict[str, pl.DataFrame] = {}  # each table's cells as text, for references between tables
    warnings: list[DataError] = []
    for spec in tables():
        if spec.name in raw:
            check = _TableCheck(spec, raw[spec.name], log)
            frame = check.run(texts)
            if frame is not None:
                typed[spec.name] = frame
                warnings.extend(check.warnings)
    if log:
        raise ProblemsFound(log)
    warnings += town_folder_warnings(raw, texts)
    files = tuple(
        InputFile(spec.name, part.display, part.sha256, part.rows, part.encoding, part.sheet)
        for spec in tables()
        for part in raw[spec.name]
    )
    return Dataset(tables=typed, files=files, warnings=tuple(warnings))


@dataclass
class _Check:
    """One vectorised check: rows where ``bad`` holds are reported with ``make``."""

    column: ColumnSpec
    bad: pl.Expr
    make: Callable[[Position, str | None], DataError]


class _TableCheck:
    """Validation of one table."""

    def __init__(self, spec: TableSpec, parts: list[RawTable], log: ErrorLog) -> None:
        self.spec = spec
        self.table = TableParts(parts)
        self.log = log
        self.headers: dict[str, str] = {}  # column name → header as written (first spelling seen)
        self.warnings: list[DataError] = []  # problems that do not stop the run

    def run(self, texts: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
        """The typed table, or None when it has problems; adds its text cells to ``texts``."""
        mapped = [(part, self._map_header(part)) for part in self.table.parts]
        if any(positions is None for _, positions in mapped):
            return None
        found = {name for _, positions in mapped for name in positions or {}}
        present = [c for c in self.spec.columns if c.name in found and not c.personal]
        frames = [
            part.frame.select(
                pl.col(positions[c.name]).alias(c.name) if c.name in positions else pl.lit("").alias(c.name)
                for c in present
            )
            for part, positions in mapped
            if positions is not None
        ]
        cells = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")
        has_plus = any(part.has_plus for part in self.table.parts)
        before = self.log.total
        # Stage 1: type every column as written, in one pass; cells that do not type (or that
        # a cheap length test doubts) are suspect. Clean data is done here.
        lazy = cells.lazy()  # lazily, so the engine shares each column's cast between its uses
        pairs = {c.name: _pair(cells.get_column(c.name)) for c in present if c.kind == "bool"}
        typed, doubt_frame = pl.collect_all(
            [
                lazy.select(_typed_as_written(c, has_plus, pairs.get(c.name)) for c in present),
                lazy.select(_text_suspect(c).sum().alias(c.name) for c in present if c.kind == "text"),
            ]
        )
        mixed = [c for c in present if pairs.get(c.name) and typed[c.name].null_count()]
        if mixed:  # yes/no columns that use more than their first cell's pair of words
            typed = typed.with_columns(cells.select(_typed_as_written(c) for c in mixed))
        doubts = doubt_frame.row(0, named=True) if doubt_frame.width else {}
        dirty = [c for c in present if (doubts[c.name] if c.kind == "text" else typed[c.name].null_count())]
        text = cells
        if dirty:
            # Stage 2, only for the columns that need it: trim, then classify each cell.
            text = cells.with_columns(pl.col(c.name).str.strip_chars() for c in dirty)
            blank = self._blank_rows()
            if blank is not None:
                text = text.with_columns(pl.Series("__blank", blank))
            self._cell_checks(text, dirty, blank is not None)
            typed = typed.with_columns(text.select(_typed_trimmed(c) for c in dirty))
        frame = typed
        # Relations look only at cells that passed their own checks (others are null or empty).
        self._relations(frame)
        self._uniques(text)
        self._references(text, texts)
        texts[self.spec.name] = text
        return frame if self.log.total == before else None

    # --- header ---------------------------------------------------------------------------

    def _map_header(self, raw: RawTable) -> dict[str, str] | None:
        """Column name → frame column holding it; problems for missing or doubled columns."""
        at = raw.header_position.at()
        if len(raw.header) == 1:
            sep = next((sep for sep in (";", "\t", "|") if sep in raw.header[0]), None)
            if sep is not None:
                shown = "a tab" if sep == "\t" else f"'{sep}'"
                self.log.add(
                    ParseFailure(
                        **at,
                        note=f"the header is one column and the separator looks like {shown}; "
                        "save the file as comma-separated CSV",
                    )
                )
                return None
        lookup: dict[str, ColumnSpec] = {}
        for col in self.spec.columns:
            lookup[col.name.lower()] = col
            lookup[col.zh] = col
        positions: dict[str, str] = {}
        written: dict[str, str] = {}
        unmatched: list[str] = []
        doubled = False
        for index, cell in enumerate(raw.header):
            key = cell.strip().lstrip("\ufeff").strip()
            found = lookup.get(key.lower()) or lookup.get(key)
            if found is None:
                unmatched.append(key)
                continue
            col = found
            if col.name in positions:
                doubled = True
                first = written[col.name]
                self.log.add(
                    DuplicateColumn(
                        **at,
                        column=key,
                        note=f"'{first}' and '{key}' are both {col.name} ({col.zh})",
                    )
                )
                continue
            positions[col.name] = str(index)
            written[col.name] = key
            self.headers.setdefault(col.name, key)
        missing = False
        for col in self.spec.columns:
            if col.name in positions or col.optional:
                continue
            missing = True
            hint = _nearest(col, unmatched)
            self.log.add(
                MissingColumn(
                    **at,
                    column=f"{col.name} ({col.zh})",
                    note=f"; expected a header '{col.name}' or '{col.zh}'" + hint,
                )
            )
        return None if missing or doubled else positions

    def _where(self, col: ColumnSpec) -> str:
        written = self.headers.get(col.name, col.name)
        return written if written == col.name else f"{written} ({col.name})"

    # --- cells ----------------------------------------------------------------------------

    def _blank_rows(self) -> pl.Series | None:
        """Report rows with every cell empty once each, instead of once per cell."""
        blanks = [
            part.frame.select(
                pl.all_horizontal(pl.col(c).str.strip_chars() == "" for c in part.frame.columns).alias("b")
            )["b"]
            for part in self.table.parts
        ]
        blank = blanks[0] if len(blanks) == 1 else pl.concat(blanks)
        count = int(blank.sum())
        if not count:
            return None
        rows = blank.arg_true().head(self.log.cap)
        problems: list[DataError] = [BlankRow(**pos.at()) for pos in self.table.where(rows)]
        self.log.add_many(list(problems), count)
        return blank

    def _cell_checks(self, text: pl.DataFrame, present: list[ColumnSpec], has_blank: bool) -> None:
        """Run every per-cell check, reporting the cells that fail."""
        checks = [check for col in present for check in self._checks_for(col)]
        live = ~pl.col("__blank") if has_blank else pl.lit(True)
        counts = text.select((c.bad & live).sum().alias(str(i)) for i, c in enumerate(checks)).row(0)
        for check, count in zip(checks, counts, strict=True):
            if not count:
                continue
            hits = (
                text.with_row_index("__row")
                .filter(check.bad & live)
                .head(self.log.cap)
                .select("__row", check.column.name)
            )
            places = self.table.where(hits["__row"])
            values = hits[check.column.name].to_list()
            problems = [check.make(pos, value) for pos, value in zip(places, values, strict=True)]
            self.log.add_many(problems, int(count))

    def _checks_for(self, col: ColumnSpec) -> list[_Check]:
        s = pl.col(col.name)
        where = self._where(col)
        expected = col.type_text()

        def problem(
            cls: type[DataError], note: str = expected
        ) -> Callable[[Position, str | None], DataError]:
            return lambda pos, value: cls(**pos.at(), column=where, value=value, note=note)

        empty = s == ""
        checks: list[_Check] = []
        if not col.optional:
            checks.append(_Check(col, empty, problem(EmptyCell)))
        if col.kind == "int":
            digits = s.str.contains(_DIGITS)
            number = s.cast(pl.Int64, strict=False)
            checks.append(_Check(col, s.str.contains(_NEGATIVE), problem(NegativeInteger)))
            checks.append(_Check(col, ~empty & ~digits & ~s.str.contains(_NEGATIVE), problem(NotInteger)))
            too_large = digits & (s.str.len_chars() > MAX_DIGITS)
            out = digits & ~too_large & ((number < col.lowest) | (number > col.highest))
            checks.append(_Check(col, out, problem(OutOfRange)))
            checks.append(
                _Check(col, too_large, problem(OutOfRange, f"{expected}, at most {MAX_DIGITS} digits"))
            )
        elif col.kind == "bool":
            words = list(TRUE_WORDS + FALSE_WORDS)
            checks.append(_Check(col, ~empty & ~s.str.to_lowercase().is_in(words), problem(NotBoolean)))
        elif col.kind == "text":
            checks.append(
                _Check(col, s.str.len_chars() > MAX_CELL_CHARS, problem(TooLong, f"{MAX_CELL_CHARS:,}"))
            )
        elif col.kind == "choice":
            words = list(col.choices)
            checks.append(_Check(col, ~empty & ~s.str.to_lowercase().is_in(words), problem(UnknownChoice)))
        return checks

    # --- relations ------------------------------------------------------------------------

    def _relations(self, frame: pl.DataFrame) -> None:
        for col in self.spec.columns:
            if col.at_most is None or col.name not in frame.columns:
                continue
            other = self.spec.column(col.at_most)
            bad = (pl.col(col.name) > pl.col(other.name)).fill_null(False)
            count = int(frame.select(bad.sum()).item())
            if not count:
                continue
            hits = frame.with_row_index("__row").filter(bad).head(self.log.cap)
            places = self.table.where(hits["__row"])
            problems: list[DataError] = [
                RelationViolation(
                    **pos.at(),
                    column=self._where(col),
                    value=str(value),
                    note=f"{self._where(other)} ({limit}) on the same row; "
                    f"expected {col.name} ≤ {other.name}",
                )
                for pos, value, limit in zip(
                    places, hits[col.name].to_list(), hits[other.name].to_list(), strict=True
                )
            ]
            self.log.add_many(problems, count)

    def _uniques(self, text: pl.DataFrame) -> None:
        for col in self.spec.columns:
            if not col.unique or col.name not in text.columns:
                continue
            if _all_distinct(text.get_column(col.name)):
                continue
            indexed = text.select(pl.col(col.name)).with_row_index("__row")
            dup = indexed.filter((pl.col(col.name) != "") & pl.col(col.name).is_duplicated())
            if dup.height == 0:
                continue
            dup = dup.with_columns(pl.col("__row").min().over(col.name).alias("__first"))
            later = dup.filter(pl.col("__row") != pl.col("__first"))
            shown = later.head(self.log.cap)
            places = self.table.where(shown["__row"])
            firsts = self.table.where(shown["__first"])
            problems: list[DataError] = [
                DuplicateId(
                    **pos.at(),
                    column=self._where(col),
                    value=value,
                    first_line=first.line,
                    first_file=first.file,
                    first_sheet=first.sheet,
                )
                for pos, first, value in zip(places, firsts, shown[col.name].to_list(), strict=True)
            ]
            self.log.add_many(problems, later.height)

    def _references(self, text: pl.DataFrame, texts: dict[str, pl.DataFrame]) -> None:
        for col in self.spec.columns:
            if col.references is None or col.name not in text.columns:
                continue
            table_name, target = col.references
            if table_name not in texts:
                continue  # that table could not be read; its problems are reported already
            known = texts[table_name].get_column(target).unique()
            bad = (pl.col(col.name) != "") & ~pl.col(col.name).is_in(known.implode())
            count = int(text.select(bad.sum()).item())
            if not count:
                continue
            hits = text.with_row_index("__row").filter(bad).head(self.log.cap)
            places = self.table.where(hits["__row"])
            problems: list[DataError] = [
                UnknownReference(
                    **pos.at(),
                    column=self._where(col),
                    value=value,
                    note=f"{target} in {table_name}.csv",
                )
                for pos, value in zip(places, hits[col.name].to_list(), strict=True)
            ]
            self.log.add_many(problems, count)


_TOWN_ENDINGS = ("镇", "乡", "街道", "办事处")


def town_folder_warnings(raw: dict[str, list[RawTable]], texts: dict[str, pl.DataFrame]) -> list[DataError]:
    """Rows in a town's folder that belong to another town: a community naming another town,
    a household of another town's community. A folder named for a town (as some row names it,
    or by its ending: 镇, 乡, 街道, 办事处) expects that town; otherwise the town most of its
    communities name (a folder called "chengguan", say)."""
    comms, homes = raw.get("communities", []), raw.get("households", [])
    if not any(part.folder for part in comms + homes):
        return []
    towns = texts["communities"].get_column("town")
    known = set(towns.unique().to_list())
    expected: dict[str, str] = {}
    for part, start in zip(comms, TableParts(comms).starts, strict=True):
        mine = towns.slice(start, part.rows)
        majority = str(mine.value_counts(sort=True).row(0)[0])
        named = part.folder in known or part.folder.endswith(_TOWN_ENDINGS)
        expected[part.folder] = part.folder if named else majority
    column = table("communities").column("town")
    where = column.name
    found: list[DataError] = []
    for part, start in zip(comms, TableParts(comms).starts, strict=True):
        mine = towns.slice(start, part.rows)
        odd = (mine != expected[part.folder]).arg_true().head(20)
        for pos, value in zip(part.where(odd), mine.gather(odd).to_list(), strict=True):
            found.append(MixedTowns(**pos.at(), column=where, value=value, note=expected[part.folder]))
    town_of = dict(
        zip(texts["communities"].get_column("community_id").to_list(), towns.to_list(), strict=True)
    )
    ids = texts["households"].get_column("community_id")
    for part, start in zip(homes, TableParts(homes).starts, strict=True):
        want = expected.get(part.folder)
        if want is None:
            continue
        mine = ids.slice(start, part.rows)
        theirs = mine.replace_strict(town_of, default=None, return_dtype=pl.String)
        odd = (theirs != want).fill_null(False).arg_true().head(20)
        for pos, cid in zip(part.where(odd), mine.gather(odd).to_list(), strict=True):
            value = f"{cid} ({town_of.get(cid)})"
            found.append(MixedTowns(**pos.at(), column="community_id", value=value, note=want))
    return found


def _all_distinct(ids: pl.Series) -> bool:
    """Whether no value repeats: a strictly increasing column (ids usually are) is proven at once."""
    if ids.len() < 2:
        return True
    increasing = (ids.slice(1) > ids.slice(0, ids.len() - 1)).all()
    return bool(increasing) or ids.n_unique() == ids.len()


def _spellings(words: tuple[str, ...]) -> list[str]:
    """The words as written most often: lower case, upper case, capitalised."""
    return sorted({form for word in words for form in (word, word.upper(), word.capitalize())})


def _fast_map(words: dict[str, str]) -> dict[str, str]:
    """Each word in its usual spellings (lower, UPPER, Capitalised) → its value."""
    return {form: value for word, value in words.items() for form in _spellings((word,))}


_SPACES = [" ", "\t", "\r", "\n", "\v", "\f", "\xa0", "\u2002", "\u2003", "\u2009", "\u3000"]
_TRUE_FAST = _spellings(TRUE_WORDS)
_FALSE_FAST = _spellings(FALSE_WORDS)
#: each spelling of a yes/no word → its (true, false) pair in the same family and case
_PAIRS = {
    form: (case(yes), case(no))
    for yes, no in zip(TRUE_WORDS, FALSE_WORDS, strict=True)
    for case in (str.lower, str.upper, str.capitalize)
    for form in (case(yes), case(no))
}


def _pair(cells: pl.Series) -> tuple[str, str] | None:
    """The yes/no pair of words a column's first cell belongs to ("是"→("是", "否")), if any."""
    first = cells[0] if cells.len() else None
    return _PAIRS.get(first) if isinstance(first, str) else None


def _typed_as_written(col: ColumnSpec, plus: bool = True, pair: tuple[str, str] | None = None) -> pl.Expr:
    """Stage 1: the column typed from its cells as written; a suspect cell becomes null.

    A suspect cell may still be right once trimmed or lower-cased (stage 2 decides); every
    wrong cell is suspect. Null counts are free, so clean columns cost this one pass.
    ``plus`` is False when the file has no "+" byte at all (so no cell can read "+3");
    ``pair`` is the yes/no pair of words to try first (see :func:`_pair`).
    """
    s = pl.col(col.name)
    if col.kind == "int":
        number = s.cast(pl.Int64, strict=False)
        size = s.str.len_bytes()
        # casts, though wrong: "0000000001" (ten digits), "-0" (a zero longer than "0"; other
        # negatives fail the range), "+3" (only looked for when the file has a "+" at all)
        doubt = (size > MAX_DIGITS) | ((number == 0) & (size > 1))
        if plus:
            doubt = doubt | s.str.starts_with("+")
        doubt = doubt | (number < col.lowest) | (number > col.highest)
        return pl.when(doubt).then(None).otherwise(number).alias(col.name)
    if col.kind == "bool":
        if pair is not None:  # two comparisons: the fastest test, right for most columns
            return pl.when(s == pair[0]).then(True).when(s == pair[1]).then(False).alias(col.name)
        return pl.when(s.is_in(_TRUE_FAST)).then(True).when(s.is_in(_FALSE_FAST)).then(False).alias(col.name)
    if col.kind == "choice":
        return s.replace_strict(_fast_map(dict(col.choices)), default=None, return_dtype=pl.String)
    return s


def _text_suspect(col: ColumnSpec) -> pl.Expr:
    """Stage 1's doubt about a text cell: empty, or any white space (stage 2 trims).

    A literal search for white space is far cheaper than an anchored pattern; inner spaces
    survive the trim.
    """
    s = pl.col(col.name)
    doubt = s.str.contains_any(_SPACES) | (s.str.len_bytes() > MAX_CELL_CHARS)
    return doubt if col.optional else doubt | (s.str.len_bytes() == 0)


def _typed_trimmed(col: ColumnSpec) -> pl.Expr:
    """Stage 2: the column typed from trimmed text; cells that failed their checks are null."""
    s = pl.col(col.name)
    if col.kind == "int":
        number = s.cast(pl.Int64, strict=False)
        ok = s.str.contains(_DIGITS) & (number >= col.lowest) & (number <= col.highest)
        return pl.when(ok).then(number).alias(col.name)
    if col.kind == "bool":
        return s.str.to_lowercase().is_in(list(TRUE_WORDS)).alias(col.name)
    if col.kind == "choice":
        return s.str.to_lowercase().replace_strict(col.choices, default=None).alias(col.name)
    return s


def _nearest(col: ColumnSpec, unmatched: list[str]) -> str:
    """'; did you mean ...' for the unmatched header closest to the column's names."""
    best: tuple[float, str] | None = None
    for cell in unmatched:
        for name in (col.name, col.zh):
            score = difflib.SequenceMatcher(None, cell.lower(), name.lower()).ratio()
            if score >= 0.6 and (best is None or score > best[0]):
                best = (score, cell)
    return f"; did you mean '{best[1]}'?" if best else ""
