"""Small hand-made data folders for tests: rows that pass every rule, overridden per case."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from houfu_check.contract import table


def community(cid: str = "C1", **overrides: Any) -> dict[str, Any]:
    """A community of 50 households that meets every community target on its own."""
    row: dict[str, Any] = {
        "community_id": cid,
        "community_name": f"{cid}社区",
        "town": "城关镇",
        "households": 50,
        "population": 180,
        "star_rating": 5,
        "party_organization": True,
        "employment_service": True,
        "industry_support": True,
        "service_center": True,
        "first_secretary": True,
        "work_team_members": 2,
        "new_young_party_members": 2,
        "reserve_cadres": 1,
        "platform_321": True,
        "police_post": "office",
        "police_officers": 1,
        "fulltime_auxiliary_police": 2,
        "parttime_auxiliary_police": 0,
        "police_assistants": 0,
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
        "dispatched_doctor": False,
    }
    row.update(overrides)
    return row


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
        "family_doctor_signed": True,
        "monitored": False,
        "assisted": False,
    }
    row.update(overrides)
    return row


def _cell(value: Any) -> str:
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
    comms = list(communities) if communities is not None else [community()]
    hhs = list(households) if households is not None else [household()]
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
