"""Small hand-made data folders for tests: rows that pass every rule, overridden per case."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from houfu_check.rules import default_contract


def table(name: str):  # type: ignore[no-untyped-def]
    """A table of the shipped pack's contract."""
    return default_contract().table(name)


def copy_contract(folder: Path) -> None:
    """Put the shipped contract beside a copy of the shipped rule file (it names contract.yaml)."""
    import shutil

    from houfu_check.rules.load import default_contract_path

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_contract_path(), folder / "contract.yaml")


class Tally(int):
    """A community's own figure that :func:`write_folder` sets from the household rows it
    writes (so a folder agrees with itself); elsewhere it is the number given."""


def _tallied(communities: list[dict[str, Any]], households: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str, list[int]] = {}
    for row in households:
        members = row.get("members", 0)
        got = counts.setdefault(str(row.get("community_id")).strip(), [0, 0])
        got[0] += 1
        text = str(members).strip()
        got[1] += int(text) if text.isdigit() else 1  # a broken cell: one member, the least there is
    out = []
    for row in communities:
        row = dict(row)
        found = counts.get(str(row.get("community_id")).strip(), [0, 0])
        for key, value in (("households", found[0]), ("population", found[1])):
            if isinstance(row.get(key), Tally):
                row[key] = value
        if isinstance(row.get("population"), int) and isinstance(row.get("households"), int):
            row["population"] = max(row["population"], row["households"])  # a household has a member
        out.append(row)
    return out


def community(cid: str = "C1", **overrides: Any) -> dict[str, Any]:
    """A community (of one household, as :func:`household` makes) that meets every community
    target on its own."""
    row: dict[str, Any] = {
        "community_id": cid,
        "community_name": f"{cid}社区",
        "town": "城关镇",
        "households": Tally(1),  # the count of its household rows, when write_folder knows them
        "population": Tally(4),  # the sum of their members
        "star_rating": 5,
        "party_organization": True,
        "employment_service": True,
        "industry_support": True,
        "service_center": True,
        "first_secretary": True,
        "work_team_members": 2,
        "new_young_party_members": 2,
        "employment_ledger": True,
        "population_ledger": True,
        "reserve_cadres_trained": 1,
        "platform_321": True,
        "police_post": "office",
        "police_officers": 1,
        "fulltime_auxiliary_police": 2,
        "parttime_auxiliary_police": 0,
        "police_assistants": 0,
        "property_company": False,
        "cross_appointment": False,
        "six_small_conditions": True,
        "shop": True,
        "storeroom": True,
        "dining_table": True,
        "classroom": True,
        "hall": True,
        "vegetable_garden": True,
        "ev_charging": True,
        "parking": True,
        "activity_space": True,
        "security_system": True,
        "fire_protection": True,
        "factories_operating": 20,
        "certified_doctors": 1,
        "has_clinic": True,
        "dispatched_doctor": False,
        "residents_committee": True,
        "maintenance_fund_started": True,
    }
    row.update(overrides)
    return _in_contract_order("communities", row)


def household(hid: str = "H1", cid: str = "C1", **overrides: Any) -> dict[str, Any]:
    """A household that meets every household target on its own."""
    row: dict[str, Any] = {
        "household_id": hid,
        "community_id": cid,
        "head_name": "张三",
        "members": 4,
        "poverty_alleviated": True,
        "labor_count": 2,
        "employed_count": 2,
        "stably_employed_count": 1,
        "skilled_labor_count": 2,
        "employment_difficulty": False,
        "public_welfare_posts": 0,
        "pension_eligible": 3,
        "pension_insured": 3,
        "dropout_children": 0,
        "dropout_due_to_relocation": 0,
        "family_doctor_signed_members": 4,
        "monitored": False,
        "assisted": False,
    }
    row.update(overrides)
    if "family_doctor_signed_members" not in overrides and isinstance(row["members"], int):
        row["family_doctor_signed_members"] = row["members"]  # every member signed, as before
    return _in_contract_order("households", row)


def _in_contract_order(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row's keys in the contract's column order (a template is filled in that order)."""
    names = table(name).names
    return {**{n: row[n] for n in names if n in row}, **{k: v for k, v in row.items() if k not in names}}


def _cell(value: Any) -> str:
    if isinstance(value, Tally):
        return str(int(value))
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def csv_text(name: str, rows: Iterable[Mapping[str, Any]], header: list[str] | None = None) -> str:
    """CSV text for table ``name`` with the contract's column order (or ``header``)."""
    names = header or list(table(name).names)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(n, "")) for n in names])
    return buf.getvalue()


