"""``--format junit``: JUnit XML, the test-report format CI platforms show natively.

One ``<testsuite>`` per part of the plan, one ``<testcase>`` per rule (``classname`` = the
part's id, ``name`` = the rule id):

- ``fail`` → ``<failure>`` whose message gives actual vs target and the failing units;
- ``warn`` → ``<skipped>`` with the same message (a warning must not turn the job red; it
  stays visible), and the detail in ``<system-out>``;
- ``n/a`` → ``<skipped>`` saying no unit was in scope;
- ``pass`` → an empty test case.

With ``--by town`` a failure's detail lists the towns that miss the rule; with ``--by lead``
each suite carries a ``lead: <unit>`` property with the county-wide tally of every lead unit
that answers for one of its rules (the schema allows properties on suites only).

Warnings about the data (see ``Report.warnings``) form a last suite of skipped cases.
Invalid data or rules give one suite of ``<error>`` test cases, one per problem, named by
the problem's position. Written with :mod:`xml.etree.ElementTree`, which escapes all data;
characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from houfu_check.i18n import Lang, label
from houfu_check.inert import for_xml as x
from houfu_check.render.base import (
    Options,
    Renderer,
    Stopped,
    basis_line,
    change_text,
    changed_ids,
    failing_shown,
    format_actual,
    format_clause,
    format_value,
    input_name,
    pack_file,
    progress_note,
    required_text,
    round_name,
    side_text,
    some,
    status_word,
    unit_words,
    waived_lines,
)
from houfu_check.report import Comparison, NoticeOut, Report, RuleResult, TownResult, Validation

#: failing unit ids named in a failure's detail (the full lists come from --export-failing)
LISTED_IDS = 20


class JunitRenderer(Renderer):
    name = "junit"
    machine = True
    suffix = ".xml"

    def report(self, report: Report, out: TextIO, opts: Options) -> None:
        s = report.summary
        root = ET.Element(
            "testsuites",
            name="houfu-check",
            tests=str(s.rules),
            failures=str(s.failed),
            errors="0",
            skipped=str(s.warned + s.not_applicable + s.not_due),
            time="0",
        )
        for part in report.parts:
            rules = [r for r in report.rules if r.part == part.id]
            if not rules:
                continue
            suite = ET.SubElement(
                root,
                "testsuite",
                name=x(f"{part.zh if opts.lang == 'zh' else part.en} ({part.id})"),
                tests=str(len(rules)),
                failures=str(sum(r.status == "fail" for r in rules)),
                errors="0",
                skipped=str(sum(r.status in ("warn", "n/a", "not-due") for r in rules)),
                time="0",
            )
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="data", value=x(report.data))
            ET.SubElement(
                props, "property", name="rules_file", value=x(pack_file(report.rules_file.file, opts.lang))
            )
            ET.SubElement(props, "property", name="rules_sha256", value=report.rules_file.sha256)
            ids = {r.id for r in rules}
            for t in report.by_lead or []:  # the county-wide tally of each lead unit with rules here
                if ids & set(t.rules):
                    counts = zip(
                        ("pass", "fail", "warn", "n/a"),
                        (t.passed, t.failed, t.warned, t.not_applicable),
                        strict=True,
                    )
                    sep = "," if opts.lang == "zh" else ", "
                    tally = sep.join(f"{label(word, opts.lang)} {n}" for word, n in counts)
                    name = f"{label('j_lead', opts.lang)}: {t.lead}"
                    ET.SubElement(props, "property", name=x(name), value=tally)
            for rule in rules:
                self._case(suite, rule, opts)
        _warnings(root, report.warnings, opts.lang)
        _write(root, out)

    def validated(self, result: Validation, out: TextIO, opts: Options) -> None:
        n = str(len(result.inputs))
        root = ET.Element(
            "testsuites", name="houfu-check", tests=n, failures="0", errors="0", skipped="0", time="0"
        )
        suite = ET.SubElement(
            root, "testsuite", name="validation", tests=n, failures="0", errors="0", skipped="0", time="0"
        )
        for i in result.inputs:
            ET.SubElement(
                suite, "testcase", classname="validation", name=x(input_name(i, opts.lang)), time="0"
            )
        _warnings(root, result.warnings, opts.lang)
        _write(root, out)

    def _case(self, suite: ET.Element, rule: RuleResult, opts: Options) -> None:
        case = ET.SubElement(suite, "testcase", classname=rule.part, name=rule.id, time="0")
        if rule.status == "pass":
            if rule.waived:
                waived = label("j_waived", opts.lang)
                ET.SubElement(case, "system-out").text = x(
                    "\n".join(f"{waived}: {w}" for w in waived_lines(rule, opts.lang))
                )
            return
        if rule.status == "n/a":
            why = label(rule.na_reason or "j_no_scope", opts.lang)
            ET.SubElement(case, "skipped", message=f"{label('n/a', opts.lang)}: {why}")
            return
        if rule.status == "not-due":
            verdict = label(rule.when_due or "n/a", opts.lang)
            why = label("j_not_due", opts.lang, due=rule.due, verdict=verdict)
            message = f"{why}: {self._message(rule, opts)}"
            ET.SubElement(case, "skipped", message=x(message))
            return
        message = self._message(rule, opts)
        detail = self._detail(rule, opts)
        if rule.status == "fail":
            ET.SubElement(case, "failure", message=message, type="target-missed").text = detail
        else:  # warn: visible, but not a failed test
            ET.SubElement(case, "skipped", message=f"{label('warn', opts.lang)}: {message}")
            ET.SubElement(case, "system-out").text = detail

    @staticmethod
    def _message(rule: RuleResult, opts: Options) -> str:
        lang = opts.lang
        actual, required = label("j_actual", lang), label("j_required", lang)
        message = f"{rule.id}: {actual} {format_actual(rule)}, {required} {required_text(rule, lang)}"
        if rule.pro_rata is not None:
            message = f"{status_word(rule, lang)}: {message} ({progress_note(rule, lang)})"
        if rule.failing_count:
            unit = unit_words(rule, lang, rule.failing_count)
            message += label("j_failing", lang, n=f"{rule.failing_count:,}", unit=unit)
        return x(message)

    @staticmethod
    def _detail(rule: RuleResult, opts: Options) -> str:
        lang = opts.lang
        lines = [
            f"{format_clause(rule, lang)} {rule.title[lang]}",
            f"{label('j_plan', lang)}: {rule.text}",
            *([line] if (line := basis_line(rule, lang)) else []),
            f"{label('j_lead', lang)}: {'、'.join(rule.lead)}",
        ]
        if rule.failing_count:
            shown = ", ".join(_flat(u) for u in failing_shown(rule, lang, LISTED_IDS))
            more = rule.failing_count - min(rule.failing_count, LISTED_IDS)
            tail = label("j_more", lang, n=f"{more:,}") if more else ""
            lines.append(f"{label('j_failing_ids', lang)}: {shown}{tail}")
        lines += [f"{label('j_waived', lang)}: {line}" for line in waived_lines(rule, lang)]
        towns = [t for t in rule.by_town or [] if t.status in ("fail", "warn")]
        if towns:
            missing = ", ".join(f"{t.town} {_town_value(rule, t)}" for t in towns)
            lines.append(f"{label('j_towns_missing', lang)}: {missing}")
        return x("\n".join(lines))

    def compared(self, c: Comparison, out: TextIO, opts: Options) -> None:
        """A test case per rule: a rule that passed then and fails now is a failure."""
        n = str(len(c.rules))
        failed = str(c.regressions)
        root = ET.Element(
            "testsuites", name="houfu-check compare", tests=n, failures=failed, errors="0", time="0"
        )
        suite = ET.SubElement(
            root, "testsuite", name="compare", tests=n, failures=failed, errors="0", skipped="0", time="0"
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="old", value=x(round_name(c.old.data, c.old.period)))
        ET.SubElement(props, "property", name="new", value=x(round_name(c.new.data, c.new.period)))
        for r in c.rules:
            case = ET.SubElement(suite, "testcase", classname=r.part, name=r.id, time="0")
            lang = opts.lang
            text = f"{side_text(r, r.old, lang)} → {side_text(r, r.new, lang)}: {change_text(r, lang)}"
            if r.old.status == "pass" and r.new.status == "fail":
                newly = some(changed_ids(r, r.newly_failing, lang), LISTED_IDS)
                detail = f"{label('j_newly_failing', lang)}: {_flat(newly)}"
                ET.SubElement(case, "failure", message=x(f"{r.id}: {text}"), type="regressed").text = x(
                    detail
                )
            else:
                ET.SubElement(case, "system-out").text = x(text)
        _warnings(root, c.warnings, opts.lang)
        _write(root, out)

    def stopped(self, stop: Stopped, out: TextIO, opts: Options) -> None:
        total = str(stop.total)
        root = ET.Element("testsuites", name="houfu-check", tests=total, failures="0", errors=total, time="0")
        suite = ET.SubElement(
            root,
            "testsuite",
            name=stop.reason,
            tests=total,
            failures="0",
            errors=total,
            skipped="0",
            time="0",
        )
        for problem in stop.problems:
            name = x(problem.position_in(opts.lang))
            case = ET.SubElement(suite, "testcase", classname=stop.reason, name=name, time="0")
            ET.SubElement(case, "error", message=x(problem.message_in(opts.lang)), type=problem.code)
        hidden = stop.total - len(stop.problems)
        if hidden > 0:
            case = ET.SubElement(suite, "testcase", classname=stop.reason, name="more", time="0")
            ET.SubElement(case, "error", message=x(label("more", opts.lang, n=hidden)), type="more")
        _write(root, out)


def _warnings(root: ET.Element, warnings: list[NoticeOut], lang: Lang = "en") -> None:
    """Warnings as a last suite of skipped cases: visible in the CI's test view, not failing it."""
    if not warnings:
        return
    n = str(len(warnings))
    suite = ET.SubElement(
        root, "testsuite", name="warnings", tests=n, failures="0", errors="0", skipped=n, time="0"
    )
    for w in warnings:
        case = ET.SubElement(suite, "testcase", classname="warnings", name=x(w.position_in(lang)), time="0")
        ET.SubElement(case, "skipped", message=x(f"{label('j_warning', lang)}: {w.message_in(lang)}"))
    root.set("tests", str(int(root.get("tests", "0")) + len(warnings)))
    root.set("skipped", str(int(root.get("skipped", "0")) + len(warnings)))


def _flat(text: str) -> str:
    """One line: an id with a line break must not read as two ids."""
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def _town_value(rule: RuleResult, town: TownResult) -> str:
    if town.actual is None:
        return "n/a"
    return format_value(rule.display, town.actual, float(rule.target.value))


def _write(root: ET.Element, out: TextIO) -> None:
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
