"""Read a data folder: each table of the contract as text, from CSV files or workbooks.

A submission folder holds, per table, ``communities.csv`` or a workbook ``communities.xlsx``
(or .xls, .xlsb, .xlsm, .ods; likewise
``households``; names in any letter case), or a workbook of any name with (visible) sheets
named 社区/communities and 住户/households. A county folder may instead hold one such folder
per town; every town's files are read, and validation joins them into one county dataset.

Nothing is left out silently: a sub-folder of a county folder that holds no data file, two
files for one table, a folder with both its own data files and town folders, or an old
``.xls`` file is a problem that names the folder and what was found there.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from houfu_check.dataset import Progress, no_progress
from houfu_check.errors import (
    AmbiguousFile,
    DataError,
    ErrorLog,
    FolderNotFound,
    HiddenFolder,
    MissingFile,
    NestedDataFolder,
    NoDataFolder,
    NoRecords,
    NotAFile,
    NotAFolder,
    ProblemsFound,
    TooLarge,
)
from houfu_check.io.coded import Coding
from houfu_check.io.csv_table import CsvJob, read_csv_tables
from houfu_check.io.excel import header_key, read_excel_table, visible_sheets
from houfu_check.io.table import RawTable
from houfu_check.io.workbook_kind import WORKBOOK_SUFFIXES
from houfu_check.limits import file_too_large
from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec

#: the kinds of file a table is read from, by name (households.csv, households.xlsx, …)
_TABLE_SUFFIXES = (".csv", *WORKBOOK_SUFFIXES)

#: other spreadsheet formats a town may send: named in the message, not read
UNREAD = {
    ".et": "a WPS spreadsheet: save it as .xlsx",
    ".numbers": "a Numbers spreadsheet: export it as .xlsx",
}


@dataclass(frozen=True)
class Source:
    """Where one table of one submission is: a CSV file, a workbook (and its sheet)."""

    path: Path
    sheet: str | None = None  # None: a CSV file, or a workbook named for its table

    def label(self, prefix: str) -> str:
        return prefix + self.path.name + (f", sheet {self.sheet}" if self.sheet else "")


def read_folder(
    folder: Path,
    workdir: Path,
    log: ErrorLog,
    contract: Contract,
    encoding: str | None = None,
    progress: Progress = no_progress,
    scan: FolderScan | None = None,
) -> dict[str, list[RawTable]]:
    """The tables of the contract that can be read from ``folder``, as text, per file.

    Every file is tried, so one run reports the problems of all of them: a file that is
    missing or unreadable is left out of the result and its problems go to ``log``.
    """
    if not folder.exists():
        log.add(FolderNotFound(file=str(folder), note=expected(contract), note_zh=expected(contract, "zh")))
        return {}
    if not folder.is_dir():
        log.add(NotAFolder(file=str(folder), note=expected(contract), note_zh=expected(contract, "zh")))
        return {}
    raw: dict[str, list[RawTable]] = {}
    seen = scan if scan is not None else FolderScan(contract)  # shared with the unread-files check
    subs = submissions(folder, contract, log, seen)
    plans = [(prefix, _plan_submission(sub, prefix, contract, seen)) for sub, prefix in subs]
    wanted = {
        spec.name: (_wanted(spec), _multiline(spec), _coded(spec, contract.missing_values))
        for spec in contract.data_tables
    }
    jobs = [
        CsvJob(step.source.path, step.display, step.spec.unit, *wanted[step.spec.name])
        for _, steps in plans
        for step in steps
        if isinstance(step, _Read) and step.source.path.suffix.lower() == ".csv"
    ]
    read = iter(read_csv_tables(jobs, workdir, encoding, progress))  # in one go: towns share headers
    for prefix, steps in plans:
        for step in steps:
            if not isinstance(step, _Read):
                log.add(step)
                continue
            try:
                if step.source.path.suffix.lower() == ".csv":
                    table = next(read)
                    if isinstance(table, ProblemsFound):
                        raise table
                else:
                    progress(f"reading {step.source.label(prefix)}")
                    table = _read_workbook(step.source, step.display, step.spec)
            except ProblemsFound as problems:
                items = [
                    dataclasses.replace(p, note_zh=step.spec.zh or step.spec.name)
                    if isinstance(p, NoRecords)
                    else p
                    for p in problems.log.items
                ]  # "one row per …": the table's unit in Chinese, from the contract
                log.add_many(items, problems.log.total)
                continue
            table.folder = prefix.rstrip("/")
            raw.setdefault(step.spec.name, []).append(table)
    _optional_in_some(contract, subs, raw, log)
    return raw


@dataclass(frozen=True)
class _Read:
    """A table to read from a source, in a submission's plan."""

    spec: TableSpec
    source: Source
    display: str


