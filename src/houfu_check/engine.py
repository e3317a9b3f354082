"""Rules × validated data → a report. No reading, no printing.

Every rule's figures for a table are computed in one columnar pass (one ``select`` per
table), and the failing units are gathered only for rules that have any. Verdicts compare
exact fractions: 2 of 5 is 40% and meets ``>= 40%``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl

from houfu_check import __version__
from houfu_check.contract import table
from houfu_check.dataset import Dataset
from houfu_check.report import (
    InputOut,
    PartOut,
    Report,
    RuleResult,
    RulesOut,
    Status,
    Summary,
    TargetOut,
)
from houfu_check.rules.model import Rule, RuleSet


def evaluate(rules: RuleSet, data: Dataset, data_label: str) -> Report:
    """Judge every rule of ``rules`` on ``data``."""
    names = sorted({r.spec.table for r in rules.rules})
    queries = [_figures(data[name], [r for r in rules.rules if r.spec.table == name]) for name in names]
    figures: dict[str, dict[str, Any]] = {}
    for (_query, mine), row in zip(queries, pl.collect_all([q for q, _ in queries]), strict=True):
        figures.update(_split(row.row(0, named=True), mine))
    results = [_judge(rule, figures[rule.id]) for rule in rules.rules]
    return Report(
        tool="houfu-check",
        version=__version__,
        data=data_label,
        rules_file=RulesOut(
            file=rules.source,
            sha256=rules.sha256,
            plan=rules.plan.title,
            document=rules.plan.document,
        ),
        inputs=[
            InputOut(table=f.table, file=f.name, rows=f.rows, encoding=f.encoding, sha256=f.sha256)
            for f in data.files
        ],
        parts=[PartOut(id=p.id, zh=p.zh, en=p.en) for p in rules.parts],
        summary=_summary(results),
        rules=results,
    )


def _scope_expr(rule: Rule) -> pl.Expr:
    """The rule's scope as a full-length mask (a bare ``true`` literal would sum to 1)."""
    return pl.repeat(True, pl.len()) & rule.scope.expr


def _failing_expr(rule: Rule) -> pl.Expr | None:
    """In-scope units that do not pass, or None for rules without failing units."""
    if rule.condition is None:
        return None
    return _scope_expr(rule) & ~rule.condition.expr


def _figures(frame: pl.DataFrame, rules: list[Rule]) -> tuple[pl.LazyFrame, list[Rule]]:
    """One query over ``frame`` for all its rules: scope sizes, sums and failing unit ids."""
    id_column = pl.col(table(rules[0].spec.table).id_column) if rules else pl.lit(None)
    exprs: list[pl.Expr] = []
    for i, rule in enumerate(rules):
        scope = _scope_expr(rule)
        exprs.append(scope.sum().alias(f"{i}:scope"))
        failing = _failing_expr(rule)
        if failing is not None:
            exprs.append(id_column.filter(failing).implode().alias(f"{i}:ids"))
        if rule.numerator is not None and rule.denominator is not None:
            exprs.append(rule.numerator.expr.filter(scope).sum().alias(f"{i}:num"))
            exprs.append(rule.denominator.expr.filter(scope).sum().alias(f"{i}:den"))
        if rule.sum is not None:
            exprs.append(rule.sum.expr.filter(scope).sum().alias(f"{i}:sum"))
    return frame.lazy().select(exprs), rules


def _split(row: dict[str, Any], rules: list[Rule]) -> dict[str, dict[str, Any]]:
    """The query's one row, as figures per rule id."""
    out: dict[str, dict[str, Any]] = {}
    for i, rule in enumerate(rules):
        prefix = f"{i}:"
        out[rule.id] = {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}
    return out


def _judge(rule: Rule, fig: dict[str, Any]) -> RuleResult:
    kind = rule.spec.kind
    scope = int(fig["scope"] or 0)
    failing: list[str] = fig.get("ids") or []
    failing_count = len(failing)
    numerator: int | None = None
    denominator: int | None = None
    actual: Fraction | int | None
    if kind == "share":
        numerator, denominator = scope - failing_count, scope
        actual = Fraction(numerator, denominator) if denominator else None
    elif kind == "ratio":
        numerator, denominator = int(fig["num"] or 0), int(fig["den"] or 0)
        actual = Fraction(numerator, denominator) if denominator and scope else None
    elif kind == "total":
        actual = int(fig["sum"] or 0) if scope else None
    else:  # count
        actual = failing_count if scope else None

    status: Status
    if actual is None:
        status = "n/a"
    elif rule.target.met_by(actual):
        status = "pass"
    else:
        status = "fail" if rule.spec.severity == "fail" else "warn"

    return RuleResult(
        id=rule.id,
        clause=rule.spec.clause,
        part=rule.spec.part,
        title=rule.spec.title.model_dump(),
        text=rule.spec.text,
        lead=list(rule.spec.lead),
        partners=list(rule.spec.partners),
        table=rule.spec.table,
        kind=kind,
        severity=rule.spec.severity,
        status=status,
        actual=_plain(actual),
        actual_exact=_exact(actual),
        numerator=numerator,
        denominator=denominator,
        target=TargetOut(
            op=rule.target.op,
            value=rule.target.number,
            percent=rule.target.percent,
            text=str(rule.target),
        ),
        scope_count=scope,
        failing_count=len(failing),
        failing=failing,
        columns=sorted(rule.columns),
    )


def _plain(actual: Fraction | int | None) -> float | int | None:
    if actual is None or isinstance(actual, int):
        return actual
    return float(actual)


def _exact(actual: Fraction | int | None) -> str | None:
    return None if actual is None else str(actual)  # Fraction(2, 5) → "2/5", Fraction(1) → "1"


def _summary(results: list[RuleResult]) -> Summary:
    def count(status: Status) -> int:
        return sum(1 for r in results if r.status == status)

    return Summary(
        rules=len(results),
        passed=count("pass"),
        failed=count("fail"),
        warned=count("warn"),
        not_applicable=count("n/a"),
    )
