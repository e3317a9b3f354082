"""A pack's contract as a Frictionless Data Package descriptor (the content of datapackage.json).

So that a data folder can be checked by any Frictionless tool (``frictionless validate
datapackage.json``), not only by houfu-check. One tabular resource per data table, each
``<table>.csv`` with the English header names (the fields' ``name``; the Chinese header is
the ``title``).

Not in the descriptor: the facts table (one row of county facts, given as ``facts:`` in
submission.yaml, never a file). Table Schema cannot say everything the contract says, so
the descriptor is looser than houfu-check in places: a bound that is another column of the
same row (``employed_count ≤ labor_count``) is left to ``x-minimumField`` / ``x-maximumField``
and the description; Chinese headers and aliases, extra columns, trimmed cells, any letter
case of a yes/no or choice word (only lower, UPPER and Capitalised are listed), tallies and
optional tables are houfu-check's alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from houfu_check.limits import MAX_CELL_CHARS
from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec

_TYPES = {
    "text": "string",
    "int": "integer",
    "number": "number",
    "bool": "boolean",
    "choice": "string",
    "date": "date",
}


def data_package(contract: Contract, name: str = "houfu-check-data") -> dict[str, Any]:
    """The Data Package descriptor of ``contract``'s data tables (JSON-ready)."""
    package: dict[str, Any] = {
        "name": name,
        "title": "易地搬迁后续扶持数据 / relocation follow-up data",
        "description": f"Written by houfu-check from {contract.source or 'a pack contract'}.",
        "resources": [_resource(spec, contract) for spec in contract.data_tables],
    }
    if contract.sha256:
        package["x-contractSha256"] = contract.sha256  # which contract, for a reader to compare
    return package


def _resource(spec: TableSpec, contract: Contract) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [_field(col) for col in spec.columns],
        "missingValues": list(contract.missing_values),
        "primaryKey": [spec.id_column],
    }
    keys = [
        {"fields": [col.name], "reference": {"resource": col.references[0], "fields": [col.references[1]]}}
        for col in spec.columns
        if col.references
    ]
    if keys:
        schema["foreignKeys"] = keys
    resource: dict[str, Any] = {
        "name": spec.name,
        "title": f"{spec.zh} / {spec.unit}" if spec.zh else spec.unit,
        "path": spec.file_name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "encoding": "utf-8",
        "schema": schema,
    }
    if spec.doc:
        resource["description"] = spec.doc
    return resource


def _field(col: ColumnSpec) -> dict[str, Any]:
    """One Table Schema field. ``required`` is always written: Table Schema's default is false,
    the contract's true. A personal column is never required (a file may leave it out)."""
    field: dict[str, Any] = {"name": col.name, "title": col.zh, "type": _TYPES[col.kind]}
    # A bound that is another column of the row: Table Schema has no word for it.
    relations = [
        (key, sign, other)
        for key, sign, other in (("x-minimumField", "≥", col.at_least), ("x-maximumField", "≤", col.at_most))
        if other
    ]
    notes = [col.doc] if col.doc else []
    notes += [f"{sign} {other} (same row; Table Schema cannot check it)" for _, sign, other in relations]
    if notes:
        field["description"] = "; ".join(notes)
    field.update({key: other for key, _, other in relations})
    if col.personal:
        field["x-personal"] = True  # never printed or written by houfu-check
    constraints: dict[str, Any] = {"required": not (col.optional or col.personal)}
    if col.unique:
        constraints["unique"] = True
    if col.kind == "date":
        field["format"] = "default"  # YYYY-MM-DD
    elif col.kind == "bool":
        field["trueValues"] = _cases(col.true_words)
        field["falseValues"] = _cases(col.false_words)
    elif col.kind == "choice":
        constraints["enum"] = _cases(tuple(col.choices))  # houfu-check reads any letter case
    elif col.kind == "text":
        constraints["maxLength"] = MAX_CELL_CHARS
    elif col.kind == "int":  # digits only, at most MAX_DIGITS of them
        constraints["minimum"], constraints["maximum"] = col.lowest, col.highest
    else:  # number
        for key, bound in (("minimum", col.minimum), ("maximum", col.maximum)):
            if bound is not None:
                constraints[key] = _json_number(bound)
    field["constraints"] = constraints
    return field


def _cases(words: tuple[str, ...]) -> list[str]:
    """Each word as written most often (lower, UPPER, Capitalised), in the contract's order:
    Frictionless matches words exactly, houfu-check after lower-casing."""
    return list(dict.fromkeys(form for word in words for form in (word, word.upper(), word.capitalize())))


def _json_number(value: int | Decimal) -> int | float:
    return int(value) if value == int(value) else float(value)
