"""``houfu-check report DATA``: validate a data folder, judge every rule, print the report."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from houfu_check.cli.common import (
    guarded,
    output_stream,
    pick_lang,
    pick_renderer,
    stop_with_problems,
)
from houfu_check.cli.exit_codes import ExitCode

DataArg = Annotated[
    Path,
    typer.Argument(help="Data folder holding communities.csv and households.csv.", show_default=False),
]
RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", "-r", help="Rule file (YAML). Default: the shipped rules/targets.yaml."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output format: terminal or json.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option("--encoding", help="Encoding of the data files: utf-8 or gb18030 (default: detect)."),
]
LangOpt = Annotated[
    str | None, typer.Option("--lang", help="Label language: zh or en (default: from the locale).")
]
FailOnOpt = Annotated[
    str, typer.Option("--fail-on", help="Lowest status that makes the exit code 1: fail or warn.")
]
ColorOpt = Annotated[
    bool | None,
    typer.Option("--color/--no-color", help="Force colour on or off (default: auto, NO_COLOR)."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback of internal errors.")]


def report(
    data: DataArg,
    rules: RulesOpt = None,
    format: FormatOpt = "terminal",
    output: OutputOpt = None,
    encoding: EncodingOpt = None,
    lang: LangOpt = None,
    fail_on: FailOnOpt = "fail",
    color: ColorOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Validate DATA, check every target of the plan and print a pass/fail report.

    Exit codes: 0 all targets met (warnings allowed), 1 a target missed, 2 invalid data,
    rule file or usage, 3 internal error.
    """
    from houfu_check.io.encoding import normalise_encoding
    from houfu_check.render import Options

    renderer = pick_renderer(format)
    opts = Options(lang=pick_lang(lang), color=color)
    if fail_on not in ("fail", "warn"):
        raise typer.BadParameter(f"'{fail_on}' is not fail or warn", param_hint="--fail-on")
    codec = None
    if encoding is not None:
        codec = normalise_encoding(encoding)
        if codec is None:
            raise typer.BadParameter(
                f"'{encoding}' is not supported; use utf-8 or gb18030", param_hint="--encoding"
            )

    def body() -> int:
        from houfu_check.contract import tables
        from houfu_check.engine import evaluate
        from houfu_check.errors import ProblemsFound
        from houfu_check.rules import default_rules_path, load_rules
        from houfu_check.validate import load_dataset

        rules_path = rules or default_rules_path()
        protected = [data / spec.file_name for spec in tables()] + [rules_path]
        try:
            ruleset = load_rules(rules_path)
        except ProblemsFound as found:
            stop_with_problems("invalid-rules", found.log, renderer, opts, output, protected)
        with tempfile.TemporaryDirectory(prefix="houfu-check-") as workdir:
            try:
                dataset = load_dataset(data, Path(workdir), codec)
            except ProblemsFound as found:
                stop_with_problems("invalid-data", found.log, renderer, opts, output, protected)
        result = evaluate(ruleset, dataset, str(data))
        with output_stream(output, protected) as out:
            renderer.report(result, out, opts)
        if result.has("fail") or (fail_on == "warn" and result.has("warn")):
            return ExitCode.TARGETS_MISSED
        return ExitCode.OK

    guarded(debug, body)
