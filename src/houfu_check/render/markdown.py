"""``--format markdown``: a compact summary for a merge-request comment or a CI job summary."""

from __future__ import annotations

from typing import TextIO

from houfu_check.i18n import Lang, label
from houfu_check.inert import for_markdown as md
from houfu_check.render.base import (
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
from houfu_check.render.terminal import SYMBOLS
from houfu_check.report import Comparison, NoticeOut, Report, RuleResult, Validation


class MarkdownRenderer(Renderer):
    name = "markdown"
    machine = True
    suffix = ".md"  # meant for a file (a job summary, a comment): problems go where the report would

    def report(self, report: Report, out: TextIO, opts: Options) -> None:
        lang = opts.lang
        s = report.summary
        plan = f"{md(report.rules_file.plan)} ({md(report.rules_file.document)})"
        if report.period:
            plan += f" · {md(label('period', lang))} {md(report.period)}"
        out.write(f"## {md(label('title', lang))} — {plan}\n\n")
        summary = summary_text(s, lang)
        out.write(f"**{md(summary)}**\n\n")
        out.write(
            f"| | {label('clause', lang)} | {label('rule', lang)} | {label('actual', lang)} "
            f"| {label('target', lang)} | {label('failing', lang)} |\n"
        )
        out.write("|---|---|---|---:|---:|---|\n")
        for rule in report.rules:
            out.write(self._row(rule, opts) + "\n")
        readings = [(r.id, basis_line(r, lang)) for r in report.rules if r.basis == "interpretation"]
        if readings:
            out.write(f"\n### {md(label('interpretations', lang))}\n\n")
            for rule_id, line in readings:
                out.write(f"- `{rule_id}`: {md(line or '')}\n")
        waived = [(rule.id, line) for rule in report.rules for line in waived_lines(rule, lang)]
        if waived:
            out.write(f"\n### {md(label('waived', lang))}\n\n")
            for rule_id, line in waived:
                out.write(f"- `{rule_id}`: {md(line)}\n")
        if any(rule.by_town for rule in report.rules):
            out.write(f"\n### {md(label('by_town', lang))}\n\n")
            self._towns(report, out, opts)
            if any(t.status == "part" for rule in report.rules for t in rule.by_town or []):
                out.write(f"\n{md(label('part_legend', lang))}\n")
        if report.by_lead:
            out.write(f"\n### {md(label('by_lead', lang))}\n\n")
            heads = [label(k, lang) for k in ("lead", "rule_count", "pass", "fail", "warn", "n/a")]
            out.write("| " + " | ".join(heads) + " |\n|---|---:|---:|---:|---:|---:|\n")
            for t in report.by_lead:
                out.write(
                    f"| {md(t.lead)} | {len(t.rules)} | {t.passed} | {t.failed} | {t.warned} "
                    f"| {t.not_applicable} |\n"
                )
        _warnings(report.warnings, out, lang)
        files = ", ".join(
            f"{md(input_name(i, lang))} {i.rows:,} {label('rows', lang)} (sha256 `{i.sha256[:12]}`)"
            for i in report.inputs
        )
        if len(report.inputs) > 4:  # town folders: a line per table (the JSON lists every file)
            files = ", ".join(md(line) for line in inputs_summary(report.inputs, label("rows", lang), lang))
        out.write(f"\n{label('data', lang)}: {md(report.data)} — {files}. ")
        if report.previous is not None:
            then = md(report.previous.data) + (
                f" ({report.previous.period})" if report.previous.period else ""
            )
            out.write(f"{label('previous_round', lang)}: {then}. ")
        rules_hash = report.rules_file.sha256[:12]
        name = md(pack_file(report.rules_file.file, lang))
        out.write(f"{label('rules_file', lang)}: {name} (sha256 `{rules_hash}`)\n")

    def _row(self, rule: RuleResult, opts: Options) -> str:
        lang = opts.lang
        failing = ""
        if rule.failing_count:
            unit = unit_words(rule, lang, rule.failing_count)
            shown = ", ".join(md(u) for u in failing_shown(rule, opts.lang, opts.examples))
            more = " …" if rule.failing_count > opts.examples else ""
            failing = f"{rule.failing_count:,} {unit}: {shown}{more}"
        line = progress_line(rule, lang)
        note = f"<br>{md(line)}" if line else ""
        return (
            f"| {SYMBOLS[rule.status]} {md(status_word(rule, lang))} | {md(format_clause(rule, lang))} "
            f"| {md(marked_title(rule, lang))} (`{rule.id}`){note} | {md(format_actual(rule))} "
            f"| {md(required_text(rule, lang))} | {failing} |"
        )

    def _towns(self, report: Report, out: TextIO, opts: Options) -> None:
        towns = sorted({t.town for rule in report.rules for t in rule.by_town or []})
        out.write("| " + " | ".join([label("rule", opts.lang), *(md(t) for t in towns)]) + " |\n")
        out.write("|---" + "|---:" * len(towns) + "|\n")
        for rule in report.rules:
            cells = {t.town: t for t in rule.by_town or []}
            row = [f"`{rule.id}`"]
            for town in towns:
                result = cells.get(town)
                if result is None:
                    row.append("")
                    continue
                value = ""
                if result.actual is not None:
                    value = format_value(rule.display, result.actual, float(rule.target.value))
                row.append(f"{SYMBOLS[result.status]} {md(value)}".strip())
            out.write("| " + " | ".join(row) + " |\n")

    def validated(self, result: Validation, out: TextIO, opts: Options) -> None:
        out.write(f"**{SYMBOLS['pass']} {md(label('valid', opts.lang))}**\n\n")
        out.write(f"| {label('file', opts.lang)} | {label('rows', opts.lang)} | sha256 |\n|---|---:|---|\n")
        for i in result.inputs:
            out.write(f"| {md(input_name(i, opts.lang))} | {i.rows:,} | `{i.sha256[:12]}` |\n")
        _warnings(result.warnings, out, opts.lang)

    def compared(self, c: Comparison, out: TextIO, opts: Options) -> None:
        lang = opts.lang
        old, new = round_name(c.old.data, c.old.period), round_name(c.new.data, c.new.period)
        out.write(f"## {md(label('compare_title', lang))} — {md(old)} → {md(new)}\n\n")
        out.write(f"**{md(compare_summary(c, lang))}**\n\n")
        heads = ["clause", "rule", "then", "now", "change", "newly_failing", "no_longer_failing"]
        out.write("| " + " | ".join(label(h, lang) for h in heads) + " |\n|---|---|---|---|---|---:|---:|\n")
        for r in c.rules:
            clause = label("preamble", lang) if r.clause == "preamble" else r.clause
            out.write(
                f"| {md(clause)} | {md(r.title[lang])} (`{r.id}`) | {md(side_text(r, r.old, lang))} "
                f"| {md(side_text(r, r.new, lang))} | {md(change_text(r, lang))} "
                f"| {md(few_changed(r, r.newly_failing, lang))} "
                f"| {md(few_changed(r, r.no_longer_failing, lang))} |\n"
            )
        if c.towns:
            out.write(f"\n### {md(label('town_changes', lang))}\n\n")
            for t in c.towns:
                better = md(titles(c, t.improved, lang))
                worse = md(titles(c, t.regressed, lang))
                out.write(f"- {md(t.town)}: ▲ {better or '—'}; ▼ {worse or '—'}\n")
        cont = c.continuity
        out.write(f"\n### {md(label('continuity', lang))}\n\n")
        for heading, ids in continuity_lists(cont, lang):
            out.write(f"- {md(heading)}: {len(ids):,}" + (f" — {md(some(ids))}" if ids else "") + "\n")
        jumps = jump_lines(cont, lang, 10)
        if jumps is not None:
            out.write(f"- {md(jumps[0])}: {len(cont.jumps):,}\n")
            for line in jumps[1]:
                out.write(f"  - {md(line)}\n")
        _warnings(c.warnings, out, lang)

    def stopped(self, stop: Stopped, out: TextIO, opts: Options) -> None:
        out.write(f"**{md(stop_headline(stop, opts.lang))}**\n\n")
        for problem in stop.problems:
            out.write(f"- {md(problem.position_in(opts.lang))}: {md(problem.message_in(opts.lang))}\n")
        hidden = stop.total - len(stop.problems)
        if hidden > 0:
            out.write(f"- {md(label('more', opts.lang, n=hidden))}\n")


def _warnings(warnings: list[NoticeOut], out: TextIO, lang: Lang) -> None:
    if warnings:
        out.write(f"\n### {md(label('warnings', lang))}\n\n")
        for w in warnings:
            out.write(f"- {md(w.position_in(lang))}: {md(w.message_in(lang))}\n")
