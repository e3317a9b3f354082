"""Rectification lists (整改清单): one CSV per failing rule, each row a unit that must act,
and the same lists as one workbook, a sheet per rule.

CSV files are UTF-8 with a byte-order mark (so Excel opens Chinese correctly), and every text
cell that a spreadsheet would read as a formula is neutralised. An export is all or nothing:
the new lists are written into a hidden staging folder first, then swapped in under a lock, with
SIGINT and SIGTERM held back, so the folder holds either the old lists or the new ones — never a
mix, never a partial list, also when two runs export at once or the disk fills up.

A process killed outright (SIGKILL, power loss) in the middle of the swap cannot be held back;
the swap is journaled instead: a journal names the staging folder and the new lists before the
first file moves, and the next export or clearing into the folder completes the swap from it
(roll forward) before doing anything else. Staging folders of runs that died are removed then.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from houfu_check.atomic import atomic_path
from houfu_check.i18n import Lang, label
from houfu_check.inert import for_cell as neutralise
from houfu_check.pack.contract import Contract
from houfu_check.report import Report

WORKBOOK = "failing-units.xlsx"
#: lists the files the last export wrote, so the next one removes exactly those (no stale lists)
MANIFEST = ".houfu-check-lists"
#: names the staging folder and the new lists while a swap is under way (see the module's doc)
JOURNAL = ".houfu-check-swap"
STAGING_PREFIX = ".houfu-check-new-"
#: data rows per sheet: Excel's 1,048,576 rows less the header; longer lists continue on "~2" sheets
SHEET_ROWS = 1_048_575


def clear_previous(out_dir: Path) -> list[str]:
    """Remove the files the previous export into ``out_dir`` wrote (named in its manifest)."""
    if not (out_dir / MANIFEST).is_file() and not (out_dir / JOURNAL).is_file():
        return []
    with _swapping(out_dir):
        _recover(out_dir)
        return _remove_listed(out_dir)


def _plain_name(name: str) -> bool:
    """A list's file name as a manifest or journal may name it: no folder, not hidden."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def _remove_listed(out_dir: Path, keep: frozenset[str] = frozenset()) -> list[str]:
    """Remove the lists the manifest names (but ``keep``), and the manifest."""
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        return []
    removed = []
    for name in manifest.read_text(encoding="utf-8").splitlines():
        path = out_dir / name
        if _plain_name(name) and name not in keep and path.is_file():
            path.unlink()
            removed.append(name)
    manifest.unlink()
    return removed


def _swap_in(out_dir: Path, staging: Path, names: list[str]) -> None:
    """Move the new lists from ``staging`` into ``out_dir``, removing the old ones; idempotent,
    so that a swap the journal names can be completed after a crash."""
    _remove_listed(out_dir, keep=frozenset(names))
    for name in names:
        if (staging / name).is_file():
            os.replace(staging / name, out_dir / name)
    with atomic_path(out_dir / MANIFEST) as tmp:
        tmp.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")


def _recover(out_dir: Path, own: Path | None = None) -> None:
    """Complete a swap a killed run left under way, and remove the staging folders of runs that
    died (a live run holds its staging folder locked). Called with the folder's lock held."""
    import fcntl

    journal = out_dir / JOURNAL
    if journal.is_file():
        lines = journal.read_text(encoding="utf-8").splitlines()
        staging = out_dir / lines[0] if lines and lines[0].startswith(STAGING_PREFIX) else None
        if staging is not None and "/" not in lines[0] and staging.is_dir():
            _swap_in(out_dir, staging, [n for n in lines[1:] if _plain_name(n)])
        journal.unlink()
    for stale in out_dir.glob(STAGING_PREFIX + "*"):
        if stale == own or not stale.is_dir() or stale.is_symlink():
            continue
        fd = os.open(stale, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # not held: its run is gone
        except OSError:
            continue  # a live run is still writing into it
        finally:
            os.close(fd)
        shutil.rmtree(stale, ignore_errors=True)


def write_failing_lists(
    out_dir: Path, rows: dict[str, pl.DataFrame], report: Report, lang: Lang, contract: Contract
) -> list[Path]:
    """Write ``<rule id>.csv`` for each rule in ``rows`` and the workbook; returns the files.

    The lists of an earlier export into ``out_dir`` go in the same swap, so that a rule that now
    passes leaves no list behind. Raises OSError when the lists cannot be written (the folder
    then holds the old lists, untouched).
    """
    import fcntl

    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=STAGING_PREFIX))
    alive = os.open(staging, os.O_RDONLY)
    fcntl.flock(alive, fcntl.LOCK_SH)  # while this run lives, no other run removes its staging
    try:
        written = []
        for rule_id, (header, lines) in _tables(rows, report, lang, contract).items():
            path = staging / f"{rule_id}.csv"
            with open(path, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(lines)
            written.append(path)
        written.append(write_workbook(staging / WORKBOOK, rows, report, lang, contract))
        with _swapping(out_dir):
            _recover(out_dir, own=staging)
            names = [p.name for p in written]
            with atomic_path(out_dir / JOURNAL) as tmp:  # before the first file moves
                tmp.write_text("".join(f"{n}\n" for n in [staging.name, *names]), encoding="utf-8")
            _swap_in(out_dir, staging, names)
            (out_dir / JOURNAL).unlink()
    finally:
        with _holding_signals():  # a Ctrl+C now must not leave the staging folder half removed
            os.close(alive)
            shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / p.name for p in written]


