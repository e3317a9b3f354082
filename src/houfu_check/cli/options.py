"""Options shared by the commands, and turning their values into what the tool uses.

Each option is an ``Annotated`` type the commands put in their signatures; each ``pick_*``
turns a value into what the pipeline takes, or a usage error (exit 2) naming the option.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

DataArg = Annotated[
    Path,
    typer.Argument(
        metavar="DATA",
        help="Data folder: a CSV file or workbook per table of the pack's contract, or a folder per town.",
        show_default=False,
    ),
]
RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", "-r", help="Rule file (YAML). Default: the shipped rules/targets.yaml."),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="terminal, json, markdown, html or junit; several, comma-separated, with --output-dir.",
    ),
]
StepSummaryOpt = Annotated[
    bool,
    typer.Option(
        "--step-summary", help="Also append a Markdown summary to $GITHUB_STEP_SUMMARY (CI job page)."
    ),
]
OutputDirOpt = Annotated[
    Path | None,
    typer.Option("--output-dir", help="Write each --format (comma-separated) to report.<ext> here."),
]
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
ByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--by", help="Add a breakdown: town (every rule per town) or lead (per lead unit). Repeatable."
    ),
]
ExportOpt = Annotated[
    Path | None,
    typer.Option("--export-failing", help="Write one CSV per failing rule (整改清单) to this folder."),
]
PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Reporting period, e.g. 2022-Q3 (default: submission.yaml's). Annual targets are judged "
        "on their share due by the quarter's end.",
    ),
]
WaiversOpt = Annotated[
    Path | None,
    typer.Option("--waivers", help="Waiver file (default: waivers.yaml in DATA, if there is one)."),
]
PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help="The previous round's data folder, for growth targets (default: previous: in "
        "submission.yaml). Without one, growth targets are n/a.",
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback of internal errors.")]


if TYPE_CHECKING:
    from houfu_check.i18n import Lang
    from houfu_check.period import Period
    from houfu_check.render import Renderer


def pick_renderer(name: str) -> Renderer:
    """The renderer for ``--format``; a usage error (exit 2) for an unknown one."""
    from houfu_check.render import FORMATS, renderer

    try:
        return renderer(name)
    except KeyError:
        raise typer.BadParameter(
            f"'{name}' is not a format; choose one of: {', '.join(FORMATS)}", param_hint="--format"
        ) from None


def pick_codec(encoding: str | None) -> str | None:
    """The codec for ``--encoding`` (None: detect); a usage error for an unsupported one."""
    if encoding is None:
        return None
    from houfu_check.io.encoding import normalise_encoding

    codec = normalise_encoding(encoding)
    if codec is None:
        raise typer.BadParameter(
            f"'{encoding}' is not supported; use utf-8 or gb18030", param_hint="--encoding"
        )
    return codec


def pick_period(period: str | None) -> Period | None:
    """The period of ``--period``; a usage error for one that is not a quarter."""
    if period is None:
        return None
    from houfu_check.period import Period

    try:
        return Period.parse(period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


def _current_context() -> Any:
    """The command line being run (typer vendors click in newer releases), or None."""
    import importlib

    for name in ("typer._click.globals", "click.globals"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return module.get_current_context(silent=True)
    return None


def pick_lang(lang: str | None) -> Lang:
    from houfu_check.i18n import default_lang

    if lang is None:
        ctx = _current_context()  # `houfu-check --lang zh report …`: the root command's --lang
        given = ctx.find_root().params.get("lang") if ctx is not None else None
        return given if given in ("zh", "en") else default_lang()
    if lang.strip().lower() not in ("zh", "en"):
        raise typer.BadParameter(f"'{lang}' is not a language; choose zh or en", param_hint="--lang")
    return lang.strip().lower()  # type: ignore[return-value]
