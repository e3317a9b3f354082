"""``--format html``: one self-contained page for the leadership meeting, on screen or on A4.

No script, font or style is fetched: the page carries its CSS, its charts are inline SVG
(see :mod:`houfu_check.render.charts`), and a Content-Security-Policy forbids every fetch
and every script, so even data that slipped past escaping could not run. All data text is
escaped with :func:`html.escape`.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from houfu_check.i18n import Lang, label
from houfu_check.inert import for_html as e
from houfu_check.render.base import (
    Options,
    Renderer,
    Stopped,
    basis_line,
    change_text,
    changed_ids,
    compare_summary,
    continuity_lists,
    failing_shown,
    format_actual,
    format_clause,
    format_value,
    input_name,
    jump_lines,
    marked_title,
    pack_file,
    progress_line,
    progress_note,
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
from houfu_check.report import Comparison, NoticeOut, Report, RuleResult, TownResult, Validation

#: failing unit ids listed under each rule (the full lists come from --export-failing)
LISTED_IDS = 20
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"

CSS = """
:root { --pass:#2e7d32; --fail:#c62828; --warn:#f9a825; --na:#9e9e9e; --part:#5c6bc0; --ink:#212121;
        --soft:#616161; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",
       "SimHei","WenQuanYi Micro Hei",system-ui,sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 1100px; padding: 24px; line-height: 1.5; font-size: 14px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; border-bottom: 2px solid #e0e0e0;
     padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; margin: 0 0 6px; }
