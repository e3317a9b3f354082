"""The default format: a rich table per part of the plan, a summary and the data it ran on."""

from __future__ import annotations

from dataclasses import replace
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from houfu_check.i18n import Lang, label
from houfu_check.inert import for_terminal as clean
from houfu_check.render.base import (
    CHANGE_SYMBOLS,
    STATUS_SYMBOLS,
    Options,
    Renderer,
    Stopped,
    basis_line,
    change_text,
    compare_summary,
    continuity_lists,
    failing_shown,
    few_changed,
    format_actual,
    format_clause,
    format_value,
    input_name,
    inputs_summary,
    jump_lines,
    marked_title,
    pack_file,
    progress_line,
    required_text,
    round_name,
    side_text,
    some,
    status_word,
    stop_headline,
    summary_text,
    titles,
    unit_words,
    waived_lines,
)
from houfu_check.report import Comparison, NoticeOut, Report, RuleResult, Validation

STYLES = {
    "pass": "green",
    "fail": "bold red",
    "warn": "yellow",
    "n/a": "dim",
    "not-due": "blue",
    "part": "cyan",
}
SYMBOLS = STATUS_SYMBOLS


def console_for(out: TextIO, opts: Options) -> Console:
    """A console on ``out``; colour follows the stream (and NO_COLOR) unless forced."""
    width = opts.width
    if width is None and not out.isatty():
        width = 150
    return Console(
        file=out,
        width=width,
        no_color=True if opts.color is False else None,  # None: rich honours NO_COLOR
        force_terminal=True if opts.color else None,
        color_system="auto" if opts.color is not False else None,
        highlight=False,
        soft_wrap=True,  # lines outside the table are never broken: grep finds them whole
    )


def _town_label(town: str, cells: int = 16) -> str:
    """A town's name for a column header: clean, and cut to ``cells`` terminal cells."""
    name = clean(town)
    if cell_len(name) <= cells:
        return name
    while cell_len(name + "…") > cells:
        name = name[:-1]
    return name + "…"


_RULE_WIDTH = 28  # the rule column of the by-town tables (its title folds)


