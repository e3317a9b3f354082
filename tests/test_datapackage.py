"""`houfu-check rules schema`: the contract as a Frictionless Data Package descriptor.

Frictionless itself judges the descriptor: a valid data folder (English headers) passes
``frictionless.validate``, and each broken copy is refused by Frictionless and by houfu-check
alike. Rows are built from the shipped contract, so they follow it as it changes.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from builders import run_tool
from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec
from houfu_check.pack.datapackage import data_package
from houfu_check.rules import load_rules

frictionless = pytest.importorskip("frictionless")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_tool(*args, env={"NO_COLOR": "1"})


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_rules(None).contract


@pytest.fixture(scope="module")
def descriptor(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the real command writes with -o."""
    path = tmp_path_factory.mktemp("schema") / "out" / "datapackage.json"
    done = _run("rules", "schema", "-o", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


# --- a valid data folder, built from the contract ----------------------------------------


def _value(col: ColumnSpec, i: int, row: dict[str, Any]) -> Any:
    """A valid cell of ``col`` for the ``i``-th row (1-based), given the columns it is bound by."""
    if col.kind == "text":
        return f"{col.name}-{i}"
    if col.kind == "bool":
        return i % 2 == 1
    if col.kind == "choice":  # every accepted word in turn, some capitalised (aliases too)
        word = list(col.choices)[i % len(col.choices)]
        return word.capitalize() if i % 2 else word
    if col.kind == "date":
        return "2022-09-30"
    if col.kind == "number":
        return str(col.minimum if col.minimum is not None else "1.5")
    high = col.highest if col.at_most is None else min(col.highest, row[col.at_most])
    low = col.lowest if col.at_least is None else max(col.lowest, row[col.at_least])
    return max(low, min(high, 3))


def _rows(spec: TableSpec, count: int, parents: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """``count`` valid rows of ``spec``; a reference takes the referenced table's keys in turn."""
    rows: list[dict[str, Any]] = []
    for i in range(1, count + 1):
        row: dict[str, Any] = {}

        def fill(col: ColumnSpec, row: dict[str, Any] = row, i: int = i) -> None:
            if col.name in row:
                return
            for other in (col.at_most, col.at_least):  # the columns it is bound by come first
                if other:
                    fill(spec.column(other))
            if col.references:
                table, key = col.references
                row[col.name] = parents[table][i % len(parents[table])][key]
            else:
                row[col.name] = _value(col, i, row)

        for col in spec.columns:
            fill(col)
        rows.append(row)
    return rows


def _tallies(contract: Contract, built: dict[str, list[dict[str, Any]]]) -> None:
    """A parent's tally columns (安置户数, 安置人数) agree with its child rows: no warnings."""
    for spec in contract.data_tables:
        for col in spec.columns:
            if col.tally is None:
                continue
            link = contract.table(col.tally.table).parent_column
            for row in built[spec.name]:
                children = [r for r in built[col.tally.table] if r[link or ""] == row[spec.id_column]]
                sums = [1 if col.tally.sum is None else r[col.tally.sum] for r in children]
                row[col.name] = sum(sums)


def _cell(value: Any, i: int) -> str:
    if isinstance(value, bool):  # a few spellings Frictionless must know too
        return ("TRUE", "Yes", "是")[i % 3] if value else ("false", "NO", "否")[i % 3]
    return str(value)


def _write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _read(folder: Path, name: str) -> list[list[str]]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def valid_folder(
    tmp_path_factory: pytest.TempPathFactory, contract: Contract, descriptor: dict[str, Any]
) -> Path:
    """Two rows per parent, every table of the contract, the descriptor beside them."""
    folder = tmp_path_factory.mktemp("valid")
    built: dict[str, list[dict[str, Any]]] = {}
    for spec in contract.data_tables:  # referenced tables come first
        built[spec.name] = _rows(spec, 4 if spec.parent else 2, built)
    _tallies(contract, built)
    for spec in contract.data_tables:
        rows = [[_cell(r[n], i) for n in spec.names] for i, r in enumerate(built[spec.name])]
        _write(folder, spec.name, list(spec.names), rows)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return folder


def _frictionless(folder: Path) -> Any:
    """Frictionless's report on the folder: validate() reads datapackage.json as a package
    (its resources' paths are relative to the descriptor's folder)."""
    return frictionless.validate(str(folder / "datapackage.json"))


def _errors(report: Any) -> set[str]:
    return {row[0] for row in report.flatten(["type"])}


# --- the descriptor ------------------------------------------------------------------------


def test_the_command_writes_the_module_s_descriptor(descriptor: dict[str, Any], contract: Contract) -> None:
    assert descriptor == json.loads(json.dumps(data_package(contract)))
    assert descriptor["title"]
    done = _run("rules", "schema")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == descriptor
    assert "社区" in done.stdout  # ensure_ascii=False: no \u escapes


def test_one_tabular_resource_per_data_table_and_no_facts(
    descriptor: dict[str, Any], contract: Contract
) -> None:
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert list(resources) == [spec.name for spec in contract.data_tables]
    assert contract.facts is not None
    assert contract.facts.name not in resources
    for spec in contract.data_tables:
        resource = resources[spec.name]
        assert resource["path"] == f"{spec.name}.csv"
        assert (resource["profile"], resource["format"], resource["encoding"]) == (
            "tabular-data-resource",
            "csv",
            "utf-8",
        )
        schema = resource["schema"]
        assert [f["name"] for f in schema["fields"]] == list(spec.names)
        assert [f["title"] for f in schema["fields"]] == [c.zh for c in spec.columns]
        assert schema["primaryKey"] == [spec.id_column]
        assert schema["missingValues"] == list(contract.missing_values)


def test_fields_say_what_the_contract_says(descriptor: dict[str, Any], contract: Contract) -> None:
    fields = {(r["name"], f["name"]): f for r in descriptor["resources"] for f in r["schema"]["fields"]}
    for spec in contract.data_tables:
        for col in spec.columns:
            f = fields[spec.name, col.name]
            assert f["constraints"]["required"] is not (col.optional or col.personal)
            if col.at_most:  # a row relation: not a Table Schema bound
                assert f["x-maximumField"] == col.at_most
                assert col.at_most in f["description"]
                assert isinstance(f["constraints"]["maximum"], int)
    resources = {r["name"]: r for r in descriptor["resources"]}
    households = {f["name"]: f for f in resources["households"]["schema"]["fields"]}
    assert households["head_name"]["x-personal"] is True
    assert households["head_name"]["constraints"]["required"] is False
    assert {"true", "TRUE", "True", "是"} <= set(households["monitored"]["trueValues"])
    assert households["members"]["constraints"]["minimum"] == 1
    assert resources["households"]["schema"]["foreignKeys"] == [
        {"fields": ["community_id"], "reference": {"resource": "communities", "fields": ["community_id"]}}
    ]
    police = next(f for f in resources["communities"]["schema"]["fields"] if f["name"] == "police_post")
    assert {"office", "OFFICE", "Office", "警务工作室", "none", "无"} <= set(police["constraints"]["enum"])
    assert contract.table("communities").column("star_rating").maximum == 5


# --- Frictionless and houfu-check agree ----------------------------------------------------


def test_a_valid_folder_passes_frictionless_and_houfu_check(valid_folder: Path) -> None:
    report = _frictionless(valid_folder)
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    done = _run("validate", str(valid_folder), "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr


def _text_in_an_integer_column(rows: dict[str, list[list[str]]]) -> None:
    header, first = rows["households"][0], rows["households"][1]
    first[header.index("members")] = "four"


def _a_required_column_missing(rows: dict[str, list[list[str]]]) -> None:
    at = rows["households"][0].index("labor_count")
    for row in rows["households"]:
        del row[at]


def _a_duplicate_primary_key(rows: dict[str, list[list[str]]]) -> None:
    header, table = rows["households"][0], rows["households"]
    at = header.index("household_id")
    table[2][at] = table[1][at]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_text_in_an_integer_column, {"type-error"}),
        (_a_required_column_missing, {"missing-label", "incorrect-label", "missing-cell"}),
        (_a_duplicate_primary_key, {"primary-key"}),
    ],
    ids=["text-in-integer", "missing-required-column", "duplicate-primary-key"],
)
def test_a_broken_copy_is_refused_by_both(
    breakage: Callable[[dict[str, list[list[str]]]], None],
    expected: set[str],
    valid_folder: Path,
    contract: Contract,
    tmp_path: Path,
) -> None:
    households = contract.table("households")
    assert households.column("members").kind == "int"
    assert not households.column("labor_count").optional
    assert households.id_column == "household_id"
    folder = tmp_path / "broken"
    shutil.copytree(valid_folder, folder)
    rows = {spec.name: _read(folder, spec.name) for spec in contract.data_tables}
    breakage(rows)
    for name, table in rows.items():
        _write(folder, name, table[0], table[1:])

    report = _frictionless(folder)
    assert not report.valid
    assert _errors(report) & expected, _errors(report)
    done = _run("validate", str(folder), "--lang", "en")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