@contextlib.contextmanager
def _swapping(out_dir: Path) -> Iterator[None]:
    """The swap of old lists for new: one run at a time (a lock on the folder), and SIGINT and
    SIGTERM held until it is done (renames within one folder need no disk space).

    Holding is done by handlers that note the signal, not by a signal mask: a mask holds for
    one thread only, and the kernel hands a process's signal to any thread that does not block
    it (polars' threads), after which Python runs its handler in the main thread all the same.
    """
    import fcntl

    lock = os.open(out_dir, os.O_RDONLY)  # the folder itself is the lock: no file left behind
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with _holding_signals():
                yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    finally:
        os.close(lock)


@contextlib.contextmanager
def _holding_signals() -> Iterator[None]:
    """SIGINT and SIGTERM noted, not acted on, until the block is done; then the first one
    noted does what it would have done."""
    pending: list[int] = []
    previous: dict[signal.Signals, Any] = {}
    with contextlib.suppress(ValueError):  # not the main thread: nothing can be held
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda signum, _frame: pending.append(signum))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if pending:  # now, with the work whole: the signal does what it would have done
        signal.raise_signal(pending[0])


def write_workbook(
    path: Path, rows: dict[str, pl.DataFrame], report: Report, lang: Lang, contract: Contract
) -> Path:
    """One sheet per rule (named by its id, cut to Excel's 31 characters) after an index sheet."""
    import xlsxwriter  # only when a workbook is asked for

    titles = {r.id: r for r in report.rules}
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        bold = book.add_format({"bold": True})
        first = "目录" if lang == "zh" else "index"
        index = book.add_worksheet(first)
        heads = ["rule_id", "rule", "status", "failing", "sheet"]
        index.write_row(0, 0, [label(h, lang) for h in heads], bold)
        used: set[str] = {first}
        n = 0
        for rule_id, (header, lines) in _tables(rows, report, lang, contract).items():
            result = titles[rule_id]
            for start in range(0, max(len(lines), 1), SHEET_ROWS):  # Excel's row limit: continue
                name = _sheet_name(rule_id, used)
                sheet = book.add_worksheet(name)
                sheet.write_row(0, 0, header, bold)
                for r, line in enumerate(lines[start : start + SHEET_ROWS], start=1):
                    for c, value in enumerate(line):
                        if isinstance(value, str):
                            sheet.write_string(r, c, value)
                        else:  # a figure stays a number a clerk can sum
                            sheet.write_number(r, c, value)
                n += 1
                for c, text in enumerate((rule_id, result.title[lang], label(result.status, lang))):
                    index.write_string(n, c, neutralise(text))  # a pack's title is text too
                index.write_number(n, 3, result.failing_count)
                index.write_string(n, 4, name)
        book.close()
    return path


def _tables(
    rows: dict[str, pl.DataFrame], report: Report, lang: Lang, contract: Contract
) -> dict[str, tuple[list[str], list[list[str | int | float]]]]:
    """Header and cells per rule, in the report's language: text inert, figures as numbers."""
    zh_names: dict[str, str] = {}
    for spec in contract.tables:
        for c in spec.columns:
            zh_names.setdefault(c.name, c.zh)
    leads = {r.id: "、".join(r.lead) for r in report.rules}
    yes, no = ("是", "否") if lang == "zh" else ("true", "false")
    words = _choice_words(contract) if lang == "zh" else {}
    out = {}
    for rule_id, frame in rows.items():
        names = [_header_zh(c, zh_names, contract) if lang == "zh" else c for c in frame.columns]
        header = [*names, label("lead", lang)]
        lead = neutralise(leads.get(rule_id, ""))
        said = [words.get(c, {}) for c in frame.columns]  # a choice's value in Chinese (警务工作室)
        lines = [
            [
                *(_cell(said[i].get(v, v) if isinstance(v, str) else v, yes, no) for i, v in enumerate(row)),
                lead,
            ]
            for row in frame.iter_rows()
        ]
        out[rule_id] = (header, lines)
    return out


def _choice_words(contract: Contract) -> dict[str, dict[str, str]]:
    """Per choice column, each value's Chinese spelling (the first accepted word in Chinese)."""
    out: dict[str, dict[str, str]] = {}
    for spec in contract.tables:
        for col in spec.columns:
            for word, value in col.choices.items():
                if any("\u4e00" <= ch <= "\u9fff" for ch in word):
                    out.setdefault(col.name, {}).setdefault(value, word)
    return out


def _sheet_name(rule_id: str, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters (Excel's limit) for ``rule_id``."""
    name, n = rule_id[:31], 1
    while name in used:
        n += 1
        name = f"{rule_id[: 31 - len(str(n)) - 1]}~{n}"
    used.add(name)
    return name


_AGGREGATE = re.compile(r"^(sum|count|any|all)\((\w+)(?:, (.+))?\)$")
_AGGREGATE_ZH = {"sum": "合计", "count": "计数", "any": "任一", "all": "全部"}


def _header_zh(name: str, zh_names: dict[str, str], contract: Contract) -> str:
    """A list's column in Chinese: its header, or an aggregate in words (合计(住户: 家庭人口数))."""
    if name in zh_names:
        return zh_names[name]
    match = _AGGREGATE.match(name)
    if match is None:
        return name
    function, table, inner = match.groups()
    rows = contract.table(table).zh if contract.has_table(table) else table
    said = re.sub(r"\b[a-z_][a-z0-9_]*\b", lambda m: zh_names.get(m.group(0), m.group(0)), inner or "")
    return f"{_AGGREGATE_ZH[function]}({rows}" + (f": {said})" if said else ")")


def _cell(value: object, yes: str, no: str) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return float(value)
    return str(value)
