"""The units rules judge, as frames: each table with the aggregates its rules read, and the
towns when the contract names them in a column (``table: towns``).

A rule such as ``sum(households, stably_employed_count) / sum(households, labor_count) >= 85%``
on ``communities`` reads, on each community's row, figures of its household rows. Those
figures are computed here, once per table below (one group-by), and joined onto the unit's
rows as columns named by their canonical text; the engine then judges the rule like any other
rule of one table. A unit without rows below has a sum and count of 0 (any: false, all: true).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import polars as pl

from houfu_check.dataset import Dataset
from houfu_check.pack.contract import TOWNS, Contract
from houfu_check.rules.expr import Aggregate
from houfu_check.rules.model import Rule, RuleSet

#: the column holding, on a row below, the key of the unit it belongs to
_UNIT = "__unit"


def aggregates(rule: Rule) -> list[Aggregate]:
    """Every aggregate a rule reads, once each."""
    found: dict[str, Aggregate] = {}
    for part in (rule.scope, rule.condition, rule.numerator, rule.denominator, rule.sum):
        if part is not None:
            found.update((a.name, a) for a in part.aggregates)
    return list(found.values())


def tables_read(rule: Rule, contract: Contract) -> set[str]:
    """The tables a rule needs: its own, those its aggregates read, and those between."""
    own = rule.spec.table
    needed = {contract.town[0]} if own == TOWNS and contract.town is not None else {own}
    for agg in aggregates(rule):
        needed.add(agg.table)
        for parent in contract.ancestors(agg.table):
            if parent.name == own:
                break
            needed.add(parent.name)
            if own == TOWNS and contract.town is not None and parent.name == contract.town[0]:
                break
    return needed


def ready(rule: Rule, contract: Contract, data: Dataset) -> bool:
    """Whether the data gives every table the rule reads (else the rule is n/a)."""
    return all(name in data.tables for name in tables_read(rule, contract))


def unit_frames(rules: RuleSet, data: Dataset) -> Dataset:
    """``data`` with, for each table a rule judges, the columns of its rules' aggregates, and
    the towns (one row per town) when a rule judges towns. Without aggregates, ``data`` itself."""
    contract = rules.contract
    wanted: dict[str, dict[str, Aggregate]] = {}
    for rule in rules.rules:
        if rule.spec.table == TOWNS or aggregates(rule):
            wanted.setdefault(rule.spec.table, {}).update((a.name, a) for a in aggregates(rule))
    if not wanted:
        return data
    tables = dict(data.tables)
    if TOWNS in wanted and contract.town is not None and contract.town[0] in data.tables:
        town_table, column = contract.town
        tables[TOWNS] = data[town_table].select(pl.col(column).unique().sort())
    names, queries = [], []
    for name, found in wanted.items():
        if name not in tables or not found:
            continue
        frame = tables[name].lazy()
        key = contract.table(name).id_column
        for child, aggs in _by_table(found.values()).items():
            if child not in data.tables:
                continue  # the rule is n/a (see ready); leave the unit's frame as it is
            figures = _keyed(contract, data, child, name).group_by(_UNIT).agg(a.polars() for a in aggs)
            frame = frame.join(figures, left_on=key, right_on=_UNIT, how="left", maintain_order="left")
            frame = frame.with_columns(pl.col(a.name).fill_null(a.empty()) for a in aggs)
        names.append(name)
        queries.append(frame)
    for name, collected in zip(names, pl.collect_all(queries), strict=True):
        tables[name] = collected
    return dataclasses.replace(data, tables=tables)


def _by_table(found: Iterable[Aggregate]) -> dict[str, list[Aggregate]]:
    out: dict[str, list[Aggregate]] = {}
    for agg in found:
        out.setdefault(agg.table, []).append(agg)
    return out


def _keyed(contract: Contract, data: Dataset, child: str, unit: str) -> pl.LazyFrame:
    """The rows of ``child`` with the key of the ``unit`` each belongs to in column ``_UNIT``,
    found through the parents (a household's community, the community's town)."""
    spec = contract.table(child)
    frame = data[child].lazy()
    if unit == TOWNS:
        assert contract.town is not None
        town_table, town_column = contract.town
        if child == town_table:
            return frame.with_columns(pl.col(town_column).alias(_UNIT))
        unit = town_table
        target_column = town_column
    else:
        target_column = contract.table(unit).id_column
    frame = frame.with_columns(pl.col(spec.parent_column or "").alias(_UNIT))
    for parent in contract.ancestors(child):
        if parent.name == unit:
            if target_column == parent.id_column:
                return frame
            up = (
                data[parent.name]
                .lazy()
                .select(pl.col(parent.id_column).alias("__key"), pl.col(target_column).alias("__up"))
            )
        else:
            up = (
                data[parent.name]
                .lazy()
                .select(
                    pl.col(parent.id_column).alias("__key"), pl.col(parent.parent_column or "").alias("__up")
                )
            )
        frame = (
            frame.join(up, left_on=_UNIT, right_on="__key", how="left").drop(_UNIT).rename({"__up": _UNIT})
        )
        if parent.name == unit:
            return frame
    raise AssertionError(f"{child} does not belong to {unit}")