.meta, .note, footer { color: var(--soft); font-size: 12px; }
.cards { display: flex; gap: 12px; margin: 16px 0; flex-wrap: wrap; }
.card { border-radius: 6px; padding: 8px 16px; color: #fff; min-width: 110px; }
.card b { display: block; font-size: 26px; line-height: 1.2; }
.card.pass { background: var(--pass); } .card.fail { background: var(--fail); }
.card.warn { background: var(--warn); color: var(--ink); } .card.na { background: var(--na); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 4px 6px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; color: #fff; font-size: 12px;
         white-space: nowrap; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.warn { background: var(--warn); color: var(--ink); } .badge.na { background: var(--na); }
.badge.part { background: var(--part); }
article.rule { border: 1px solid #e0e0e0; border-left: 6px solid var(--na); border-radius: 4px;
               padding: 10px 14px; margin: 12px 0; }
article.rule.pass { border-left-color: var(--pass); } article.rule.fail { border-left-color: var(--fail); }
article.rule.warn { border-left-color: var(--warn); }
blockquote { margin: 6px 0; padding: 4px 10px; background: #fafafa; border-left: 3px solid #bdbdbd; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
dt { color: var(--soft); } dd { margin: 0; }
code { font-size: 12px; } .ids { font-family: monospace; font-size: 12px; overflow-wrap: anywhere; }
figure { margin: 8px 0 0; } figcaption { color: var(--soft); font-size: 12px; }
svg { max-width: 100%; height: auto; display: block; }
.legend span { margin-right: 12px; } .legend i { display: inline-block; width: 12px; height: 12px;
               vertical-align: middle; margin-right: 4px; border-radius: 2px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  article.rule, figure, tr { break-inside: avoid; }
  h2, h3, figcaption { break-after: avoid; }
  figure svg { max-height: 170mm; width: auto; max-width: 100%; }
  .card, .badge, article.rule, .legend i { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_CSS_STATUS = {"pass": "pass", "fail": "fail", "warn": "warn", "n/a": "na", "not-due": "na", "part": "part"}


class HtmlRenderer(Renderer):
    name = "html"
    machine = True  # a document for a file: problems go into it, not beside it
    suffix = ".html"
    needs_towns = True  # the charts are per town

    def report(self, report: Report, out: TextIO, opts: Options) -> None:
        lang = opts.lang
        title = f"{label('title', lang)} — {report.rules_file.plan}"
        out.write(_head(title, lang))
        out.write(f"<header><h1>{e(label('title', lang))}</h1>\n")
        period = f" · {e(label('period', lang))} {e(report.period)}" if report.period else ""
        out.write(f"<p>{e(report.rules_file.plan)}({e(report.rules_file.document)}){period}</p>\n")
        then = ""
        if report.previous is not None:
            round_ = report.previous.data + (f" ({report.previous.period})" if report.previous.period else "")
            then = f" · {e(label('previous_round', lang))}: {e(round_)}"
        out.write(f'<p class="meta">{e(label("data", lang))}: {e(report.data)}{then}</p></header>\n')
        out.write(self._cards(report, lang))
        out.write(self._overview(report, lang))
        towns = _towns(report)
        if towns:
            out.write(self._grid(report, towns, lang))
        for part in report.parts:
            rules = [r for r in report.rules if r.part == part.id]
            if rules:
                out.write(f"<h2>{e(part.zh if lang == 'zh' else part.en)}</h2>\n")
                for rule in rules:
                    out.write(self._rule(rule, lang))
        if report.by_lead:
            out.write(self._leads(report, lang))
        if report.warnings:
            out.write(_warnings(report.warnings, lang))
        out.write(self._footer(report, lang))
        out.write("</body>\n</html>\n")

    def stopped(self, stop: Stopped, out: TextIO, opts: Options) -> None:
        lang = opts.lang
        headline = stop_headline(stop, lang)
        out.write(_head(headline, lang))
        out.write(f"<h1>{e(label('title', lang))}</h1>\n")
        out.write(f'<p><span class="badge fail">{e(headline)}</span></p>\n')
        out.write(
            f"<table>\n<tr><th>{e(label('position', lang))}</th><th>{e(label('problem', lang))}</th></tr>\n"
        )
        for problem in stop.problems:
            out.write(
                f"<tr><td>{e(problem.position_in(lang))}</td><td>{e(problem.message_in(lang))}</td></tr>\n"
            )
        out.write("</table>\n")
        hidden = stop.total - len(stop.problems)
        if hidden > 0:
            out.write(f'<p class="note">{e(label("more", lang, n=hidden))}</p>\n')
        out.write("</body>\n</html>\n")

    def validated(self, result: Validation, out: TextIO, opts: Options) -> None:
        lang = opts.lang
        out.write(_head(label("valid", lang), lang))
        out.write(f"<h1>{e(label('title', lang))}</h1>\n")
        out.write(f'<p><span class="badge pass">{SYMBOLS["pass"]} {e(label("valid", lang))}</span></p>\n')
        out.write(f'<p class="meta">{e(label("data", lang))}: {e(result.data)}</p>\n<table>\n')
        file, rows = e(label("file", lang)), e(label("rows", lang))
        out.write(f'<tr><th>{file}</th><th class="num">{rows}</th><th>sha256</th></tr>\n')
        for i in result.inputs:
            name, sha = e(input_name(i, lang)), e(i.sha256)
            out.write(f'<tr><td>{name}</td><td class="num">{i.rows:,}</td><td><code>{sha}</code></td></tr>\n')
        out.write("</table>\n")
        if result.warnings:
            out.write(_warnings(result.warnings, lang))
        out.write("</body>\n</html>\n")

    def compared(self, c: Comparison, out: TextIO, opts: Options) -> None:
        lang = opts.lang
        old, new = round_name(c.old.data, c.old.period), round_name(c.new.data, c.new.period)
        out.write(_head(f"{label('compare_title', lang)} — {old} → {new}", lang))
        out.write(
            f"<header><h1>{e(label('compare_title', lang))}</h1>\n<p>{e(old)} → {e(new)}</p></header>\n"
        )
        out.write(f"<p><b>{e(compare_summary(c, lang))}</b></p>\n<table>\n<tr>")
        for h in ("clause", "rule", "then", "now", "change", "newly_failing", "no_longer_failing"):
            out.write(f"<th>{e(label(h, lang))}</th>")
        out.write("</tr>\n")
        for r in c.rules:
            newly = e(some(changed_ids(r, r.newly_failing, lang))) if r.newly_failing else ""
            gone = e(some(changed_ids(r, r.no_longer_failing, lang))) if r.no_longer_failing else ""
            clause = label("preamble", lang) if r.clause == "preamble" else r.clause
            out.write(
                f"<tr><td>{e(clause)}</td><td>{e(r.title[lang])} <code>{e(r.id)}</code></td>"
                f"<td>{_badge(r.old.status, lang, side_text(r, r.old, lang))}</td>"
                f"<td>{_badge(r.new.status, lang, side_text(r, r.new, lang))}</td>"
                f"<td>{e(change_text(r, lang))}</td>"
                f'<td class="ids">{newly}</td><td class="ids">{gone}</td></tr>\n'
            )
        out.write("</table>\n")
        if c.towns:
            out.write(f"<h2>{e(label('town_changes', lang))}</h2>\n<ul>\n")
            for t in c.towns:
                better = titles(c, t.improved, lang) or "—"
                worse = titles(c, t.regressed, lang) or "—"
                out.write(f"<li><b>{e(t.town)}</b>: ▲ {e(better)}; ▼ {e(worse)}</li>\n")
            out.write("</ul>\n")
        cont = c.continuity
        out.write(f"<h2>{e(label('continuity', lang))}</h2>\n<ul>\n")
        for heading, ids in continuity_lists(cont, lang):
            listed = f' — <span class="ids">{e(some(ids))}</span>' if ids else ""
            out.write(f"<li>{e(heading)}: {len(ids):,}{listed}</li>\n")
        jumps = jump_lines(cont, lang, 50)
        if jumps is not None:
            out.write(f"<li>{e(jumps[0])}: {len(cont.jumps):,}<ul>")
            out.write("".join(f"<li>{e(line)}</li>" for line in jumps[1]))
            out.write("</ul></li>\n")
        out.write("</ul>\n")
        if c.warnings:
            out.write(_warnings(c.warnings, lang))
        out.write("</body>\n</html>\n")

    # --- sections -----------------------------------------------------------------------

    def _cards(self, report: Report, lang: Lang) -> str:
        s = report.summary
        counts = {"pass": s.passed, "fail": s.failed, "warn": s.warned, "n/a": s.not_applicable}
        if s.not_due:
            counts["not-due"] = s.not_due
        cards = "".join(
            f'<div class="card {_CSS_STATUS[status]}"><b>{n}</b>{e(label(status, lang))}</div>'
            for status, n in counts.items()
        )
        summary = summary_text(s, lang)
        return f'<section class="cards" aria-label="{e(summary)}">{cards}</section>\n'

    def _overview(self, report: Report, lang: Lang) -> str:
        heads = ["status", "clause", "rule", "actual", "target", "failing", "lead"]
        rows = [
            "<tr>"
            + "".join(
                f"<th{' class=num' if h in ('actual', 'target', 'failing') else ''}>{e(label(h, lang))}</th>"
                for h in heads
            )
            + "</tr>"
        ]
        for rule in report.rules:
            failing = f"{rule.failing_count:,}" if rule.failing_count else ""
            rows.append(
                f"<tr><td>{_badge(rule.status, lang)}</td><td>{e(format_clause(rule, lang))}</td>"
                f'<td><a href="#rule-{e(rule.id)}">{e(marked_title(rule, lang))}</a></td>'
                f'<td class="num">{e(format_actual(rule))}</td>'
                f'<td class="num">{e(required_text(rule, lang))}</td>'
                f'<td class="num">{failing}</td><td>{e("、".join(rule.lead))}</td></tr>'
            )
        return f"<h2>{e(label('overview', lang))}</h2>\n<table>\n" + "\n".join(rows) + "\n</table>\n"

    def _grid(self, report: Report, towns: list[str], lang: Lang) -> str:
        from houfu_check.render.charts import MAX_TOWNS, status_grid

        shown = towns
        if len(towns) > MAX_TOWNS:
            fails = Counter(t.town for r in report.rules for t in r.by_town or [] if t.status == "fail")
            shown = sorted(sorted(towns), key=lambda town: -fails[town])[:MAX_TOWNS]
        judged = [r for r in report.rules if r.by_town]  # a county fact has no towns: not in the grid
        by_rule = [{t.town: t.status for t in r.by_town or []} for r in judged]
        statuses = [[cells.get(town, "n/a") for cells in by_rule] for town in shown]
        names = [f"{format_clause(r, lang)} {r.title[lang]}" for r in judged]
        svg = status_grid(shown, names, statuses)
        note = ""
        if len(shown) < len(towns):
            note = f'<p class="note">{e(label("towns_shown", lang, shown=len(shown), total=len(towns)))}</p>'
        legend = "".join(
            f'<span><i style="background:var(--{_CSS_STATUS[s]})"></i>{e(label(s, lang))}</span>'
            for s in ("pass", "fail", "warn", "n/a", "part")
            if s != "part" or any(t.status == "part" for r in report.rules for t in r.by_town or [])
        )
        return (
            f'<h2 id="grid">{e(label("status_grid", lang))}</h2>\n'
            f'<figure>{svg}<figcaption class="legend">{legend}</figcaption></figure>\n{note}\n'
        )

    def _rule(self, rule: RuleResult, lang: Lang) -> str:
        status = _CSS_STATUS[rule.status]
        parts = [
            f'<article class="rule {status}" id="rule-{e(rule.id)}">',
            f"<h3>{_badge(rule.status, lang)} {e(format_clause(rule, lang))} "
            f"{e(marked_title(rule, lang))} <code>{e(rule.id)}</code></h3>",
            f"<blockquote>{e(rule.text)}</blockquote>",
            *([f'<p class="note">{e(line)}</p>'] if (line := basis_line(rule, lang)) else []),
            "<dl>",
            f"<dt>{e(label('actual', lang))}</dt><dd>{e(format_actual(rule))}</dd>",
            f"<dt>{e(label('target', lang))}</dt><dd>{e(required_text(rule, lang))}</dd>",
            f"<dt>{e(label('scope', lang))}</dt><dd>{rule.scope_count:,} "
            f"{e(unit_words(rule, lang, rule.scope_count))}</dd>",
            f"<dt>{e(label('lead', lang))}</dt><dd>{e('、'.join(rule.lead))}</dd>",
        ]
        if rule.na_reason or rule.status == "not-due":
            said = status_word(rule, lang) + (f": {line}" if (line := progress_line(rule, lang)) else "")
            parts.append(f"<dt>{e(label('status', lang))}</dt><dd>{e(said)}</dd>")
        if rule.pro_rata:
            note = f"{e(status_word(rule, lang))}: {e(progress_note(rule, lang))}"
            parts.append(f"<dt>{e(label('period', lang))}</dt><dd>{note}</dd>")
        if rule.partners:
            parts.append(f"<dt>{e(label('partners', lang))}</dt><dd>{e('、'.join(rule.partners))}</dd>")
        if rule.failing_count:
            unit = unit_words(rule, lang, rule.failing_count)
            ids = ", ".join(e(u) for u in failing_shown(rule, lang, LISTED_IDS))
            more = rule.failing_count - min(rule.failing_count, LISTED_IDS)
            tail = f" {e(label('and_more', lang, n=f'{more:,}'))}" if more else ""
            parts.append(
                f"<dt>{e(label('failing', lang))}</dt><dd>{rule.failing_count:,} {e(unit)}:"
                f' <span class="ids">{ids}</span>{tail}</dd>'
            )
        if rule.waived:
            items = "".join(f"<li>{e(line)}</li>" for line in waived_lines(rule, lang))
            parts.append(f"<dt>{e(label('waived', lang))}</dt><dd><ul>{items}</ul></dd>")
        parts.append("</dl>")
        if rule.by_town and rule.display != "change":  # growth is a county figure: no town bars
            parts.append(self._town_chart(rule, lang))
        parts.append("</article>\n")
        return "\n".join(parts)

    def _town_chart(self, rule: RuleResult, lang: Lang) -> str:
        from houfu_check.render.charts import MAX_TOWNS, Bar, town_bars

        results = sorted(rule.by_town or [], key=lambda t: t.town)
        target = float(rule.target.value)
        if len(results) > MAX_TOWNS:  # the towns furthest from the target, failing ones first

            def distance(t: TownResult) -> tuple[int, float]:
                gap = abs(float(t.actual) - target) if t.actual is not None else -1.0
                return (0 if t.status == "fail" else 1, -gap)

            results = sorted(results, key=distance)[:MAX_TOWNS]
        comparable = rule.display in ("percent", "rate")  # the county's value is comparable (not a sum)
        percent = rule.display == "percent"
        # A share's county value is comparable with the towns'; a count's is their sum.
        county = float(rule.actual) if comparable and rule.actual is not None else None
        county_value = None if county is None else format_value(rule.display, county, target)
        county_text = "" if county is None else f"{label('county', lang)} {county_value}"

        def shown(t: TownResult) -> str:  # the symbol too: the status reads without colour
            if t.actual is None:
                return f"{SYMBOLS['n/a']} {label('n/a', lang)}"
            value = format_value(rule.display, t.actual, target)
            return f"{SYMBOLS[t.status]} {value}"

        part = any(t.status == "part" for t in results)  # a county figure: each town's part of it
        svg = town_bars(
            [Bar(t.town, None if t.actual is None else float(t.actual), shown(t), t.status) for t in results],
            None if part and not comparable else target,
            f"{label('target', lang)} {rule.target.text}",
            county,
            county_text,
            percent,
        )
        total = len(rule.by_town or [])
        caption = label("town_chart" if comparable else "town_chart_total", lang)
        if part:
            caption = label("town_chart_part", lang, target=rule.target.text)
        if len(results) < total:
            caption += " " + label("towns_shown", lang, shown=len(results), total=total)
        return f"<figure>{svg}<figcaption>{e(caption)}</figcaption></figure>"

    def _leads(self, report: Report, lang: Lang) -> str:
        heads = "".join(f"<th>{e(label(k, lang))}</th>" for k in ("lead", "rule_count"))
        heads += "".join(f'<th class="num">{_badge(s, lang)}</th>' for s in ("pass", "fail", "warn", "n/a"))
        rows = [f"<tr>{heads}</tr>"]
        for t in report.by_lead or []:
            nums = (t.passed, t.failed, t.warned, t.not_applicable)
            rows.append(
                f"<tr><td>{e(t.lead)}</td><td>{', '.join(e(r) for r in t.rules)}</td>"
                + "".join(f'<td class="num">{n}</td>' for n in nums)
                + "</tr>"
            )
        return f"<h2>{e(label('by_lead', lang))}</h2>\n<table>\n" + "\n".join(rows) + "\n</table>\n"

    def _footer(self, report: Report, lang: Lang) -> str:
        rows = e(label("rows", lang))
        files = "<br>".join(
            f"{e(input_name(i, lang))}: {i.rows:,} {rows}, {e(i.encoding)}, sha256 <code>{e(i.sha256)}</code>"
            for i in report.inputs
        )
        used = report.rules_file
        name = e(pack_file(used.file, lang))
        rules = f"{e(label('rules_file', lang))}: {name}, sha256 <code>{e(used.sha256)}</code>"
        return f"<footer><p>{files}<br>{rules}<br>{e(report.tool)} {e(report.version)}</p></footer>\n"


def _head(title: str, lang: Lang) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )


def _badge(status: str, lang: Lang, text: str | None = None) -> str:
    shown = e(text) if text is not None else f"{SYMBOLS[status]} {e(label(status, lang))}"
    return f'<span class="badge {_CSS_STATUS[status]}">{shown}</span>'


def _towns(report: Report) -> list[str]:
    return sorted({t.town for rule in report.rules for t in rule.by_town or []})


def _warnings(warnings: list[NoticeOut], lang: Lang) -> str:
    rows = [f"<tr><th>{e(label('position', lang))}</th><th>{e(label('problem', lang))}</th></tr>"]
    rows += [f"<tr><td>{e(w.position_in(lang))}</td><td>{e(w.message_in(lang))}</td></tr>" for w in warnings]
    return f"<h2>{e(label('warnings', lang))}</h2>\n<table>\n" + "\n".join(rows) + "\n</table>\n"
