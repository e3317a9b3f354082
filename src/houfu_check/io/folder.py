"""Read a data folder: each table of the contract as text, from CSV files or workbooks.

A submission folder holds, per table, ``communities.csv`` or ``communities.xlsx`` (likewise
``households``), or one workbook with sheets named 社区/communities and 住户/households. A
county folder may instead hold one such folder per town; every town's files are read, and
validation joins them into one county dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from houfu_check.contract import TableSpec, tables
from houfu_check.dataset import Progress, no_progress
from houfu_check.errors import (
    AmbiguousFile,
    ErrorLog,
    FolderNotFound,
    MissingFile,
    NotAFile,
    NotAFolder,
    ProblemsFound,
    TooLarge,
)
from houfu_check.io.csv_table import read_csv_table
from houfu_check.io.excel import header_key, read_excel_table, sheet_names
from houfu_check.io.table import RawTable
from houfu_check.limits import MAX_FILE_BYTES

SUFFIXES = (".csv", ".xlsx")


def read_folder(
    folder: Path,
    workdir: Path,
    log: ErrorLog,
    encoding: str | None = None,
    progress: Progress = no_progress,
) -> dict[str, list[RawTable]]:
    """The tables of the contract that can be read from ``folder``, as text, per file.

    Every file is tried, so one run reports the problems of all of them: a file that is
    missing or unreadable is left out of the result and its problems go to ``log``.
    """
    expected = " and ".join(f"{spec.name}.csv (or .xlsx)" for spec in tables())
    if not folder.exists():
        log.add(FolderNotFound(file=str(folder), note=expected))
        return {}
    if not folder.is_dir():
        log.add(NotAFolder(file=str(folder), note=expected))
        return {}
    towns = [] if holds_data(folder) else town_folders(folder)
    raw: dict[str, list[RawTable]] = {}
    for sub, prefix in [(t, f"{t.name}/") for t in towns] or [(folder, "")]:
        for name, table in _read_submission(sub, prefix, workdir, log, encoding, progress).items():
            raw.setdefault(name, []).append(table)
    return raw


def holds_data(folder: Path) -> bool:
    """Whether ``folder`` holds a data file of its own (not only town folders)."""
    names = {spec.name for spec in tables()}
    return any(
        p.suffix.lower() in SUFFIXES and (p.stem in names or p.suffix.lower() == ".xlsx")
        for p in _files(folder)
    )


def town_folders(folder: Path) -> list[Path]:
    """The sub-folders that hold data files, in name order (one per town)."""
    try:
        subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []
    return [sub for sub in subs if holds_data(sub)]


def _read_submission(
    folder: Path, prefix: str, workdir: Path, log: ErrorLog, encoding: str | None, progress: Progress
) -> dict[str, RawTable]:
    expected = " and ".join(f"{spec.name}.csv (or .xlsx)" for spec in tables())
    workbooks = [p for p in _files(folder) if p.suffix.lower() == ".xlsx" and p.stem not in _stems()]
    raw: dict[str, RawTable] = {}
    for spec in tables():
        csv_path, xlsx_path = folder / spec.file_name, folder / f"{spec.name}.xlsx"
        if csv_path.is_dir():
            log.add(NotAFile(file=prefix + spec.file_name, note=spec.file_name))
            continue
        if csv_path.is_file() and xlsx_path.is_file():
            note = f"both {spec.file_name} and {xlsx_path.name} are here"
            log.add(AmbiguousFile(file=prefix + spec.file_name, note=note))
            continue
        chosen = csv_path if csv_path.is_file() else xlsx_path if xlsx_path.is_file() else None
        if chosen is not None and _too_large(chosen, prefix + chosen.name, log):
            continue
        try:
            if csv_path.is_file():
                progress(f"reading {prefix}{spec.file_name}")
                raw[spec.name] = read_csv_table(
                    csv_path, prefix + spec.file_name, workdir, encoding, spec.unit, _wanted(spec)
                )
            elif xlsx_path.is_file():
                progress(f"reading {prefix}{xlsx_path.name}")
                raw[spec.name] = _read_workbook(xlsx_path, prefix + xlsx_path.name, spec, None)
            else:
                found = _sheet_in(workbooks, spec, prefix, log)
                if found is None:
                    log.add(MissingFile(file=prefix + spec.file_name, note=expected))
                    continue
                book, sheet = found
                progress(f"reading {prefix}{book.name}, sheet {sheet}")
                raw[spec.name] = _read_workbook(book, prefix + book.name, spec, sheet)
        except ProblemsFound as problems:
            log.add_many(problems.log.items, problems.log.total)
    return raw


def _too_large(path: Path, display: str, log: ErrorLog) -> bool:
    """Whether ``path`` is over :data:`MAX_FILE_BYTES` (then a problem says so)."""
    size = path.stat().st_size
    if size <= MAX_FILE_BYTES:
        return False
    note = (
        f"the file is {size / 2**30:.1f} GiB; files of up to {MAX_FILE_BYTES / 2**30:.1f} GiB are read "
        "(set HOUFU_CHECK_MAX_FILE_BYTES to change the limit)"
    )
    log.add(TooLarge(file=display, note=note))
    return True


def _read_workbook(path: Path, display: str, spec: TableSpec, sheet: str | None) -> RawTable:
    if sheet is None:  # communities.xlsx: its sheet named for the table, else its first sheet
        sheets = sheet_names(path, display)
        sheet = next((s for s in sheets if s.strip().lower() in spec.sheet_names), None)
    personal = {n for c in spec.columns if c.personal for n in (c.name.lower(), header_key(c.zh))}
    return read_excel_table(
        path, display, sheet, _known(spec), spec.unit, lambda cell: cell.lower() in personal
    )


def _sheet_in(workbooks: list[Path], spec: TableSpec, prefix: str, log: ErrorLog) -> tuple[Path, str] | None:
    """The workbook and sheet holding ``spec`` (a sheet named 社区/communities, 住户/households)."""
    for book in workbooks:
        try:
            sheets = sheet_names(book, prefix + book.name)
        except ProblemsFound as problems:
            log.add_many(problems.log.items, problems.log.total)
            continue
        for sheet in sheets:
            if sheet.strip().lower() in spec.sheet_names:
                return book, sheet
    return None


def _files(folder: Path) -> list[Path]:
    """The files directly in ``folder`` (not Excel's ``~$`` lock files)."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("~$"))
    except OSError:
        return []


def _stems() -> set[str]:
    return {spec.name for spec in tables()}


def _wanted(spec: TableSpec) -> Callable[[str], bool]:
    """Whether a header cell names a column of ``spec`` that the tool reads (not personal ones)."""
    names = {n for c in spec.columns if not c.personal for n in (c.name.lower(), c.zh)}
    return lambda cell: cell.strip().lstrip("\ufeff").strip().lower() in names


def _known(spec: TableSpec) -> Callable[[str], bool]:
    """Whether a (space-free) header cell names any column of ``spec``."""
    names = {n for c in spec.columns for n in (c.name.lower(), header_key(c.zh))}
    return lambda cell: cell.lower() in names
