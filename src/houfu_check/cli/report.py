"""``houfu-check report DATA``: validate a data folder, judge every rule, print the report."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from houfu_check.cli.common import (
    ByOpt,
    ColorOpt,
    DataArg,
    DebugOpt,
    EncodingOpt,
    ExportOpt,
    FailOnOpt,
    FormatOpt,
    LangOpt,
    OutputDirOpt,
    OutputOpt,
    PeriodOpt,
    RulesOpt,
    StepSummaryOpt,
    WaiversOpt,
    append_step_summary,
    data_files,
    destinations,
    emit,
    guarded,
    load_data,
    output_stream,
    pick_codec,
    pick_lang,
    pick_period,
    pick_renderer,
    progress_display,
    say_written,
    stop_with_problems,
)
from houfu_check.cli.exit_codes import ExitCode

WAIVERS = "waivers.yaml"

if TYPE_CHECKING:
    from houfu_check.dataset import Dataset
    from houfu_check.errors import Problem
    from houfu_check.i18n import Lang
    from houfu_check.render import Options, Renderer
    from houfu_check.report import Report
    from houfu_check.rules import RuleSet
    from houfu_check.submission import Submission


def report(
    data: DataArg,
    rules: RulesOpt = None,
    format: FormatOpt = "terminal",
    output: OutputOpt = None,
    output_dir: OutputDirOpt = None,
    encoding: EncodingOpt = None,
    lang: LangOpt = None,
    fail_on: FailOnOpt = "fail",
    color: ColorOpt = None,
    by: ByOpt = None,
    step_summary: StepSummaryOpt = False,
    export_failing: ExportOpt = None,
    period: PeriodOpt = None,
    waivers: WaiversOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Validate DATA, check every target of the plan and print a pass/fail report.

    Exit codes: 0 all targets met (warnings allowed), 1 a target missed, 2 invalid data,
    rule file or usage, 3 internal error.
    """
    from houfu_check.render import Options

    targets = destinations(format, output, output_dir)
    opts = Options(lang=pick_lang(lang), color=color)
    views = {v.strip() for item in by or [] for v in item.split(",") if v.strip()}
    if views - {"town", "lead"}:
        raise typer.BadParameter(
            f"'{', '.join(sorted(views - {'town', 'lead'}))}' is not town or lead", param_hint="--by"
        )
    if export_failing is not None and export_failing.resolve() == data.resolve():
        raise typer.BadParameter("choose a folder other than the data folder", param_hint="--export-failing")
    if fail_on not in ("fail", "warn"):
        raise typer.BadParameter(f"'{fail_on}' is not fail or warn", param_hint="--fail-on")
    codec = pick_codec(encoding)
    asked_period = pick_period(period)

    def body() -> int:
        from houfu_check.engine import evaluate
        from houfu_check.errors import ProblemsFound
        from houfu_check.rules import default_rules_path, load_rules
        from houfu_check.submission import Submission, read_submission

        waiver_file = waivers or (data / WAIVERS if (data / WAIVERS).is_file() else None)
        protected = [
            *data_files(data),
            rules or default_rules_path(),
            *([waiver_file] if waiver_file else []),
        ]

        def stop(reason: str, found: ProblemsFound) -> NoReturn:
            stop_with_problems(reason, found.log, targets, opts, protected, step_summary)

        try:
            submission = read_submission(data) if data.is_dir() else Submission()
        except ProblemsFound as found:
            stop("invalid-data", found)
        try:
            ruleset = load_rules(rules, asked_period or submission.period)
        except ProblemsFound as found:
            stop("invalid-rules", found)
        # The spinner must be gone before problems or the report are printed.
        with progress_display(not any(r.machine for r, _ in targets)) as progress:
            outcome = load_data(data, codec, progress)
        if isinstance(outcome, ProblemsFound):
            if export_failing is not None:  # lists of an earlier run no longer stand
                from houfu_check.exports import clear_previous

                if clear_previous(export_failing):
                    typer.echo(f"removed the earlier rectification lists from {export_failing}", err=True)
            stop("invalid-data", outcome)
        notes: list[Problem] = []
        if waiver_file is not None:
            try:
                ruleset, notes = _with_waivers(waiver_file, waivers is None, ruleset, outcome, submission)
            except ProblemsFound as found:
                stop("invalid-waivers", found)
        by_town = "town" in views or any(r.needs_towns for r, _ in targets)
        result = evaluate(ruleset, outcome, str(data), by_town, "lead" in views, submission, notes)

        for renderer, path in targets:
            emit(partial(_write_report, renderer, result, opts, path, protected))
        say_written(targets)
        if export_failing is not None:
            _export(export_failing, ruleset, outcome, result, opts.lang, quiet=targets[0][0].machine)
        if step_summary:
            append_step_summary(lambda out: pick_renderer("markdown").report(result, out, opts))
        if result.has("fail") or (fail_on == "warn" and result.has("warn")):
            return ExitCode.TARGETS_MISSED
        return ExitCode.OK

    guarded(debug, body)


def _with_waivers(
    path: Path, in_data: bool, ruleset: RuleSet, data: Dataset, submission: Submission
) -> tuple[RuleSet, list[Problem]]:
    """The rules with the waivers of ``path`` attached, and warnings about expired ones.

    A waiver is in force on the submission's date, else at the period's end, else today.
    """
    import datetime as dt

    from houfu_check.waivers import apply_waivers, read_waivers

    display = WAIVERS if in_data else str(path)
    period = ruleset.period or submission.period
    as_of = submission.date or (period.end if period else dt.date.today())
    listed = read_waivers(path, display)
    waived, notes = apply_waivers(listed, display, ruleset, data, as_of)
    return waived, list(notes)


def _export(folder: Path, ruleset: RuleSet, data: Dataset, result: Report, lang: Lang, quiet: bool) -> None:
    """Write the rectification lists of every rule that failed or warned."""
    from houfu_check.engine import failing_rows
    from houfu_check.exports import write_failing_lists

    wanted = {r.id for r in result.rules if r.status in ("fail", "warn") and r.failing_count}
    written = write_failing_lists(folder, failing_rows(ruleset, data, wanted), result, lang)
    if not quiet:
        typer.echo(f"wrote {len(written)} rectification list(s) to {folder}", err=True)


def _write_report(
    renderer: Renderer, result: Report, opts: Options, path: Path | None, protected: list[Path]
) -> None:
    with output_stream(path, protected) as out:
        renderer.report(result, out, opts)
