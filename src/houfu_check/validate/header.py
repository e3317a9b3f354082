"""Header mapping: which column of a file holds which column of the contract.

A header cell names a column by its English name, its Chinese header or one of its aliases,
in any letter case and any order; surrounding spaces and a byte-order mark are ignored.
Missing and doubled columns are problems; a missing one gets the nearest unmatched header as
a hint.
"""

from __future__ import annotations

import difflib

from houfu_check.errors import DuplicateColumn, ErrorLog, MissingColumn, ParseFailure
from houfu_check.io.table import RawTable
from houfu_check.pack.contract import ColumnSpec, TableSpec


def header_key(cell: str) -> str:
    """A header cell as it is matched: trimmed, without a byte-order mark, case-folded."""
    return cell.strip().lstrip("\ufeff").strip().casefold()


def lookup(spec: TableSpec) -> dict[str, ColumnSpec]:
    """Every header that names a column of ``spec`` (see :func:`header_key`) → the column."""
    found: dict[str, ColumnSpec] = {}
    for col in spec.columns:
        for header in col.headers:
            found.setdefault(header_key(header), col)
    return found


def map_header(
    spec: TableSpec, raw: RawTable, log: ErrorLog, written: dict[str, str]
) -> dict[str, str] | None:
    """Column name → frame column holding it, or None when the header has problems (logged).

    ``written`` gets each column's header as written, for messages.
    """
    at = raw.header_position.at()
    if len(raw.header) == 1:
        sep = next((sep for sep in (";", "\t", "|") if sep in raw.header[0]), None)
        if sep is not None:
            shown = "a tab" if sep == "\t" else f"'{sep}'"
            note = (
                f"the header is one column and the separator looks like {shown}; "
                "save the file as comma-separated CSV"
            )
            log.add(ParseFailure(**at, note=note))
            return None
    names = lookup(spec)
    positions: dict[str, str] = {}
    mine: dict[str, str] = {}
    unmatched: list[str] = []
    doubled = False
    for index, cell in enumerate(raw.header):
        key = cell.strip().lstrip("\ufeff").strip()
        col = names.get(header_key(key))
        if col is None:
            unmatched.append(key)
            continue
        if col.name in positions:
            doubled = True
            note = f"'{mine[col.name]}' and '{key}' are both {col.name} ({col.zh})"
            note_zh = f"“{mine[col.name]}”和“{key}”都是 {col.zh}({col.name})"
            log.add(DuplicateColumn(**at, column=key, key=col.name, note=note, note_zh=note_zh))
            continue
        positions[col.name] = str(index)
        mine[col.name] = key
        written.setdefault(col.name, key)
    missing = False
    for col in spec.columns:
        if col.name in positions or col.optional:
            continue
        missing = True
        note = f"; expected a header '{col.name}' or '{col.zh}'" + nearest(col, unmatched)
        near = nearest(col, unmatched)
        found = near.split("'")[1] if near else ""
        close = f";文件中有“{found}”:请改为“{col.zh}”" if near else ""
        note_zh = f";应有表头“{col.zh}”或“{col.name}”" + close
        log.add(
            MissingColumn(**at, column=f"{col.name} ({col.zh})", key=col.name, note=note, note_zh=note_zh)
        )
    return None if missing or doubled else positions


def nearest(col: ColumnSpec, unmatched: list[str]) -> str:
    """'; did you mean ...' for the unmatched header closest to the column's names."""
    best: tuple[float, str] | None = None
    for cell in unmatched:
        for name in col.headers:
            score = difflib.SequenceMatcher(None, cell.lower(), name.lower()).ratio()
            if score >= 0.6 and (best is None or score > best[0]):
                best = (score, cell)
    return f"; the file has '{best[1]}': rename it to '{col.zh}'" if best else ""