class TerminalRenderer(Renderer):
    name = "terminal"

    def report(self, report: Report, out: TextIO, opts: Options) -> None:
        console = console_for(out, opts)
        lang = opts.lang
        console.print(
            Text.assemble(
                (label("title", lang), "bold"),
                f" — {clean(report.rules_file.plan)} ({clean(report.rules_file.document)})",
                f" · {label('period', lang)} {report.period}" if report.period else "",
            )
        )
        console.print(self._table(report, opts, console.width))
        readings = [
            (rule.id, basis_line(rule, lang)) for rule in report.rules if rule.basis == "interpretation"
        ]
        if readings:
            console.print(Text(f"{label('interpretations', lang)} ({len(readings)}):", style="bold"))
            for rule_id, line in readings:
                console.print(Text(f"  {rule_id}: ", style="dim") + Text(clean(line or "")))  # noqa: RUF100
        waived = [(rule.id, line) for rule in report.rules for line in waived_lines(rule, lang)]
        if waived:
            console.print(Text(f"{label('waived', lang)} ({len(waived)}):", style="bold"))
            for rule_id, line in waived:
                console.print(Text(f"  {rule_id}: ", style="dim") + Text(clean(line)))
        if any(rule.by_town for rule in report.rules):
            console.print(Text(label("by_town", lang), style="bold"))
            for table in self._town_tables(report, opts, console.width):
                console.print(table)
            if any(t.status == "part" for rule in report.rules for t in rule.by_town or []):
                console.print(Text(label("part_legend", lang), style="dim"))
        if report.by_lead:
            console.print(Text(label("by_lead", lang), style="bold"))
            console.print(self._lead_table(report, opts))
        self._warnings(console, report.warnings, lang)
        s = report.summary
        summary = summary_text(s, lang)
        style = "bold red" if s.failed else "yellow" if s.warned else "bold green"
        console.print(Text(summary, style=style))
        files = ", ".join(clean(line) for line in inputs_summary(report.inputs, label("rows", lang), lang))
        console.print(Text(f"{label('data', lang)}: {clean(report.data)} — {files}", style="dim"))
        if report.previous is not None:
            then = clean(report.previous.data) + (
                f" ({report.previous.period})" if report.previous.period else ""
            )
            console.print(Text(f"{label('previous_round', lang)}: {then}", style="dim"))
        console.print(
            Text(
                f"{label('rules_file', lang)}: {clean(pack_file(report.rules_file.file, lang))} "
                f"(sha256 {report.rules_file.sha256[:12]})",
                style="dim",
            )
        )

    def _table(self, report: Report, opts: Options, width: int) -> Table:
        """One table, a section per part of the plan, a row per rule.

        Below 130 columns one example id is shown, and below 110 it moves under the rule's
        title and the fraction under the percentage, so that no column is ever cut off.
        """
        lang = opts.lang
        wide, narrow = width >= 130, width < 110
        if not wide:
            opts = replace(opts, examples=min(opts.examples, 1))
        table = Table(expand=False, show_lines=False)
        table.add_column(label("clause", lang), overflow="fold")
        table.add_column(label("rule", lang), min_width=38 if wide else 24, overflow="fold")
        table.add_column(label("status", lang), no_wrap=True)
        table.add_column(label("actual", lang), justify="right", no_wrap=True)
        table.add_column(label("target", lang), justify="right", no_wrap=True)
        table.add_column(label("failing", lang), justify="right", no_wrap=True)
        if not narrow:
            table.add_column(label("examples", lang), max_width=26 if wide else 12, overflow="fold")
        for part in report.parts:
            rules = [r for r in report.rules if r.part == part.id]
            if not rules:
                continue
            if table.row_count:
                table.add_section()
            table.add_row("", Text(clean(part.zh if lang == "zh" else part.en), style="bold"))
            for rule in rules:
                cells = self._cells(rule, opts)
                if narrow:
                    title, examples = cells[1], cells[6]
                    if isinstance(title, Text) and isinstance(examples, Text) and examples.plain:
                        title.append("\n" + examples.plain, style="dim")
                    cells = [*cells[:3], format_actual(rule, split=True), *cells[4:6]]
                table.add_row(*cells)
        return table

    def _town_tables(self, report: Report, opts: Options, width: int) -> list[Table]:
        """Rules down, towns across (as many towns per table as the width holds): each cell is
        the rule's status and value on that town's units."""
        towns = sorted({t.town for rule in report.rules for t in rule.by_town or []})
        column = max([11, *(cell_len(_town_label(t)) + 3 for t in towns)])
        per_table = max(1, (width - _RULE_WIDTH - 4 - column) // column)  # the rule, the county
        return [
            self._town_table(report, opts, towns[start : start + per_table])
            for start in range(0, len(towns), per_table)
        ]

    def _town_table(self, report: Report, opts: Options, towns: list[str]) -> Table:
        table = Table(expand=False)
        table.add_column(label("rule", opts.lang), max_width=_RULE_WIDTH, overflow="fold")
        table.add_column(Text(label("county", opts.lang), style="bold"), justify="right", no_wrap=True)
        for town in towns:
            table.add_column(_town_label(town), justify="right", no_wrap=True)
        for rule in report.rules:
            whole = "" if rule.actual is None else self._short(rule, rule.actual)
            county = Text(f"{SYMBOLS[rule.status]} {whole}".strip(), style=STYLES[rule.status])
            cells: dict[str, Text] = {}
            for result in rule.by_town or []:
                shown = "" if result.actual is None else self._short(rule, result.actual)
                cells[result.town] = Text(
                    f"{SYMBOLS[result.status]} {shown}".strip(), style=STYLES[result.status]
                )
            name = Text(clean(rule.title[opts.lang]))  # its id is in the table above; ids do not fold
            table.add_row(name, county, *(cells.get(town, Text("")) for town in towns))
        return table

    @staticmethod
    def _short(rule: RuleResult, actual: float | int) -> str:
        return format_value(rule.display, actual, float(rule.target.value))

    def _lead_table(self, report: Report, opts: Options) -> Table:
        lang = opts.lang
        table = Table(expand=False)
        table.add_column(label("lead", lang))
        table.add_column(label("rule_count", lang), justify="right")
        for status in ("pass", "fail", "warn", "n/a"):
            table.add_column(Text(label(status, lang), style=STYLES[status]), justify="right")
        for tally in report.by_lead or []:
            table.add_row(
                clean(tally.lead),
                str(len(tally.rules)),
                str(tally.passed),
                str(tally.failed),
                str(tally.warned),
                str(tally.not_applicable),
            )
        return table

    def _cells(self, rule: RuleResult, opts: Options) -> list[Text | str]:
        lang = opts.lang
        status = Text(f"{SYMBOLS[rule.status]} {status_word(rule, lang)}", style=STYLES[rule.status])
        failing = ""
        if rule.failing_count:
            unit = unit_words(rule, lang, rule.failing_count)
            failing = f"{rule.failing_count:,}" + (f" {unit}" if opts.examples > 1 else "")
        shown = ", ".join(clean(u) for u in failing_shown(rule, lang, opts.examples))
        more = " …" if rule.failing_count > opts.examples else ""
        return [
            format_clause(rule, lang),
            Text(f"{clean(marked_title(rule, lang))}\n")
            + Text(rule.id, style="dim")
            + Text(f"\n{line}" if (line := progress_line(rule, lang)) else "", style="yellow"),
            status,
            format_actual(rule),
            required_text(rule, lang),
            failing,
            Text(shown + more),
        ]

    @staticmethod
    def _warnings(console: Console, warnings: list[NoticeOut], lang: Lang) -> None:
        if warnings:
            console.print(Text(f"{label('warnings', lang)} ({len(warnings)}):", style="bold yellow"))
            for w in warnings:
                console.print(
                    Text(f"  {clean(w.position_in(lang))}: ", style="yellow")
                    + Text(clean(w.message_in(lang)))
                )

    def validated(self, result: Validation, out: TextIO, opts: Options) -> None:
        console = console_for(out, opts)
        console.print(Text(f"{SYMBOLS['pass']} {label('valid', opts.lang)}", style="bold green"))
        for i in result.inputs:
            rows = f"{i.rows:,} {label('rows', opts.lang)}"
            console.print(
                Text(f"  {clean(input_name(i, opts.lang))}: {rows} ({i.encoding}, sha256 {i.sha256[:12]})")
            )
        self._warnings(console, result.warnings, opts.lang)

    def compared(self, c: Comparison, out: TextIO, opts: Options) -> None:
        console = console_for(out, opts)
        lang = opts.lang
        old, new = round_name(c.old.data, c.old.period), round_name(c.new.data, c.new.period)
        console.print(
            Text.assemble((label("compare_title", lang), "bold"), f" — {clean(old)} → {clean(new)}")
        )
        table = Table(expand=False)
        table.add_column(label("clause", lang), overflow="fold")
        table.add_column(label("rule", lang), overflow="fold", min_width=24)
        for key in ("then", "now", "change"):
            table.add_column(label(key, lang), no_wrap=True)
        table.add_column(label("newly_failing", lang), overflow="fold")
        table.add_column(label("no_longer_failing", lang), overflow="fold")
        styles = {"improved": "green", "regressed": "bold red", "unchanged": "dim"}
        for r in c.rules:
            table.add_row(
                label("preamble", lang) if r.clause == "preamble" else r.clause,
                Text(f"{clean(r.title[lang])}\n") + Text(r.id, style="dim"),
                Text(side_text(r, r.old, lang), style=STYLES[r.old.status]),
                Text(side_text(r, r.new, lang), style=STYLES[r.new.status]),
                Text(change_text(r, lang), style=styles[r.change]),
                clean(few_changed(r, r.newly_failing, lang)),
                clean(few_changed(r, r.no_longer_failing, lang)),
            )
        console.print(table)
        if c.towns:
            console.print(Text(label("town_changes", lang), style="bold"))
            for t in c.towns:
                parts = []
                if t.improved:
                    parts.append(f"{CHANGE_SYMBOLS['improved']} {titles(c, t.improved, lang)}")
                if t.regressed:
                    parts.append(f"{CHANGE_SYMBOLS['regressed']} {titles(c, t.regressed, lang)}")
                console.print(Text(f"  {clean(t.town)}: ", style="bold") + Text("; ".join(parts)))
        cont = c.continuity
        console.print(Text(label("continuity", lang), style="bold"))
        for heading, ids in continuity_lists(cont, lang):
            console.print(Text(f"  {heading}: {len(ids):,}" + (f" — {clean(some(ids))}" if ids else "")))
        jumps = jump_lines(cont, lang, 10)
        if jumps is not None:
            console.print(Text(f"  {jumps[0]}: {len(cont.jumps):,}"))
            for line in jumps[1]:
                console.print(Text(f"    {clean(line)}"))
        self._warnings(console, c.warnings, lang)
        console.print(Text(compare_summary(c, lang), style="bold red" if c.regressions else "bold"))

    def stopped(self, stop: Stopped, out: TextIO, opts: Options) -> None:
        console = console_for(out, opts)
        console.print(Text(stop_headline(stop, opts.lang), style="bold red"))
        for problem in stop.problems:
            console.print(
                Text(f"  {clean(problem.position_in(opts.lang))}: ", style="bold")
                + Text(clean(problem.message_in(opts.lang)))
            )
        hidden = stop.total - len(stop.problems)
        if hidden > 0:
            console.print(Text("  " + label("more", opts.lang, n=hidden), style="dim"))
