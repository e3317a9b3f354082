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
