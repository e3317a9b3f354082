"""Two rounds side by side (``houfu-check compare``): what changed, where, and for whom.

Works on two reports of the same rules (each judged per town) and the two datasets they were
judged on; no I/O, no printing.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from houfu_check import __version__
from houfu_check.dataset import Dataset
from houfu_check.pack.contract import Contract
from houfu_check.report import (
    Change,
    Comparison,
    Continuity,
    Jump,
    Report,
    Round,
    RuleChange,
    RuleResult,
    RuleSide,
    Status,
    TownChange,
    TownResult,
    Units,
)

_RANK: dict[Status, int] = {"pass": 0, "warn": 1, "fail": 2}  # n/a ranks with nothing
#: jumps listed at most (the count of the rest is in the lists' lengths elsewhere)
MAX_JUMPS = 10_000


def compare(
    old: Report,
    new: Report,
    old_data: Dataset,
    new_data: Dataset,
    contract: Contract,
    watched: str | None,
    max_change: dict[str, int],
) -> Comparison:
    """What changed from ``old`` to ``new`` (reports of the same rule file)."""
    before = {r.id: r for r in old.rules}
    changes = [_rule_change(before[r.id], r) for r in new.rules if r.id in before]
    regressions = sum(1 for c in changes if c.old.status == "pass" and c.new.status == "fail")
    worse = sum(1 for c in changes if c.change == "regressed")
    return Comparison(
        tool="houfu-check",
        version=__version__,
        rules_file=new.rules_file,
        old=Round(data=old.data, period=old.period, summary=old.summary, inputs=old.inputs),
        new=Round(data=new.data, period=new.period, summary=new.summary, inputs=new.inputs),
        regressions=regressions,
        pass_to_fail=regressions,
        regressed=worse,
        rules=changes,
        towns=_towns(old.rules, new.rules),
        continuity=_continuity(contract, old_data, new_data, watched, max_change),
        # each round's warnings under its folder: the same file name may be in both
        warnings=[
            w.model_copy(update={"file": f"{r.data}/{w.file}"}) for r in (old, new) for w in r.warnings
        ],
    )


def _side(rule: RuleResult) -> RuleSide:
    return RuleSide(
        status=rule.status,
        actual=rule.actual,
        actual_exact=rule.actual_exact,
        failing_count=rule.failing_count,
    )


def _rule_change(old: RuleResult, new: RuleResult) -> RuleChange:
    delta = None
    if old.actual is not None and new.actual is not None:
        delta = new.actual - old.actual  # a count stays whole: 123 → 122 is -1, not -1.0
    was, now = set(old.failing), set(new.failing)
    return RuleChange(
        id=new.id,
        clause=new.clause,
        part=new.part,
        title=new.title,
        table=new.table,
        kind=new.kind,
        display=new.display,
        target=new.target,
        old=_side(old),
        new=_side(new),
        change=_change(old, new),
        by_value=not _same_basis(old, new),
        delta=delta,
        newly_failing=[u for u in new.failing if u not in was],
        no_longer_failing=[u for u in old.failing if u not in now],
    )


def _change(old: RuleResult, new: RuleResult) -> Change:
    """Better or worse: by status first; with the same status, by distance to the target.

    An annual rule judged on different shares of its year (Q3's pro-rata, Q4's in full) is
    compared by its value only: its statuses answer different questions.
    """
    a, b = _RANK.get(old.status), _RANK.get(new.status)
    if a is not None and b is not None and a != b and _same_basis(old, new):
        return "improved" if b < a else "regressed"
    if old.actual is None or new.actual is None or old.actual == new.actual:
        return "unchanged"
    op, target = new.target.op, float(new.target.value)
    if op in (">=", ">"):
        better = new.actual > old.actual
    elif op in ("<=", "<"):
        better = new.actual < old.actual
    else:
        better = abs(new.actual - target) < abs(old.actual - target)
    return "improved" if better else "regressed"


def _same_basis(old: RuleResult, new: RuleResult) -> bool:
    """Whether two verdicts answer the same question (not an annual rule's pro-rata share in one
    round and its year's figure in the other)."""
    return (old.pro_rata and old.pro_rata.judged_against) == (new.pro_rata and new.pro_rata.judged_against)


def _towns(old: Sequence[RuleResult], new: Sequence[RuleResult]) -> list[TownChange]:
    """Per town, the rules whose verdict on its units got better or worse (as :func:`_change`)."""
    rules_then = {r.id: r for r in old}
    found: dict[str, TownChange] = {}
    for rule in new:
        then = rules_then.get(rule.id)
        if then is None:
            continue
        towns_then = {t.town: t for t in then.by_town or []}
        for t in rule.by_town or []:
            was = towns_then.get(t.town)
            if was is None:
                continue
            change = _change(_as_rule(then, was), _as_rule(rule, t))
            if change == "unchanged" or (was.actual is None) != (t.actual is None):
                continue
            entry = found.setdefault(t.town, TownChange(town=t.town, improved=[], regressed=[]))
            (entry.improved if change == "improved" else entry.regressed).append(rule.id)
    return [found[town] for town in sorted(found)]


def _as_rule(rule: RuleResult, town: TownResult) -> RuleResult:
    """The rule as judged on one town's units, for :func:`_change`."""
    return rule.model_copy(update={"status": town.status, "actual": town.actual})


def _continuity(
    contract: Contract, old: Dataset, new: Dataset, watched: str | None, max_change: dict[str, int]
) -> Continuity:
    units = []
    for spec in contract.data_tables:
        if not spec.id_column or spec.name not in old.tables or spec.name not in new.tables:
            continue
        before, after = old[spec.name].get_column(spec.id_column), new[spec.name].get_column(spec.id_column)
        units.append(
            Units(
                table=spec.name,
                zh=spec.zh,
                disappeared=sorted(before.filter(~before.is_in(after.implode())).to_list()),
                appeared=sorted(after.filter(~after.is_in(before.implode())).to_list()),
            )
        )
    jumps: list[Jump] = []
    if watched is not None and watched in old.tables and watched in new.tables and max_change:
        key = contract.table(watched).id_column
        both = (
            old[watched]
            .lazy()
            .join(new[watched].lazy(), on=key, how="inner", suffix="_new", maintain_order="right")
        )
        for column, limit in max_change.items():
            hits = (
                both.filter((pl.col(f"{column}_new") - pl.col(column)).abs() > limit)
                .select(key, pl.col(column).alias("old"), pl.col(f"{column}_new").alias("new"))
                .sort(key)
                .head(MAX_JUMPS)
                .collect()
            )
            jumps += [Jump(unit=h, column=column, old=o, new=n) for h, o, n in hits.iter_rows()]
    titles = {c.name: c.zh for c in contract.table(watched).columns} if watched is not None else {}
    return Continuity(
        table=watched,
        max_change=dict(max_change),
        units=units,
        jumps=jumps,
        titles={column: titles.get(column, column) for column in max_change},
    )
