"""The one interface every output format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TextIO

from houfu_check.errors import Problem
from houfu_check.i18n import Lang, label
from houfu_check.report import (
    Comparison,
    Continuity,
    InputOut,
    Report,
    RuleChange,
    RuleResult,
    RuleSide,
    Summary,
    Validation,
)


@dataclass(frozen=True)
class Options:
    """How to render: language, colour (None = decide from the stream) and width."""

    lang: Lang = "en"
    color: bool | None = None
    width: int | None = None
    examples: int = 2  # failing unit ids shown per rule where a format abbreviates


@dataclass(frozen=True)
class Stopped:
    """Why a run stopped before any verdict: ``invalid-data`` or ``invalid-rules``."""

    reason: str
    problems: list[Problem]
    total: int


class Renderer(ABC):
    """Writes a report, or the problems that prevented one, to a text stream."""

    name: str = ""
    #: whether the output is for machines (then nothing else may be printed to the stream)
    machine: bool = False
    #: the file ending used with --output-dir (report.txt, report.json, ...)
    suffix: str = ".txt"
    #: whether the format needs every rule judged per town (its charts are per town)
    needs_towns: bool = False

    @abstractmethod
    def report(self, report: Report, out: TextIO, opts: Options) -> None:
        """Write ``report`` to ``out``."""

    @abstractmethod
    def stopped(self, stop: Stopped, out: TextIO, opts: Options) -> None:
        """Write the problems that stopped the run to ``out``."""

    @abstractmethod
    def validated(self, result: Validation, out: TextIO, opts: Options) -> None:
        """Write that the data passed validation (``houfu-check validate``) to ``out``."""

    @abstractmethod
    def compared(self, comparison: Comparison, out: TextIO, opts: Options) -> None:
        """Write the comparison of two rounds (``houfu-check compare``) to ``out``."""


def format_percent(share: float, target: float | None = None) -> str:
    """``98.4%``, with more decimals where rounding would reach a value it does not have.

    A share is never shown as 0%, 100% or its target unless it is exactly that: 39.99% next
    to "≥ 40%" reads ``39.99%``, not ``40%``.
    """
    marks = [0.0, 100.0] + ([target * 100] if target is not None else [])
    return _near(share * 100, marks) + "%"


def _near(exact: float, marks: list[float]) -> str:
    """``exact`` with as few decimals as keep it from reading as one of ``marks`` it is not,
    rounded half up as people round (13,406.25 → 13,406.3, not the float's half-even 13,406.2).
    A value that is exactly one of the marks (its target) is shown as exactly that."""
    if exact in marks and _half_up(exact, 4) == exact:
        return f"{exact:,.4f}".rstrip("0").rstrip(".")
    for digits in (1, 2, 3, 4):
        shown = _half_up(exact, digits)
        if not any(shown == _half_up(mark, digits) and exact != mark for mark in marks):
            return f"{shown:,.{digits}f}".rstrip("0").rstrip(".")
    near = min(marks, key=lambda mark: abs(mark - exact))
    return ("<" if exact < near else ">") + f"{near:g}"


def _half_up(value: float, digits: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def format_value(display: str, value: float | int, target: float) -> str:
    """One value of a rule as every format shows it, by the rule's ``display``: a percentage
    (``98.4%``), a change since the previous round (``+8.5%``), a rate (``1.1``), a number."""
    if display == "percent":
        return format_percent(float(value), target)
    if display == "change":
        return ("+" if value > 0 else "") + _near(float(value) * 100, [0.0, target * 100]) + "%"
    if display == "rate":
        return _near(float(value), [0.0, target])
    return f"{value:,}"


def _figure_text(value: float | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def format_actual(rule: RuleResult, split: bool = False) -> str:
    """A rule's value with what it is made of: ``95.2% (1,904/2,000)``, ``+8.5% (12,000.00 →
    13,020.00)``, ``1.1 (80/72,733 × 1,000)``, ``23`` (``split``: the parts on a second line)."""
    if rule.actual is None:
        return "—"
    value = format_value(rule.display, rule.actual, float(rule.target.value))
    parts = ""
    if rule.numerator is not None and rule.denominator is not None:
        if rule.display == "percent":
            parts = f"{rule.numerator:,}/{rule.denominator:,}"
        elif rule.display == "rate":
            per = f" × {rule.rate_per:,}" if rule.rate_per else ""
            parts = f"{_figure_text(rule.numerator)}/{_figure_text(rule.denominator)}{per}"
        elif rule.display == "change":
            parts = f"{_figure_text(rule.denominator)} → {_figure_text(rule.numerator)}"
    if not parts:
        return value
    return f"{value}\n{parts}" if split else f"{value} ({parts})"


CHANGE_SYMBOLS = {"improved": "▲", "regressed": "▼", "unchanged": "="}
STATUS_SYMBOLS = {"pass": "✓", "fail": "✗", "warn": "!", "n/a": "–", "not-due": "…", "part": "·"}


def side_text(change: RuleChange, side: RuleSide, lang: Lang) -> str:
    """``✗ fail 98.4%``: a rule's status and value in one round."""
    value = ""
    if side.actual is not None:
        value = " " + format_value(change.display, side.actual, float(change.target.value))
    return f"{STATUS_SYMBOLS[side.status]} {label(side.status, lang)}{value}"