def _optional_in_some(
    contract: Contract, subs: list[tuple[Path, str]], raw: dict[str, list[RawTable]], log: ErrorLog
) -> None:
    """An optional table given by some town folders and not others would drop those towns'
    rows silently: each folder without it is named."""
    for spec in contract.data_tables:
        given = {table.folder for table in raw.get(spec.name, [])}
        if spec.required or not given or len(subs) < 2:
            continue
        for _, prefix in subs:
            if prefix.rstrip("/") not in given:
                others = sorted(given)[:3]
                note = f"{spec.file_name}, as other town folders do ({', '.join(others)}); give it here too"
                zh = f"{spec.file_name},其他镇文件夹({'、'.join(others)})都有;这里也请提供"
                log.add(MissingFile(file=prefix + spec.file_name, note=note, note_zh=zh))


def submissions(
    folder: Path, contract: Contract, log: ErrorLog | None = None, seen: FolderScan | None = None
) -> list[tuple[Path, str]]:
    """The submission folders of ``folder`` with the prefix that names their files: the folder
    itself, or each town folder in it. Problems with the layout go to ``log``; ``seen`` keeps
    what each folder holds, for the reads that follow."""
    log = log if log is not None else ErrorLog()
    seen = seen if seen is not None else FolderScan(contract)
    _sources_in = seen.sources
    subs = _sub_folders(folder, seen)
    for hidden in _hidden_folders(folder, seen):  # a town's data must never drop out unseen
        if _sources_in(hidden, contract):
            log.add(HiddenFolder(file=f"{hidden.name}/"))
    own = _sources_in(folder, contract)
    towns = [sub for sub in subs if _sources_in(sub, contract)]
    if own and towns:
        names = ", ".join(f"{t.name}/" for t in towns[:5])
        note = f"the folder holds both its own data files and town folders ({names})"
        zh = f"该文件夹既有自己的数据文件,又有各镇文件夹({names.replace(', ', '、')})"
        log.add(AmbiguousFile(file=str(folder), note=note, note_zh=zh))
        return []
    if own or not subs:
        return [(folder, "")]
    with_data = set(towns)  # a set: a county of 10,000 town folders is one pass, not quadratic
    for sub in subs:
        if sub not in with_data:  # a town whose data would otherwise drop out of the county
            log.add(
                NoDataFolder(
                    file=f"{sub.name}/",
                    note=f"{expected(contract)}; {_found(sub)}",
                    note_zh=f"{expected(contract, 'zh')};{_found(sub, 'zh')}",
                )
            )
    for town in towns:  # a late file put in a sub-folder (补报/) would drop out unseen
        for inner in _all_folders(town, seen):
            if _sources_in(inner, contract):
                log.add(NestedDataFolder(file=f"{town.name}/{inner.name}/"))
    return [(town, f"{town.name}/") for town in towns]