def write_folder(
    folder: Path,
    communities: Iterable[Mapping[str, Any]] | None = None,
    households: Iterable[Mapping[str, Any]] | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Write a data folder; defaults to one passing community and one passing household."""
    folder.mkdir(parents=True, exist_ok=True)
    hhs = list(households) if households is not None else [household()]
    comms = _tallied(list(communities) if communities is not None else [community()], hhs)
    (folder / "communities.csv").write_bytes(csv_text("communities", comms).encode(encoding))
    (folder / "households.csv").write_bytes(csv_text("households", hhs).encode(encoding))
    return folder


def table_rows(name: str, rows: Iterable[Mapping[str, Any]], zh: bool = False) -> list[list[Any]]:
    """A table as a sheet's rows: the header (English or Chinese names), then typed values."""
    spec = table(name)
    header = [c.zh if zh else c.name for c in spec.columns]
    return [header, *([row.get(c.name, "") for c in spec.columns] for row in rows)]


def write_workbook(
    path: Path,
    sheets: Mapping[str, list[list[Any]]],
    title: str | None = None,
    formulas: Mapping[tuple[str, int, int], str] | None = None,
) -> Path:
    """An .xlsx workbook: each sheet's rows (``title`` above them, merged across, if given);
    ``formulas`` puts a formula at (sheet, 0-based row, column) of the written sheet."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    for sheet, rows in sheets.items():
        ws = book.add_worksheet(sheet)
        top = 0
        if title is not None:
            ws.merge_range(0, 0, 0, max(len(rows[0]) - 1, 1), title)
            top = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(top + r, c, value)
                elif isinstance(value, int | float):
                    ws.write_number(top + r, c, value)
                else:  # never ws.write: it would take "=…" for a formula
                    ws.write_string(top + r, c, str(value))
        for (name, r, c), formula in (formulas or {}).items():
            if name == sheet:
                ws.write_formula(r, c, formula, None, 7)
    book.close()
    return path


#: seconds a CLI subprocess may take: a hang, not a slow run, fails the test
TOOL_GUARD = 120


def run_tool(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m houfu_check ARGS`` as a real subprocess, UTF-8 throughout; ``env`` adds to the
    environment."""
    return subprocess.run(
        [sys.executable, "-m", "houfu_check", *args],
        capture_output=True,
        text=True,
        timeout=TOOL_GUARD,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8", **(env or {})},
        check=False,
    )


def write_xls(
    path: Path,
    sheets: Mapping[str, list[list[Any]]],
    formulas: Mapping[tuple[str, int, int], str] | None = None,
    errors: Mapping[tuple[str, int, int], str] | None = None,
) -> Path:
    """An .xls (Excel 97–2003) workbook with typed cells; ``formulas`` and ``errors`` (an error
    value such as '#N/A') go at (sheet, 0-based row, column)."""
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlwt.Workbook(encoding="utf-8")
    for sheet, rows in sheets.items():
        ws = book.add_sheet(sheet)
        taken = {(r, c) for (s, r, c) in [*(formulas or {}), *(errors or {})] if s == sheet}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "" and (r, c) not in taken:
                    ws.write(r, c, value)
        for (name, r, c), formula in (formulas or {}).items():
            if name == sheet:
                ws.write(r, c, xlwt.Formula(formula))
        for (name, r, c), error in (errors or {}).items():
            if name == sheet:
                codes = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#N/A": 0x2A}
                ws.row(r).set_cell_error(c, codes[error])
    book.save(str(path))
    return path


def write_ods(
    path: Path,
    sheets: Mapping[str, list[list[Any]]],
    formulas: Mapping[tuple[str, int, int], str] | None = None,
    errors: Mapping[tuple[str, int, int], str] | None = None,
    repeat_rows: Mapping[tuple[str, int], int] | None = None,
) -> Path:
    """An .ods (OpenDocument) workbook with typed cells, written as LibreOffice does: a formula
    cell is ``table:formula="of:=…"``, an error value has ``calcext:value-type="error"``;
    ``repeat_rows`` repeats a row (number-rows-repeated)."""
    from xml.sax.saxutils import escape, quoteattr

    def cell(value: Any, formula: str | None, error: str | None) -> str:
        attrs = f" table:formula={quoteattr('of:' + formula)}" if formula else ""
        if error is not None:
            return (
                f'<table:table-cell{attrs} office:value-type="string" office:string-value="" '
                f'calcext:value-type="error"><text:p>{escape(error)}</text:p></table:table-cell>'
            )
        if isinstance(value, bool):
            word = "true" if value else "false"
            return (
                f'<table:table-cell{attrs} office:value-type="boolean" office:boolean-value="{word}">'
                f"<text:p>{word.upper()}</text:p></table:table-cell>"
            )
        if isinstance(value, int | float):
            return (
                f'<table:table-cell{attrs} office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        if value is None or value == "":
            return f"<table:table-cell{attrs}/>"
        return (
            f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(str(value))}</text:p>'
            "</table:table-cell>"
        )

    tables = []
    for sheet, rows in sheets.items():
        out = []
        for r, row in enumerate(rows):
            width = max(
                len(row),
                1 + max((c for (s, rr, c) in (formulas or {}) if s == sheet and rr == r), default=-1),
            )
            cells = "".join(
                cell(
                    row[c] if c < len(row) else "",
                    (formulas or {}).get((sheet, r, c)),
                    (errors or {}).get((sheet, r, c)),
                )
                for c in range(width)
            )
            repeat = (repeat_rows or {}).get((sheet, r))
            extra = f' table:number-rows-repeated="{repeat}"' if repeat else ""
            out.append(f"<table:table-row{extra}>{cells}</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(sheet)}>{''.join(out)}</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        'office:version="1.3"><office:body><office:spreadsheet>'
        f"{''.join(tables)}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def write_xlsb(
    path: Path,
    sheets: Mapping[str, list[list[Any]]],
    formulas: Mapping[tuple[str, int, int], str] | None = None,
    errors: Mapping[tuple[str, int, int], str] | None = None,
) -> Path:
    """An .xlsb (Excel binary) workbook with typed cells. ``formulas`` (``=1+2`` or ``=TRUE()``)
    and ``errors`` ('#N/A') at (sheet, 0-based row, column) are written as Excel writes them:
    BrtFmlaNum / BrtFmlaBool with their tokens, BrtCellError with its code."""
    import struct
    import zipfile

    from pyxlsbwriter import XlsbWriter

    tokens = {"=1+2": (9, b"\x1e\x01\x00\x1e\x02\x00\x03"), "=TRUE()": (10, b"\x1d\x01")}
    codes = {"#DIV/0!": 0x07, "#N/A": 0x2A}
    swaps: dict[bytes, bytes] = {}
    placed = {
        **{k: ("f", v) for k, v in (formulas or {}).items()},
        **{k: ("e", v) for k, v in (errors or {}).items()},
    }
    written: dict[str, list[list[Any]]] = {}
    for sheet, rows in sheets.items():
        rows = [list(row) for row in rows]
        for (name, r, c), (what, text) in placed.items():
            if name != sheet:
                continue
            sentinel = 900_000.5 + len(swaps)  # a Real cell, found again by its bytes
            rows[r][c] = sentinel
            cell = struct.pack("<II", c, 0)
            if what == "e":
                new = bytes([3, 9]) + cell + bytes([codes[text]])
            else:
                rt, rgce = tokens[text]
                value = struct.pack("<d", 3.0) if rt == 9 else b"\x01"
                body = cell + value + b"\x00\x00" + struct.pack("<I", len(rgce)) + rgce + b"\x00\x00\x00\x00"
                new = bytes([rt, len(body)]) + body
            swaps[b"\x05\x10" + cell + struct.pack("<d", sentinel)] = new
        written[sheet] = rows
    path.parent.mkdir(parents=True, exist_ok=True)
    with XlsbWriter(str(path)) as book:
        for sheet, rows in written.items():
            book.add_sheet(sheet)
            book.write_sheet(rows)
    if swaps:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: zf.read(info) for info in zf.infolist()}
        for name, data in members.items():
            for old, new in swaps.items():
                data = data.replace(old, new)
            members[name] = data
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    return path
