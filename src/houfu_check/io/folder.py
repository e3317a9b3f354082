"""Read a data folder: one text table per table of the contract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from houfu_check.contract import TableSpec, tables
from houfu_check.dataset import Progress, no_progress
from houfu_check.errors import ErrorLog, FolderNotFound, MissingFile, NotAFile, NotAFolder, ProblemsFound
from houfu_check.io.csv_table import RawTable, read_csv_table


def read_folder(
    folder: Path,
    workdir: Path,
    log: ErrorLog,
    encoding: str | None = None,
    progress: Progress = no_progress,
) -> dict[str, RawTable]:
    """The tables of the contract that can be read from ``folder``, as text.

    Every file is tried, so one run reports the problems of all of them: a file that is
    missing or unreadable is left out of the result and its problems go to ``log``.
    """
    expected = " and ".join(spec.file_name for spec in tables())
    if not folder.exists():
        log.add(FolderNotFound(file=str(folder), note=expected))
        return {}
    if not folder.is_dir():
        log.add(NotAFolder(file=str(folder), note=expected))
        return {}
    raw: dict[str, RawTable] = {}
    for spec in tables():
        path = folder / spec.file_name
        if path.is_dir():
            log.add(NotAFile(file=spec.file_name, note=spec.file_name))
            continue
        if not path.is_file():
            log.add(MissingFile(file=spec.file_name, note=expected))
            continue
        progress(f"reading {spec.file_name}")
        try:
            raw[spec.name] = read_csv_table(path, spec.file_name, workdir, encoding, spec.unit, _wanted(spec))
        except ProblemsFound as found:
            log.add_many(found.log.items, found.log.total)
    return raw


def _wanted(spec: TableSpec) -> Callable[[str], bool]:
    """Whether a header cell names a column of ``spec`` that the tool reads (not personal ones)."""
    names = {n for c in spec.columns if not c.personal for n in (c.name.lower(), c.zh)}
    return lambda cell: cell.strip().lstrip("\ufeff").strip().lower() in names