def unread_files(
    folder: Path, contract: Contract, county_only: tuple[str, ...] = (), scan: FolderScan | None = None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Spreadsheet files in a submission folder that no table is read from — a
    ``communities副本.csv`` the clerk edited, a ``汇总.xlsx`` without the tables' sheets — as
    (file, why, why in Chinese): a warning, since the file may be a note, or the real data.
    And the files named ``county_only`` (waivers.yaml …) found in a town folder: not read there."""
    tables = [spec.name for spec in contract.data_tables]
    sheets = "、".join(spec.zh or spec.name for spec in contract.data_tables)
    seen = scan if scan is not None else FolderScan(contract)
    found, misplaced = [], []
    for sub, prefix in submissions(folder, contract, None, seen) if folder.is_dir() else []:
        files = _files(sub, seen)
        if prefix and county_only:  # from the folder's listing, not a stat per name and town
            names = {path.name.casefold(): path.name for path in files}  # Waivers.yaml too
            misplaced += [prefix + names[name.casefold()] for name in county_only if name.casefold() in names]
        read = {s.path for ss in seen.sources(sub, contract).values() for s in ss}
        for path in files:
            suffix = path.suffix.lower()
            if path in read or suffix not in (".csv", *WORKBOOK_SUFFIXES):
                continue
            if suffix == ".csv" or path.stem.casefold() in tables:
                why = f"its name is no table of the contract ({', '.join(f'{t}.csv' for t in tables)})"
                zh = f"文件名不是数据规范中的表({'、'.join(f'{t}.csv' for t in tables)})"
            elif _unreadable(path):
                why, zh = (
                    "it cannot be opened as a workbook (is it damaged?)",
                    "它无法作为工作簿打开(是否已损坏?)",
                )
            else:
                why = f"none of its sheets is named for a table ({sheets})"
                zh = f"没有一个工作表以表名命名({sheets})"
            found.append((prefix + path.name, why, zh))
    return found, misplaced


def data_paths(folder: Path, contract: Contract) -> list[Path]:
    """Every data file a run reads from ``folder`` (and its town folders): never written to."""
    if not folder.is_dir():
        return []
    return sorted(
        {
            s.path
            for sub, _ in submissions(folder, contract)
            for ss in _sources_in(sub, contract).values()
            for s in ss
        }
    )


class FolderScan:
    """What each folder holds (its sources), looked at once per run: a county of town folders
    is asked about several times (layout, reading, the files not to write over)."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.held: dict[Path, dict[str, list[Source]]] = {}
        self.listed: dict[Path, list[tuple[Path, bool, bool]]] = {}  # each folder listed once

    def sources(self, folder: Path, contract: Contract) -> dict[str, list[Source]]:
        if contract is not self.contract:
            return _sources_in(folder, contract)
        if folder not in self.held:
            self.held[folder] = _sources_in(folder, contract, self)
        return self.held[folder]

    def entries(self, folder: Path) -> list[tuple[Path, bool, bool]]:
        if folder not in self.listed:
            self.listed[folder] = _list(folder)
        return self.listed[folder]


def _sources_in(folder: Path, contract: Contract, scan: FolderScan | None = None) -> dict[str, list[Source]]:
    """Per table, the files (and sheets) in ``folder`` that could hold it."""
    found: dict[str, list[Source]] = {}
    # each name's parts once (a county's thousands of town files)
    files = [(path, path.stem.casefold(), path.suffix.lower()) for path in _files(folder, scan)]
    stems = {spec.name for spec in contract.data_tables}
    for spec in contract.data_tables:
        for path, stem, suffix in files:
            if stem == spec.name and suffix in _TABLE_SUFFIXES:
                found.setdefault(spec.name, []).append(Source(path))
    for path, stem, suffix in files:
        if suffix not in WORKBOOK_SUFFIXES or stem in stems:
            continue
        try:
            sheets = visible_sheets(path, path.name)
        except ProblemsFound:
            continue  # an unreadable workbook of another name is not a data file
        for spec in contract.data_tables:
            for sheet in sheets:
                if sheet.strip().casefold() in spec.sheet_names:
                    found.setdefault(spec.name, []).append(Source(path, sheet))
    return found


def _plan_submission(
    folder: Path, prefix: str, contract: Contract, seen: FolderScan
) -> list[_Read | DataError]:
    """What to read from one submission folder, table by table, and the problems of its layout
    (a file missing, two files for one table, one too large), in the order they are said."""
    sources = seen.sources(folder, contract)
    steps: list[_Read | DataError] = []
    for spec in contract.data_tables:
        mine = sources.get(spec.name, [])
        if not mine and (folder / spec.file_name).is_dir():
            steps.append(NotAFile(file=prefix + spec.file_name, note=spec.file_name))
            continue
        if not mine and not spec.required:
            continue  # an optional table not given: its rules are n/a
        if not mine:
            steps.append(
                MissingFile(
                    file=prefix + spec.file_name,
                    note=f"{expected(contract)}; {_found(folder)}",
                    note_zh=f"{expected(contract, 'zh')};{_found(folder, 'zh')}",
                )
            )
            continue
        if len(mine) > 1:
            both = " and ".join(s.label(prefix) for s in mine)
            both_zh = "和".join(
                prefix + s.path.name + (f"(工作表 {s.sheet})" if s.sheet else "") for s in mine
            )
            steps.append(
                AmbiguousFile(
                    file=prefix + mine[0].path.name,
                    note=f"{both} both hold the {spec.name}",
                    note_zh=f"{both_zh}都含有{spec.zh or spec.name}数据",
                )
            )
            continue
        source = mine[0]
        csv = source.path.suffix.lower() == ".csv"  # its reader looks at its size, from the open file
        too_large = None if csv else _too_large(source.path, prefix + source.path.name)
        steps.append(too_large or _Read(spec, source, prefix + source.path.name))
    return steps


def _too_large(path: Path, display: str) -> TooLarge | None:
    """The problem of a file over :data:`MAX_FILE_BYTES`, if it is (a CSV file's reader looks
    at its size itself, from the open file)."""
    said = file_too_large(path.stat().st_size)
    return TooLarge(file=display, note=said[0], note_zh=said[1]) if said else None


def _read_workbook(source: Source, display: str, spec: TableSpec) -> RawTable:
    sheet = source.sheet
    sheets: list[str] = []
    if sheet is None:  # communities.xlsx (.xls, .ods…): its sheet named for the table, else the first
        sheets = visible_sheets(source.path, display)
        sheet = next(
            (s for s in sheets if s.strip().casefold() in spec.sheet_names), sheets[0] if sheets else None
        )
    personal = {header_key(n).casefold() for c in spec.columns if c.personal for n in c.headers}
    read = {header_key(n).casefold() for c in spec.columns if not c.personal for n in c.headers}
    return read_excel_table(
        source.path,
        display,
        sheet,
        _known(spec),
        spec.unit,
        lambda cell: cell.casefold() in personal,
        lambda cell: cell.casefold() in read,
        example=" or ".join(f"'{h}'" for h in spec.column(spec.columns[0].name).headers[:2]),
        choices=sheets,
        named=[n for n in (spec.zh, spec.name) if n],
    )


def _found(folder: Path, lang: str = "en") -> str:
    """What a folder holds instead, for a message: a few names and hints."""
    if lang == "zh":
        names = (
            [p.name for p in sorted(folder.iterdir(), key=lambda p: p.name)[:8]] if folder.is_dir() else []
        )
        names = [n for n in names if not n.startswith((".", "~$"))]
        shown = [n + ("(无法读取的工作簿)" if _unreadable(folder / n) else "") for n in names]
        return "其中有:" + "、".join(shown) if names else "该文件夹是空的"
    items = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name)[:8] if folder.is_dir() else []:
        if path.name.startswith((".", "~$")):
            continue
        hint = UNREAD.get(path.suffix.lower())
        if path.is_dir():
            items.append(f"{path.name}/ (a folder)")
        elif not path.is_file():
            items.append(f"{path.name} (not a regular file: a pipe, a device or a broken link)")
        elif hint:
            items.append(f"{path.name} ({hint})")
        elif path.suffix.lower() in WORKBOOK_SUFFIXES:
            try:
                items.append(f"{path.name} (sheets: {', '.join(visible_sheets(path, path.name)) or 'none'})")
            except ProblemsFound:
                items.append(f"{path.name} (not a readable workbook)")
        else:
            items.append(path.name)
    return "found " + ", ".join(items) if items else "the folder is empty"


