"""A table read as text (from a CSV file or a worksheet), and where each of its records is.

Every reader produces a :class:`RawTable`: all cells text (a CSV file's typed columns coded,
:mod:`.coded`, or values proven written plainly, :mod:`.plain_values`), columns by position.
A table of the contract may be read from several files (one per town folder);
:class:`TableParts` puts them end to end and maps a record back to its file and line (or
sheet and row).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from houfu_check.io.coded import per_values


@dataclass(frozen=True)
class Position:
    """Where a record is: a file's physical line, or a sheet's row."""

    file: str
    line: int
    sheet: str | None = None

    def at(self) -> dict[str, Any]:
        """The position as the keyword arguments of a :class:`~houfu_check.errors.Problem`."""
        return {"file": self.file, "line": self.line, "sheet": self.sheet}


@dataclass
class RawTable:
    """One file (or one worksheet) read as text."""

    display: str  # the name used in messages, e.g. "households.csv" or "城关镇/households.xlsx"
    path: Path
    encoding: str  # "utf-8", "gb18030", … or a workbook's kind: "xlsx", "xlsb", "ods", "xls"
    sha256: str
    header: list[str]  # header cells as written (trimmed of spaces)
    frame: pl.DataFrame  # a column per header cell, named "0", "1", ...: text (some coded, some values)
    has_quotes: bool
    header_lines: int = 1  # records start on the line (row) after this one
    has_plus: bool = True  # False when the file has no "+" at all (then no cell is "+3")
    sheet: str | None = None  # the worksheet, for a workbook
    folder: str = ""  # the town folder it came from ("" for a single submission folder)
    key_lines: dict[str, int] | None = None  # facts of submission.yaml: each key's own line
    kept: pl.Series | None = None  # after blank rows were skipped: each record's index as read
    skipped_lines: list[int] = field(default_factory=list)  # where the skipped blank rows were
    coded: tuple[tuple[int, str], ...] = ()  # a large CSV file's coded and typed columns (io.coded)
    # its number columns' lowest and highest values (io.plain_values: proven written plainly)
    bounds: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    # parsed with other files (a county's towns): that frame, this file's first row in it, and
    # the slice of it this file's frame was (the table is then a slice, not the files stacked)
    joined: tuple[pl.DataFrame, int, pl.DataFrame] | None = field(default=None, repr=False, compare=False)

    _height: tuple[pl.DataFrame, int] | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> int:
        """The records read (asked for often, per file, of thousands of town files: kept)."""
        if self._height is None or self._height[0] is not self.frame:
            self._height = (self.frame, self.frame.height)
        return self._height[1]

    @property
    def header_position(self) -> Position:
        """Where the header is (its last line, for a header over several lines)."""
        return Position(self.display, self.header_lines if self.sheet else 1, self.sheet)

    def lines(self, rows: pl.Series | list[int]) -> list[int]:
        """Physical line numbers (1-based; header = line 1) where the given records start."""
        index = pl.Series("row", rows, dtype=pl.Int64)
        read = index if self.kept is None else self.kept.gather(index).cast(pl.Int64)  # as in the file
        if not self.has_quotes:
            return (read + self.header_lines + 1).to_list()
        return (read + self._line_breaks_before.gather(index) + self.header_lines + 1).to_list()

    def skip_blank_rows(self, blank: pl.Series) -> None:
        """Leave out the records whose every cell is empty (``blank``, one flag per record).

        Those after the last record (an export's trailing empty rows) carry nothing and go
        unsaid; those between records are kept in :attr:`skipped_lines` for a warning, and every
        other record keeps its line (:attr:`kept`).
        """
        filled = (~blank).arg_true()
        end = int(filled[-1]) + 1 if filled.len() else 0
        inner = blank.head(end).arg_true()
        if inner.len():
            self.skipped_lines = self.lines(inner)
            self.kept = filled
            self.__dict__.pop("_line_breaks_before", None)  # counted again over the rows kept
        self.frame = self.frame.filter(~blank) if inner.len() else self.frame.head(end)

    def where(self, rows: pl.Series | list[int]) -> list[Position]:
        return [Position(self.display, line, self.sheet) for line in self.lines(rows)]

    @cached_property
    def _line_breaks_before(self) -> pl.Series:
        """Per record, the line ends inside the quoted fields of all records before it."""
        count = {c: pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in self.frame.columns}
        breaks = pl.sum_horizontal(per_values(self.frame, count).values())  # coded: once per text
        counts = self.frame.select(breaks.cast(pl.Int64).alias("n")).get_column("n")
        return counts.cum_sum().shift(1, fill_value=0)


class TableParts:
    """A table read from one or more files, its records numbered end to end."""

    def __init__(self, parts: list[RawTable]) -> None:
        self.parts = parts
        self.starts: list[int] = []
        total = 0
        for part in parts:
            self.starts.append(total)
            total += part.rows
        self.rows = total

    def where(self, rows: pl.Series | list[int]) -> list[Position]:
        """Where each record is, in its own file."""
        wanted = [int(r) for r in rows]
        found: dict[int, Position] = {}
        by_part: dict[int, list[int]] = {}
        for row in wanted:
            by_part.setdefault(bisect.bisect_right(self.starts, row) - 1, []).append(row)
        for i, group in by_part.items():
            local = [r - self.starts[i] for r in group]
            for row, pos in zip(group, self.parts[i].where(local), strict=True):
                found[row] = pos
        return [found[r] for r in wanted]
