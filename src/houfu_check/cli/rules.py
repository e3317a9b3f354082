"""``houfu-check rules``: list the rules, explain one, check a rule file without data, or write the
pack's data contract as a Frictionless Data Package descriptor."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import DebugOpt, LangOpt, RulesOpt, pick_lang
from houfu_check.cli.output import emit
from houfu_check.cli.run import guarded

if TYPE_CHECKING:
    from houfu_check.i18n import Lang
    from houfu_check.rules import RuleSet

app = typer.Typer(
    help="List the rules, explain one, or check a rule file.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def listing(
    ctx: typer.Context,
    rules: RulesOpt = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """List every rule: id, clause, title, target, severity and lead unit."""
    if ctx.invoked_subcommand is not None:
        # `rules -r pack/targets.yaml explain ID`: the group's options hold for the subcommand
        ctx.obj = {"rules": rules, "lang": lang}
        return
    language = pick_lang(lang)

    def body() -> int:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from houfu_check.i18n import label
        from houfu_check.inert import for_terminal as clean

        ruleset = _load(rules, language)
        table = Table(show_lines=False)
        table.add_column(label("rule_id", language), no_wrap=True)
        for head in ("clause", "rule", "target", "severity", "lead"):
            table.add_column(label(head, language), overflow="fold")
        for rule in ruleset.rules:
            spec = rule.spec
            cells = (
                spec.id,
                label("preamble", language) if spec.clause == "preamble" else spec.clause,
                (spec.title.zh if language == "zh" else spec.title.en)
                + (" ※" if spec.basis == "interpretation" else ""),
                f"{label('kind_' + spec.kind, language)} {rule.target}"
                + (f" ({label('warn', language)} {rule.warn_target})" if rule.warn_target else ""),
                label("severity_" + spec.severity, language),
                ", ".join(spec.lead),
            )
            table.add_row(*(Text(clean(c)) for c in cells))  # a pack's text: inert, never markup
        Console(soft_wrap=False, width=None if _tty() else 150, highlight=False).print(table)
        return ExitCode.OK

    guarded(debug, body)


def _inherited(ctx: typer.Context, rules: Path | None, lang: str | None) -> tuple[Path | None, str | None]:
    """A subcommand's own --rules/--lang, else those given before its name."""
    given = ctx.obj if isinstance(ctx.obj, dict) else {}
    return rules or given.get("rules"), lang or given.get("lang")


@app.command("explain")
def explain(
    ctx: typer.Context,
    rule_id: Annotated[str, typer.Argument(metavar="ID", help="A rule id, e.g. stars.five_share.")],
    rules: RulesOpt = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show one rule: the quoted plan text, scope, condition, target and the columns it reads."""
    rules, lang = _inherited(ctx, rules, lang)
    language = pick_lang(lang)

    def body() -> int:
        ruleset = _load(rules, language)
        found = next((r for r in ruleset.rules if r.id == rule_id), None)
        if found is None:
            known = ", ".join(r.id for r in ruleset.rules)
            raise typer.BadParameter(f"no rule '{rule_id}'; the rules are: {known}", param_hint="ID")
        spec = found.spec
        from houfu_check.i18n import label

        def row(key: str, value: object) -> str:
            name = label("explain_" + key, language)
            return f"{name}: {value}" if language == "zh" else f"{name + ':':<11} {value}"

        lines = [
            # in English, the plan's own words beside the translation
            f"{spec.id} — {spec.title.zh if language == 'zh' else f'{spec.title.zh} / {spec.title.en}'}",
            row("clause", f"{spec.clause} ({ruleset.plan.document})"),
            row("text", spec.text),
            row("lead", ", ".join(spec.lead)),
            row("partners", ", ".join(spec.partners) or "—"),
            row("table", spec.table),
            row("scope", label("explain_all", language) if spec.scope == "true" else spec.scope),
            row("kind", f"{spec.kind} ({label('kind_' + spec.kind, language)})"),
        ]
        for field in ("condition", "numerator", "denominator", "sum"):
            value = getattr(spec, field)
            if value is not None:
                lines.append(row(field, " ".join(value.split())))
        if spec.rate_per:
            lines.append(row("rate_per", f"{spec.rate_per:,}"))
        lines += [
            row("target", found.target),
            row("severity", label("severity_" + spec.severity, language)),
            row("basis", label("interpretation" if spec.basis == "interpretation" else "stated", language)),
        ]
        if found.warn_target is not None:
            lines.append(row("warn", found.warn_target))
        if spec.due is not None:
            lines.append(row("due", spec.due.isoformat()))
        if spec.annual:
            lines.append(row("annual", label("explain_yes", language)))
        if spec.note is not None:
            lines.append(row("reading", spec.note.zh if language == "zh" else spec.note.en))
        lines.append(row("reads", ", ".join(f"{table}.{column}" for table, column in found.reads)))
        from houfu_check.inert import for_terminal as clean

        typer.echo("\n".join(clean(line) for line in lines))  # a pack's text reaches a terminal inert
        return ExitCode.OK

    guarded(debug, body)


@app.command("check")
def check(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The rule file to check.")],
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check a rule file without data: exit 0 when it is valid, 2 naming each problem."""
    _, lang = _inherited(ctx, None, lang)
    language = pick_lang(lang)

    def body() -> int:
        ruleset = _load(file, language)
        from houfu_check.i18n import label

        readings = sum(r.spec.basis == "interpretation" for r in ruleset.rules)
        total = len(ruleset.rules)
        said = label("check_valid", language, n=total, stated=total - readings, readings=readings)
        typer.echo(f"{file}: {said}")
        return ExitCode.OK

    guarded(debug, body)


@app.command("schema")
def schema(
    ctx: typer.Context,
    rules: RulesOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write datapackage.json to this file instead of stdout."),
    ] = None,
    lang: LangOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write the data contract as a Frictionless Data Package descriptor (datapackage.json), so
    that Frictionless tools can check a data folder with English headers too."""
    rules, lang = _inherited(ctx, rules, lang)
    language = pick_lang(lang)

    def body() -> int:
        import json

        from houfu_check.atomic import atomic_path
        from houfu_check.pack.datapackage import data_package

        descriptor = data_package(_load(rules, language).contract)
        text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            emit(lambda: typer.echo(text, nl=False))
            return ExitCode.OK
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(output) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot write '{output}': {exc.strerror or exc}", param_hint="--output"
            ) from None
        typer.echo(f"已写入 {output}" if language == "zh" else f"wrote {output}", err=True)
        return ExitCode.OK

    guarded(debug, body)


def _load(path: Path | None, lang: Lang) -> RuleSet:
    """The checked rules, or exit 2 with the rule file's problems on stderr."""
    from houfu_check.cli.run import load_pack

    return load_pack(path, lang)


def _tty() -> bool:
    return sys.stdout.isatty()