def change_text(change: RuleChange, lang: Lang) -> str:
    """``▲ improved (+1.2 pts)`` / ``▼ regressed (+3)``."""
    text = f"{CHANGE_SYMBOLS[change.change]} {label(change.change, lang)}"
    if change.by_value:
        text += label("by_value", lang)
    if change.delta:
        if change.display in ("percent", "change"):
            pts = change.delta * 100
            tiny = ("+" if pts > 0 else "-") + "<0.01"
            shown = f"{pts:+.1f}" if abs(pts) >= 0.1 else f"{pts:+.2f}" if abs(pts) >= 0.01 else tiny
            text += f" ({shown} pts)" if lang == "en" else f"({shown} 个百分点)"
        else:
            shown = f"{change.delta:+,}" if isinstance(change.delta, int) else f"{change.delta:+,.2f}"
            text += f" ({shown})" if lang == "en" else f"({shown})"
    return text


def compare_summary(c: Comparison, lang: Lang) -> str:
    counts = {k: sum(1 for r in c.rules if r.change == k) for k in ("improved", "regressed", "unchanged")}
    return label(
        "compare_summary",
        lang,
        rules=len(c.rules),
        improved=counts["improved"],
        regressed=counts["regressed"],
        broken=c.regressions,
        same=counts["unchanged"],
    )


def unit_words(rule: RuleResult, lang: Lang, count: int) -> str:
    """The word for ``count`` of a rule's units: 户, household or households (from the pack)."""
    if lang == "zh":
        return rule.units.zh
    return rule.units.en if count == 1 else rule.units.en_plural


def continuity_lists(cont: Continuity, lang: Lang) -> list[tuple[str, list[str]]]:
    """The units gone and new between two rounds, each with its heading."""
    out = []
    for units in reversed(cont.units):  # the most numerous units (households) first
        table = units.zh or units.table if lang == "zh" else units.table
        out.append((label("units_gone", lang, table=table), units.disappeared))
        out.append((label("units_new", lang, table=table), units.appeared))
    return out


def jump_lines(cont: Continuity, lang: Lang, most: int) -> tuple[str, list[str]] | None:
    """The implausible jumps: a heading naming each watched column and its largest change, and
    the first ``most`` jumps (``HY-H000101 家庭人口数: 9 → 4``); None when no column is watched."""
    if not cont.max_change:
        return None

    def name(column: str) -> str:
        return cont.titles.get(column, column) if lang == "zh" else column

    limits = ", ".join(f"{name(column)} > {limit}" for column, limit in cont.max_change.items())
    lines = [f"{j.unit} {name(j.column)}: {j.old} → {j.new}" for j in cont.jumps[:most]]
    return label("jumps", lang, limits=limits), lines


def round_name(data: str, period: str | None) -> str:
    return f"{data} ({period})" if period else data


def titles(c: Comparison, ids: list[str], lang: Lang) -> str:
    """Rules named by their titles (a person reads a list of rules), in the user's language."""
    named = {r.id: r.title.get(lang, r.id) for r in c.rules}
    return (
        "、".join(named.get(i, i) for i in ids) if lang == "zh" else "; ".join(named.get(i, i) for i in ids)
    )


def few(ids: list[str], n: int = 3) -> str:
    """How many, and the first ``n``: ``12 (C03, C05, C07, …)`` (a table cell naming units)."""
    if not ids:
        return ""
    return f"{len(ids):,} ({', '.join(ids[:n])}{', …' if len(ids) > n else ''})"


def changed_ids(change: RuleChange, ids: list[str], lang: Lang) -> list[str]:
    """A rule's changed units as a reader sees them: the one row of county facts (its id is its
    table's name) in words, 全县 / county."""
    return [label("county", lang) if unit == change.table else unit for unit in ids]


def few_changed(change: RuleChange, ids: list[str], lang: Lang) -> str:
    """:func:`few` of :func:`changed_ids`."""
    return few(changed_ids(change, ids, lang))


def some(ids: list[str], n: int = 10) -> str:
    """The first ``n`` ids and how many more."""
    shown = ", ".join(ids[:n])
    return shown + (f" … (+{len(ids) - n:,})" if len(ids) > n else "")


def stop_headline(stop: Stopped, lang: Lang) -> str:
    """``The data did not pass validation: 3 problems; …`` (or the rule file's, the waivers')."""
    key = {
        "invalid-data": "invalid",
        "invalid-waivers": "invalid_waivers",
        "usage-error": "usage_error",
        "internal-error": "internal_error",
    }.get(stop.reason, "invalid_rules")
    return label(key, lang, count=stop.total, total=stop.total)


def progress_note(rule: RuleResult, lang: Lang) -> str:
    """For an annual rule judged before Q4: what the quarter required and what the year does."""
    p = rule.pro_rata
    if p is None:
        return ""
    return label(
        "pro_rata", lang, period=p.period, share=p.share_of_year, judged=p.judged_against, year_end=p.year_end
    )


