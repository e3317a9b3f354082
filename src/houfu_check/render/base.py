"""The one interface every output format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TextIO

from houfu_check.errors import Problem
from houfu_check.i18n import Lang, label
from houfu_check.report import InputOut, Report, RuleResult, Validation


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


def stop_headline(stop: Stopped, lang: Lang) -> str:
    """``The data did not pass validation: 3 problems; …`` (or the rule file's, the waivers')."""
    key = {"invalid-data": "invalid", "invalid-waivers": "invalid_waivers"}.get(stop.reason, "invalid_rules")
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
    """``warn``, or ``warn · behind`` for an annual rule judged on its pro-rata share."""
    word = label(rule.status, lang)
    if rule.pro_rata is not None and rule.pro_rata.progress is not None:
        word += " · " + label(rule.pro_rata.progress, lang)
    return word


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


def inputs_summary(inputs: list[InputOut], rows_word: str) -> list[str]:
    """Per input file ``name N rows (encoding, sha256 …)``; with many files (town folders),
    one line per table instead: ``households: 10 files, 20,005 rows``."""
    if len(inputs) <= 4:
        return [
            f"{input_name(i)} {i.rows:,} {rows_word} ({i.encoding}, sha256 {i.sha256[:12]})" for i in inputs
        ]
    tables = dict.fromkeys(i.table for i in inputs)
    out = []
    for name in tables:
        mine = [i for i in inputs if i.table == name]
        out.append(f"{name}: {len(mine)} files, {sum(i.rows for i in mine):,} {rows_word}")
    return out


def input_name(i: InputOut) -> str:
    """``households.csv`` or ``台账.xlsx, sheet 住户``."""
    return i.file if i.sheet is None else f"{i.file}, sheet {i.sheet}"