def _list(folder: Path) -> list[tuple[Path, bool, bool]]:
    """(path, is a folder, is a file) of each entry, in name order, links followed: one listing,
    the kinds from the directory itself where it tells them (no stat per entry)."""
    try:
        with os.scandir(folder) as listing:
            found = sorted((e.name, e.is_dir(), e.is_file()) for e in listing)  # names: cheap to sort
    except OSError:
        return []
    return [(folder / name, is_dir, is_file) for name, is_dir, is_file in found]


def _entries(folder: Path, scan: FolderScan | None) -> list[tuple[Path, bool, bool]]:
    return scan.entries(folder) if scan is not None else _list(folder)


def _unreadable(path: Path) -> bool:
    """Whether ``path`` is a workbook by its name that cannot be opened as one."""
    if path.suffix.lower() not in WORKBOOK_SUFFIXES or not path.is_file():
        return False
    try:
        visible_sheets(path, path.name)
    except ProblemsFound:
        return True
    return False


def _sub_folders(folder: Path, scan: FolderScan | None = None) -> list[Path]:
    """The sub-folders (town folders, in a county folder), in name order; hidden ones are not."""
    return [p for p, is_dir, _ in _entries(folder, scan) if is_dir and not p.name.startswith(".")]


def _all_folders(folder: Path, scan: FolderScan | None = None) -> list[Path]:
    """Every sub-folder, hidden ones too, in one listing."""
    return [p for p, is_dir, _ in _entries(folder, scan) if is_dir]