def status_word(rule: RuleResult, lang: Lang) -> str:
    """``warn``, or ``warn · behind`` for an annual rule judged on its pro-rata share, or
    ``not yet due · due 2022-06-30; on today's figure it would be fail``."""
    word = label(rule.status, lang)
    if rule.pro_rata is not None and rule.pro_rata.progress is not None:
        word += " · " + label(rule.pro_rata.progress, lang)
    if rule.status == "n/a" and rule.na_reason:
        word += " · " + label(rule.na_reason, lang)
    if rule.status == "not-due" and rule.due:
        word += " · " + label("due_note", lang, due=rule.due)
    return word


def summary_text(s: Summary, lang: Lang) -> str:
    """``33 rules: 20 passed, …`` (and how many are not yet due, when any are)."""
    text = label(
        "summary", lang, rules=s.rules, passed=s.passed, failed=s.failed, warned=s.warned, na=s.not_applicable
    )
    return text + (label("not_due_count", lang, n=s.not_due) if s.not_due else "")


def progress_line(rule: RuleResult, lang: Lang) -> str | None:
    """What a rule that is not judged yet would be: an annual rule's pro-rata progress, or a
    rule not yet due with the verdict its current value would get."""
    if rule.pro_rata is not None:
        return progress_note(rule, lang)
    if rule.status == "not-due" and rule.due and rule.when_due:
        return label("when_due", lang, due=rule.due, verdict=label(rule.when_due, lang))
    return None


#: marks a rule whose number is the pack's reading of the plan's words, not a number it states
INTERPRETATION_MARK = "※"


def required_text(rule: RuleResult, lang: Lang) -> str:
    """What a rule requires: ``≥ 95%``, or with a band ``≥ 95% (pass from ≥ 98%; warn in between)``."""
    if rule.warn_target is None:
        return rule.target.text
    return label("band", lang, target=rule.target.text, warn=rule.warn_target.text)


def marked_title(rule: RuleResult, lang: Lang) -> str:
    """The rule's title, marked ※ when it is an interpretation."""
    title = rule.title[lang]
    return f"{title} {INTERPRETATION_MARK}" if rule.basis == "interpretation" else title


def basis_line(rule: RuleResult, lang: Lang) -> str | None:
    """``※ 解读:…`` for an interpretation (how the plan's words are read), else None."""
    if rule.basis != "interpretation":
        return None
    note = (rule.basis_note or {}).get(lang, "")
    return f"{label('interpretation_mark', lang)}{note}"


def waived_lines(rule: RuleResult, lang: Lang) -> list[str]:
    """One line per unit waived for ``rule``: who approved leaving it out, why, until when."""
    return [
        label(
            "waived_line",
            lang,
            unit=w.unit,
            reason=w.reason,
            approved_by=w.approved_by,
            until=w.until,
            state=label("would_fail", lang) if w.would_fail else "",
        )
        for w in rule.waived
    ]


def pack_file(name: str, lang: Lang) -> str:
    """A rule file's name as a report shows it: ``built-in rules/targets.yaml`` in the user's
    language (内置 rules/targets.yaml)."""
    prefix = "built-in "
    return label("built_in", lang) + " " + name[len(prefix) :] if name.startswith(prefix) else name


def inputs_summary(inputs: list[InputOut], rows_word: str, lang: Lang = "en") -> list[str]:
    """Per input file ``name N rows (encoding, sha256 …)``; with many files (town folders),
    one line per table instead: ``households: 10 files, 20,005 rows``."""
    if len(inputs) <= 4:
        return [
            f"{input_name(i, lang)} {i.rows:,} {rows_word} ({i.encoding}, sha256 {i.sha256[:12]})"
            for i in inputs
        ]
    tables = dict.fromkeys(i.table for i in inputs)
    out = []
    for name in tables:
        mine = [i for i in inputs if i.table == name]
        files = label("files", lang, n=f"{len(mine):,}")
        shown = (mine[0].table_zh or name) if lang == "zh" else name
        out.append(f"{shown}: {files}, {sum(i.rows for i in mine):,} {rows_word}")
    return out


def input_name(i: InputOut, lang: Lang = "en") -> str:
    """``households.csv`` or ``台账.xlsx, sheet 住户`` (``工作表 住户``)."""
    return i.file if i.sheet is None else f"{i.file}, {label('sheet', lang)} {i.sheet}"


def failing_shown(rule: RuleResult, lang: str, most: int) -> list[str]:
    """The first ``most`` failing units as a reader sees them: ids, or — for a rule on the one
    row of facts, whose unit id is its table's name — that row in words (全县, the county)."""
    return [_whole(rule, lang) if unit == rule.table else unit for unit in rule.failing[:most]]


def _whole(rule: RuleResult, lang: str) -> str:
    return f"全{rule.units.zh}" if lang == "zh" else f"the {rule.units.en}"


def format_clause(rule: RuleResult, lang: Lang) -> str:
    return label("preamble", lang) if rule.clause == "preamble" else rule.clause
