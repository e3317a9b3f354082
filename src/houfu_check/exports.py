"""Rectification lists (整改清单): one CSV per failing rule, each row a unit that must act.

Files are UTF-8 with a byte-order mark (so Excel opens Chinese correctly), written atomically,
and every text cell that a spreadsheet would read as a formula is neutralised.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from pathlib import Path

import polars as pl

from houfu_check.contract import FALSE_WORDS, TRUE_WORDS, tables
from houfu_check.i18n import Lang, label
from houfu_check.report import Report

#: A cell starting with one of these is a formula (or its prelude) to Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell made inert for spreadsheets: a leading formula character gets a ' before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_failing_lists(
    out_dir: Path, rows: dict[str, pl.DataFrame], report: Report, lang: Lang
) -> list[Path]:
    """Write ``<rule id>.csv`` for each rule in ``rows``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    zh_names = {c.name: c.zh for spec in tables() for c in spec.columns}
    leads = {r.id: "、".join(r.lead) for r in report.rules}
    yes, no = (TRUE_WORDS[4], FALSE_WORDS[4]) if lang == "zh" else ("true", "false")  # 是/否
    written = []
    for rule_id, frame in rows.items():
        header = [zh_names.get(c, c) if lang == "zh" else c for c in frame.columns] + [label("lead", lang)]
        path = out_dir / f"{rule_id}.csv"
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                for row in frame.iter_rows():
                    cells = [_cell(value, yes, no) for value in row]
                    writer.writerow([*cells, neutralise(leads.get(rule_id, ""))])
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # as a plainly created file would be
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        written.append(path)
    return written


def _cell(value: object, yes: str, no: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, str):
        return neutralise(value)
    return str(value)
