"""The validated data a run evaluates: typed frames plus what they were read from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from houfu_check.errors import Problem

#: Told what a long run is doing ("reading households.csv", "validating", ...); the CLI shows it.
Progress = Callable[[str], None]


def no_progress(step: str) -> None:
    """The default :data:`Progress`: say nothing."""


@dataclass(frozen=True)
class InputFile:
    """One input file as the report names it (never its contents)."""

    table: str
    name: str
    sha256: str
    rows: int
    encoding: str
    sheet: str | None = None
    table_zh: str = ""  # the table's Chinese name (住户), for a summary in Chinese


@dataclass(frozen=True)
class Dataset:
    """Typed tables keyed by contract table name (``communities``, ``households``).

    Column names are the contract's English names; personal columns are not present.
    """

    tables: dict[str, pl.DataFrame]
    files: tuple[InputFile, ...]
    warnings: tuple[Problem, ...] = ()  # found in the data, not enough to stop the run

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.tables[name]