def _hidden_folders(folder: Path, scan: FolderScan | None = None) -> list[Path]:
    """Sub-folders whose names start with '.', which are not read."""
    return [p for p, is_dir, _ in _entries(folder, scan) if is_dir and p.name.startswith(".")]


def _files(folder: Path, scan: FolderScan | None = None) -> list[Path]:
    """The files directly in ``folder`` (not Excel's ``~$`` lock files, not hidden ones)."""
    return [p for p, _, is_file in _entries(folder, scan) if is_file and not p.name.startswith(("~$", "."))]


def expected(contract: Contract, lang: str = "en") -> str:
    """What a submission folder must hold, for messages."""
    required = [spec for spec in contract.data_tables if spec.required]
    if lang == "zh":
        files = "和".join(spec.file_name for spec in required)
        sheets = "和".join(f"“{spec.zh or spec.name}”" for spec in required)
        return f"{files}(或 .xlsx),或一个含有工作表{sheets}的工作簿"
    files = " and ".join(spec.file_name for spec in required)
    sheets = " and ".join(spec.zh or spec.name for spec in required)
    return f"{files} (or .xlsx), or a workbook with sheets {sheets}"


def _wanted(spec: TableSpec) -> Callable[[str], bool]:
    """Whether a header cell names a column of ``spec`` that the tool reads (not personal ones)."""
    names = {n.casefold() for c in spec.columns if not c.personal for n in c.headers}
    return lambda cell: cell.strip().lstrip("\ufeff").strip().casefold() in names


def _multiline(spec: TableSpec) -> Callable[[str], bool]:
    """Whether a header cell names a column whose cells may hold line breaks."""
    names = {n.casefold() for c in spec.columns if c.multiline for n in c.headers}
    return lambda cell: cell.strip().lstrip("\ufeff").strip().casefold() in names


def _coded(spec: TableSpec, missing: tuple[str, ...]) -> Callable[[str], Coding | None]:
    """The typed column a header cell names (numbers, yes/no, dates, choices: few distinct
    values), which is read coded (:mod:`houfu_check.io.coded`); None for any other cell.
    ``missing``: the contract's missing values, usual texts of every typed column."""
    blanks = tuple(dict.fromkeys(word for word in missing if word))  # a word once: a fixed list repeats none
    codings = {
        c.name: Coding(
            c.name,
            c.usual_texts + tuple(w for w in blanks if w not in c.usual_texts) if c.usual_texts else (),
            typed=_typed(c, blanks),
        )
        for c in spec.columns
        if c.coded
    }
    names = {n.casefold(): codings[c.name] for c in spec.columns if c.coded for n in c.headers}
    return lambda cell: names.get(cell.strip().lstrip("\ufeff").strip().casefold())


def _typed(col: ColumnSpec, missing: tuple[str, ...]) -> str:
    """Whether a coded column may be read as values (:mod:`houfu_check.io.plain_values`):
    "number" for whole numbers; "boolean" for a yes/no column whose words are true and false
    (the parser's, in any case, as the tool reads them too); "" for any other."""
    if col.kind == "int":
        return "number"
    words = {w.lower() for w in missing}
    if col.kind == "bool" and "true" in col.true_words and "false" in col.false_words:
        return "" if words & {"true", "false"} else "boolean"
    return ""


def _known(spec: TableSpec) -> Callable[[str], bool]:
    """Whether a (space-free) header cell names any column of ``spec``."""
    names = {header_key(n).casefold() for c in spec.columns for n in c.headers}
    return lambda cell: cell.casefold() in names
