"""Rules × validated data → a report. No reading, no printing.

Every rule's figures for a table are computed in one columnar pass (one ``select`` per
table), and the failing units are gathered only for rules that have any. Verdicts compare
exact fractions: 2 of 5 is 40% and meets ``>= 40%``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import polars as pl

from houfu_check import __version__
from houfu_check.dataset import Dataset
from houfu_check.errors import Problem
from houfu_check.kinds import KINDS
from houfu_check.kinds.growth import figure as growth_figure
from houfu_check.pack.contract import TOWNS, Contract, TableSpec
from houfu_check.report import (
    ConstantOut,
    Display,
    InputOut,
    LeadTally,
    NoticeOut,
    PartOut,
    PreviousOut,
    ProRataOut,
    Report,
    RuleResult,
    RulesOut,
    Status,
    SubmissionOut,
    Summary,
    TargetOut,
    TownResult,
    TownStatus,
    UnitWords,
    Validation,
    WaivedOut,
)
from houfu_check.rules.expr import Compiled
from houfu_check.rules.model import Rule, RuleSet, Target
from houfu_check.submission import Submission
from houfu_check.units import ready, unit_frames


def evaluate(
    rules: RuleSet,
    data: Dataset,
    data_label: str,
    by_town: bool = False,
    by_lead: bool = False,
    submission: Submission | None = None,
    warnings: Sequence[Problem] = (),
    previous: Dataset | None = None,
    previous_label: PreviousOut | None = None,
) -> Report:
    """Judge every rule of ``rules`` on ``data``; optionally per town, and tallied per lead unit.

    Annual rules were compiled for ``rules.period``; ``submission`` is reported as given;
    ``warnings`` are added to the data's own (expired waivers, say); growth rules compare
    with ``previous`` (the previous round's data), and are n/a without it.
    """
    contract = rules.contract
    given = data
    data = unit_frames(rules, data)  # aggregates joined onto the units; towns as units
    # rules on an optional table the data folder does not give are n/a (nothing in scope)
    live = [r for r in rules.rules if ready(r, contract, given)]
    names = sorted({r.spec.table for r in live})
    mine = {name: [r for r in live if r.spec.table == name] for name in names}
    queries = [
        _figures(data[name].lazy(), mine[name], contract.table(name), ids=True, rows=data[name].height)
        for name in names
    ]
    by_names = [n for n in names if reaches_town(contract, data, n)] if by_town else []
    queries += [
        _figures(
            _with_town(contract, data, name),
            mine[name],
            contract.table(name),
            ids=False,
            by=_TOWN,
            rows=data[name].height,
        )
        for name in by_names
    ]
    frames = pl.collect_all(queries)
    failing_waived = _would_fail(rules, data, live)
    figures: dict[str, dict[str, Any]] = {r.id: {"scope": 0} for r in rules.rules}
    for name, frame in zip(names, frames, strict=False):
        figures.update(_rule_figures(frame, mine[name]))
    _previous_figures(rules, live, previous, figures)
    towns: dict[str, list[TownResult]] = {}
    for name, frame in zip(by_names, frames[len(names) :], strict=True):
        per_rule = _keys(frame.columns, len(mine[name]))
        for row in frame.sort(_TOWN).iter_rows(named=True):
            for rule, keys in zip(mine[name], per_rule, strict=True):
                fig = {short: row[key] for key, short in keys}
                towns.setdefault(rule.id, []).append(
                    _town_result(rule, contract.table(name), str(row[_TOWN]), fig)
                )
    results = [
        _due(
            rule,
            rules,
            _judge(
                rule, contract.table(rule.spec.table), figures[rule.id], failing_waived.get(rule.id, set())
            ).model_copy(update={"by_town": towns.get(rule.id, [])} if by_town else {}),
        )
        for rule in rules.rules
    ]
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
        inputs=_inputs(data),
        warnings=[*_warnings(data), *(NoticeOut(**w.to_dict()) for w in warnings)],
        parts=[PartOut(id=p.id, zh=p.zh, en=p.en) for p in rules.parts],
        summary=_summary(results),
        rules=results,
        by_lead=_by_lead(results) if by_lead else None,
        period=None if rules.period is None else str(rules.period),
        submission=_submission(submission),
        constants=[
            ConstantOut(
                name=f"plan.{name}",
                value=_plain(value) or 0,
                value_exact=str(value),
                source=rules.constants_from.get(name, rules.source),
            )
            for name, value in rules.constants.items()
        ],
        previous=previous_label
        if previous is not None and any(r.spec.kind == "growth" for r in live)
        else None,
    )


def _due(rule: Rule, rules: RuleSet, result: RuleResult) -> RuleResult:
    """A rule due after the period's end shows its value, "not yet due", and never fails;
    from its due date on (or without a known period) it is judged."""
    due = rule.spec.due
    if due is None:
        return result
    update: dict[str, Any] = {"due": due.isoformat()}
    if rules.period is not None and rules.period.end < due and result.status != "n/a":
        update |= {"status": "not-due", "when_due": result.status}
        towns = [
            t.model_copy(update={"status": "not-due"}) if t.status != "n/a" else t
            for t in result.by_town or []
        ]
        if result.by_town is not None:
            update["by_town"] = towns
    return result.model_copy(update=update)


def _previous_figures(
    rules: RuleSet, live: list[Rule], previous: Dataset | None, figures: dict[str, dict[str, Any]]
) -> None:
    """The previous round's figures of each growth rule, under ``"prev"`` in its figures."""
    growing = [r for r in live if r.spec.kind == "growth"]
    if previous is None or not growing:
        return
    contract = rules.contract
    ready_then = [r for r in growing if ready(r, contract, previous)]
    for rule in growing:
        if rule not in ready_then:
            figures[rule.id]["prev"] = None
    then = unit_frames(dataclasses.replace(rules, rules=tuple(ready_then)), previous)
    names = sorted({r.spec.table for r in ready_then})
    mine = {name: [r for r in ready_then if r.spec.table == name] for name in names}
    queries = [
        _figures(then[n].lazy(), mine[n], contract.table(n), ids=False, rows=then[n].height) for n in names
    ]
    for name, frame in zip(names, pl.collect_all(queries), strict=True):
        for rule_id, fig in _rule_figures(frame, mine[name]).items():
            figures[rule_id]["prev"] = fig


def _submission(sub: Submission | None) -> SubmissionOut | None:
    if sub is None or sub.file is None:
        return None
    return SubmissionOut(
        file=sub.file,
        period=None if sub.period is None else str(sub.period),
        county=sub.county,
        prepared_by=sub.prepared_by,
        date=None if sub.date is None else sub.date.isoformat(),
    )


def describe(data: Dataset, data_label: str, warnings: Sequence[Problem] = ()) -> Validation:
    """What ``houfu-check validate`` reports for data that passed the contract's checks."""
    return Validation(
        tool="houfu-check",
        version=__version__,
        data=data_label,
        inputs=_inputs(data),
        warnings=[*_warnings(data), *(NoticeOut(**w.to_dict()) for w in warnings)],
    )


def _inputs(data: Dataset) -> list[InputOut]:
    return [
        InputOut(
            table=f.table,
            file=f.name,
            sheet=f.sheet,
            rows=f.rows,
            encoding=f.encoding,
            sha256=f.sha256,
            table_zh=f.table_zh,
        )
        for f in data.files
    ]


def _warnings(data: Dataset) -> list[NoticeOut]:
    return [NoticeOut(**w.to_dict()) for w in data.warnings]


#: the column a unit's town is put in for --by town (never a contract column: names are lower case)
_TOWN = "__Town"


def unit_id(spec: TableSpec) -> pl.Expr:
    """The id of a unit of ``spec``: its key, or the table's name for the one row of facts."""
    return pl.col(spec.id_column) if spec.id_column else pl.lit(spec.name)


def _scope_expr(rule: Rule, spec: TableSpec, waived: bool = True) -> pl.Expr:
    """The rule's scope as a full-length mask (a bare ``true`` literal would sum to 1), less
    the units waived for it (unless ``waived`` is False)."""
    scope = pl.repeat(True, pl.len()) & rule.scope.expr
    if rule.condition is not None and rule.condition.nullable:  # a share of 0 (a / 0): out of the rule
        scope = scope & rule.condition.expr.is_not_null()
    if waived and rule.waivers:
        units = [w.unit for w in rule.waivers]
        scope = scope & ~unit_id(spec).is_in(units)
    return scope


def _would_fail(rules: RuleSet, data: Dataset, live: list[Rule]) -> dict[str, set[str]]:
    """Per rule, the waived units that would fail it without their waiver."""
    out: dict[str, set[str]] = {}
    for rule in live:
        if not rule.waivers or rule.condition is None:
            continue
        spec = rules.contract.table(rule.spec.table)
        id_column = unit_id(spec)
        mask = id_column.is_in([w.unit for w in rule.waivers]) & _scope_expr(rule, spec, waived=False)
        failing = data[rule.spec.table].lazy().filter(mask & ~rule.condition.expr).select(id_column)
        out[rule.id] = set(failing.collect().to_series().to_list())
    return out


def _failing_expr(rule: Rule, spec: TableSpec) -> pl.Expr | None:
    """In-scope units that do not pass, or None for rules without failing units."""
    if rule.condition is None:
        return None
    return _scope_expr(rule, spec) & ~rule.condition.expr


def _with_town(contract: Contract, data: Dataset, name: str) -> pl.LazyFrame:
    """Table ``name`` with each unit's town in column ``_TOWN`` (households take their
    community's, through their parents)."""
    assert contract.town is not None
    town_table, town_column = contract.town
    frame = data[name].lazy()
    if name in (town_table, TOWNS):
        return frame.with_columns(pl.col(town_column).alias(_TOWN))
    child = contract.table(name)
    key = "__parent"
    frame = frame.with_columns(pl.col(child.parent_column or "").alias(key))
    for parent in contract.ancestors(name):
        if parent.name == town_table:
            towns = (
                data[parent.name]
                .lazy()
                .select(pl.col(parent.id_column).alias(key), pl.col(town_column).alias(_TOWN))
            )
            return frame.join(towns, on=key, how="left").drop(key)
        up = (
            data[parent.name]
            .lazy()
            .select(pl.col(parent.id_column).alias(key), pl.col(parent.parent_column or "").alias("__up"))
        )
        frame = frame.join(up, on=key, how="left").drop(key).rename({"__up": key})
    raise AssertionError(f"{name} has no town")


def _figures(
    frame: pl.LazyFrame, rules: list[Rule], spec: TableSpec, ids: bool, by: str | None = None, rows: int = 0
) -> pl.LazyFrame:
    """One query over ``frame`` for all its rules: scope sizes, sums, failing counts or ids.

    Every figure is a sum of a per-row term (the failing units' ids aside), so the whole
    table is one ``select``; with ``by`` the terms are computed per row first and a group-by
    only adds them up (its fastest path), one row per group (a town).
    """
    id_column = unit_id(spec)
    # a term's dtype as polars computes it: a decimal written in a condition marks a rule
    # decimal while its values are whole numbers, summed as such (see _summable)
    parts = {f"{i}:{name}": part for i, rule in enumerate(rules) for name, part in _parts(rule)}
    dtypes = (
        frame.select(part.expr.alias(key) for key, part in parts.items()).collect_schema() if parts else {}
    )
    terms: dict[str, pl.Expr] = {}  # figure name → the per-row value it sums
    failing_ids: dict[str, pl.Expr] = {}  # figure name → the failing mask whose ids are listed
    for i, rule in enumerate(rules):
        scope = _scope_expr(rule, spec)
        terms[f"{i}:scope"] = scope.cast(pl.Int64)
        failing = _failing_expr(rule, spec)
        if failing is not None and ids:
            failing_ids[f"{i}:ids"] = failing
        elif failing is not None:
            terms[f"{i}:failing"] = failing.cast(pl.Int64)
        for name, part in _parts(rule):
            # whole numbers are summed in 64 bits where the table's rows times a row's bound
            # stay below 2^63 (a count column: 10^9 a row), else in 128 bits (each row is
            # bounded below 2^62 when the rule loads): no sum can wrap into a wrong verdict
            value = _summable(part, rows) if dtypes[f"{i}:{name}"].is_integer() else part.expr
            terms[f"{i}:{name}"] = pl.when(scope).then(value).otherwise(0)
    if by is not None:
        return (
            frame.select(pl.col(by), *(term.alias(name) for name, term in terms.items()))
            .group_by(by)
            .agg(pl.all().sum())
        )
    return frame.select(
        *(term.sum().alias(name) for name, term in terms.items()),
        *(id_column.filter(mask).implode().alias(name) for name, mask in failing_ids.items()),
    )


def _parts(rule: Rule) -> list[tuple[str, Compiled]]:
    """A rule's summed terms that it has, by figure name: numerator, denominator, total."""
    given = (("num", rule.numerator), ("den", rule.denominator), ("sum", rule.sum))
    return [(name, part) for name, part in given if part is not None]


def _summable(part: Compiled, rows: int) -> pl.Expr:
    """A whole-number term, wide enough that its sum over ``rows`` rows is exact."""
    if part.magnitude is not None and part.magnitude * max(rows, 1) < 2**63:
        return part.expr.cast(pl.Int64)
    return part.expr.cast(pl.Int128)


def _rule_figures(frame: pl.DataFrame, rules: list[Rule]) -> dict[str, dict[str, Any]]:
    """Per rule, its figures from the one-row result of :func:`_figures`."""
    row = frame.row(0, named=True)
    return {
        rule.id: {short: row[key] for key, short in keys}
        for rule, keys in zip(rules, _keys(frame.columns, len(rules)), strict=True)
    }


def _keys(columns: list[str], rules: int) -> list[list[tuple[str, str]]]:
    """Per rule, its query columns (named ``"<rule index>:<figure>"``) and figure names."""
    out: list[list[tuple[str, str]]] = [[] for _ in range(rules)]
    for column in columns:
        index, _, figure = column.partition(":")
        if figure:
            out[int(index)].append((column, figure))
    return out


def _measure(
    rule: Rule, fig: dict[str, Any], failing_count: int
) -> tuple[Status, Fraction | int | None, float | int | None, float | int | None]:
    """Status, actual value, numerator and denominator from a rule's figures (its kind
    measures; the target, band, severity and pro-rating decide)."""
    measured = KINDS[rule.spec.kind].measure(rule, fig, failing_count)
    actual = measured.actual
    if isinstance(actual, Fraction) and actual.denominator == 1:
        actual = int(actual)
    status: Status
    if actual is None:
        status = "n/a"
    elif rule.target.met_by(actual) and (rule.warn_target is None or rule.warn_target.met_by(actual)):
        status = "pass"
    elif rule.target.met_by(actual):  # in the band: met, not yet to the warning threshold
        status = "warn"
    else:  # an annual rule short of its pro-rata share is behind (warn), not failed
        status = "fail" if rule.spec.severity == "fail" and rule.pro_rata is None else "warn"
    return status, actual, _plain(measured.numerator), _plain(measured.denominator)


def display(rule: Rule) -> Display:
    """How a rule's value is shown, as its kind says: a percentage, a change, a rate, a number."""
    return KINDS[rule.spec.kind].display(rule)


def na_reason(rule: Rule, fig: dict[str, Any]) -> str | None:
    """Why a rule is n/a, when it is not simply an empty scope: ``no-previous`` (a growth rule
    without a previous round), ``previous-zero`` (the previous figure is 0 or nothing)."""
    if rule.spec.kind != "growth" or not int(fig["scope"] or 0):
        return None
    if "prev" not in fig:
        return "no-previous"
    if fig["prev"] is None:  # given, but without the tables the rule reads
        return "previous-incomplete"
    then = growth_figure(rule, fig["prev"])
    return "previous-zero" if then is None or then <= 0 else None


def decomposes(rule: Rule, spec: TableSpec) -> bool:
    """Whether a county target applies to each town's units too: "all" (a share or ratio of
    100%) and "none" (0%, or a count or total that must be at most 0 — each town at 0 ⇔ the
    county at 0, when no unit can count below 0). A quota of the whole — 40% of communities,
    20 factories — does not: each town's figure is its part of the county's."""
    target = rule.target
    none = (target.op in ("==", "<=") and target.value == 0) or (target.op == "<" and target.value == 1)
    if rule.spec.kind in ("share", "ratio"):
        if not target.percent:  # a rate or a constant (per 1,000, yuan): a figure of the whole
            return False
        every = target.op in (">=", "==") and target.value == 1
        return every or (none and target.op != "<")
    if rule.spec.kind == "count":
        return none  # counts are whole and never negative
    summed = spec.column(rule.sum.text.strip()) if rule.sum and spec.has(rule.sum.text.strip()) else None
    if summed is None or not summed.numeric or (summed.kind == "number" and (summed.minimum or -1) < 0):
        return False  # an expression, or a number that may be negative: towns may offset each other
    return none and (target.op != "<" or summed.kind == "int")


def _town_result(rule: Rule, spec: TableSpec, town: str, fig: dict[str, Any]) -> TownResult:
    failing_count = int(fig.get("failing") or 0)
    verdict, actual, numerator, denominator = _measure(rule, fig, failing_count)
    # a town's part of a county figure that is not judged per town is no verdict
    status: TownStatus = verdict if verdict == "n/a" or decomposes(rule, spec) else "part"
    # model_construct: thousands of towns × rules, every value already of its type
    return TownResult.model_construct(
        town=town,
        status=status,
        actual=_plain(actual),
        actual_exact=_exact(actual),
        numerator=numerator,
        denominator=denominator,
        scope_count=int(fig["scope"] or 0),
        failing_count=failing_count,
    )


def _judge(rule: Rule, spec: TableSpec, fig: dict[str, Any], would_fail: set[str]) -> RuleResult:
    kind = rule.spec.kind
    scope = int(fig["scope"] or 0)
    failing: list[str] = fig.get("ids") or []
    status, actual, numerator, denominator = _measure(rule, fig, len(failing))

    return RuleResult(
        display=display(rule),
        rate_per=rule.spec.rate_per,
        na_reason=na_reason(rule, fig) if status == "n/a" else None,
        id=rule.id,
        clause=rule.spec.clause,
        part=rule.spec.part,
        title=rule.spec.title.model_dump(),
        text=rule.spec.text,
        lead=list(rule.spec.lead),
        partners=list(rule.spec.partners),
        table=rule.spec.table,
        units=UnitWords(zh=spec.words[0], en=spec.words[1], en_plural=spec.words[2]),
        kind=kind,
        severity=rule.spec.severity,
        basis=rule.spec.basis,
        basis_note=rule.spec.note.model_dump() if rule.spec.note else None,
        status=status,
        actual=_plain(actual),
        actual_exact=_exact(actual),
        numerator=numerator,
        denominator=denominator,
        target=_target_out(rule.target),
        warn_target=None if rule.warn_target is None else _target_out(rule.warn_target),
        scope_count=scope,
        failing_count=len(failing),
        failing=failing,
        columns=sorted(rule.columns),
        pro_rata=_pro_rata(rule, status),
        waived=[
            WaivedOut(
                unit=w.unit,
                reason=w.reason,
                approved_by=w.approved_by,
                until=w.until.isoformat(),
                would_fail=w.unit in would_fail,
            )
            for w in rule.waivers
        ],
    )


def _target_out(target: Target) -> TargetOut:
    return TargetOut(op=target.op, value=target.number, percent=target.percent, text=str(target))


def _pro_rata(rule: Rule, status: Status) -> ProRataOut | None:
    if rule.pro_rata is None:
        return None
    period = rule.pro_rata.period
    share = period.share_of_year
    return ProRataOut(
        period=str(period),
        share_of_year=f"{share.numerator}/{share.denominator}",
        judged_against=rule.pro_rata.judged,
        year_end=rule.pro_rata.year_end,
        progress=None if status == "n/a" else "on track" if status == "pass" else "behind",
    )


def _plain(actual: Fraction | int | None) -> float | int | None:
    if actual is None or isinstance(actual, int):
        return actual
    if actual.denominator == 1:
        return int(actual)
    return float(actual)


def _exact(actual: Fraction | int | None) -> str | None:
    return None if actual is None else str(actual)  # Fraction(2, 5) → "2/5", Fraction(1) → "1"


def _by_lead(results: list[RuleResult]) -> list[LeadTally]:
    """Each lead unit's rules and how they ended, in the order the units first appear."""
    leads: dict[str, list[RuleResult]] = {}
    for result in results:
        for lead in result.lead:
            leads.setdefault(lead, []).append(result)
    return [
        LeadTally(
            lead=lead,
            rules=[r.id for r in mine],
            passed=sum(r.status == "pass" for r in mine),
            failed=sum(r.status == "fail" for r in mine),
            warned=sum(r.status == "warn" for r in mine),
            not_applicable=sum(r.status == "n/a" for r in mine),
            not_due=sum(r.status == "not-due" for r in mine),
        )
        for lead, mine in leads.items()
    ]


def _summary(results: list[RuleResult]) -> Summary:
    def count(status: Status) -> int:
        return sum(1 for r in results if r.status == status)

    return Summary(
        rules=len(results),
        passed=count("pass"),
        failed=count("fail"),
        warned=count("warn"),
        not_applicable=count("n/a"),
        not_due=count("not-due"),
    )


def failing_rows(rules: RuleSet, data: Dataset, rule_ids: set[str]) -> dict[str, pl.DataFrame]:
    """Per rule in ``rule_ids``, its failing units with what a town needs to act on them.

    Columns: the unit's id (and label), each table above it (its key and label: the community's
    id and name), its town, then every column the rule reads. A name the unit's own table uses
    already gets its table in front (``communities.town``). Rules without failing units (totals
    without a condition) are left out.
    """
    contract = rules.contract
    out: dict[str, pl.DataFrame] = {}
    chosen = [r for r in rules.rules if r.id in rule_ids and ready(r, contract, data)]
    data = unit_frames(dataclasses.replace(rules, rules=tuple(chosen)), data)
    for rule in chosen:
        spec = contract.table(rule.spec.table)
        failing = _failing_expr(rule, spec)
        if failing is None:
            continue
        frame = data[spec.name].lazy().filter(failing)
        listed = _Listed(set(data[spec.name].columns))
        show = listed.add
        for column in (spec.id_column, spec.label):
            if column:
                show(column, column, spec.name)
        key = spec.parent_column
        for depth, parent in enumerate(contract.ancestors(spec.name)):
            if key is None or parent.name not in data.tables:
                break
            wanted = [pl.col(parent.id_column).alias(f"__key{depth}")]
            if parent.label:
                wanted.append(pl.col(parent.label).alias(f"__label{depth}"))
            if parent.parent_column:
                wanted.append(pl.col(parent.parent_column).alias(f"__up{depth}"))
            up = data[parent.name].lazy().select(wanted)
            frame = frame.join(up, left_on=key, right_on=f"__key{depth}", how="left", maintain_order="left")
            show(key, parent.id_column, parent.name)
            if parent.label:
                show(f"__label{depth}", parent.label, parent.name)
            key = f"__up{depth}" if parent.parent_column else None
        if spec.name != TOWNS and reaches_town(contract, data, spec.name):  # a town is its own id
            assert contract.town is not None
            town_table, town_column = contract.town
            if spec.name != town_table:
                towns = _with_town(contract, data, spec.name).select(unit_id(spec).alias("__id"), _TOWN)
                frame = frame.join(
                    towns, left_on=spec.id_column, right_on="__id", how="left", maintain_order="left"
                )
                show(_TOWN, town_column, town_table)
            else:
                show(town_column, town_column, town_table)
        for column in sorted(rule.columns):
            if column not in listed.names:
                show(column, column, spec.name)
        rows = frame.select(pl.col(c).alias(n) for c, n in listed.names.items()).collect()
        if rows.height:
            out[rule.id] = rows
    return out


class _Listed:
    """The columns of a rectification list: column in the query → its unique name in the list."""

    def __init__(self, own: set[str]) -> None:
        self.own = own  # the unit's own columns keep their names
        self.names: dict[str, str] = {}

    def add(self, column: str, name: str, table: str) -> None:
        taken = set(self.names.values()) | (self.own - {column})
        self.names[column] = name if name not in taken else f"{table}.{name}"


def reaches_town(contract: Contract, data: Dataset, name: str) -> bool:
    """Whether units of ``name`` have a town in this data: the contract says where it is, and
    every table on the way is given (an optional table in between may be absent)."""
    if contract.town is None or not contract.town_reachable(name):
        return False
    chain = [name]
    for parent in contract.ancestors(name):
        chain.append(parent.name)
        if parent.name == contract.town[0]:
            break
    return all(table in data.tables for table in chain)
