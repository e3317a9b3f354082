"""``houfu-check report DATA``: validate a data folder, judge every rule, print the report."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import (
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
    PreviousOpt,
    RulesOpt,
    StepSummaryOpt,
    WaiversOpt,
    pick_codec,
    pick_lang,
    pick_period,
    pick_renderer,
)
from houfu_check.cli.output import (
    Protected,
    append_step_summary,
    cannot_write,
    data_files,
    destinations,
    emit,
    inside_inputs,
    label_what,
    output_stream,
    pack_files,
    say_written,
    stop_with_problems,
    written,
)
from houfu_check.cli.run import guarded, progress_display
from houfu_check.io.byte_facts import prefetch

if TYPE_CHECKING:
    from houfu_check.dataset import Dataset
    from houfu_check.i18n import Lang
    from houfu_check.render import Options, Renderer
    from houfu_check.report import Report
    from houfu_check.rules import RuleSet


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
    previous: PreviousOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Validate DATA, check every target of the plan and print a pass/fail report.

    Exit codes: 0 all targets met (warnings allowed), 1 a target missed, 2 invalid data,
    rule file or usage, 3 internal error.
    """
    prefetch(data)  # the large files' hashes, worked out by a helper while the tool starts up
    from houfu_check.render import Options

    targets = destinations(format, output, output_dir)
    opts = Options(lang=pick_lang(lang), color=color)

    def body() -> int:
        from houfu_check.engine import evaluate
        from houfu_check.pipeline import Stop, prepare, waiver_file

        # Checked here, inside the guard, so that a machine format still gets its document.
        views = _views(by)
        extra = waiver_file(data, waivers)
        protected = [*data_files(data), *pack_files(rules), *([extra] if extra else [])]
        protected += _previous_round(data, previous)  # read too (growth rules): never written over
        if export_failing is not None and inside_inputs(export_failing, protected):
            # Lists inside the data folder would be read as data (a town folder) next time.
            raise typer.BadParameter("choose a folder outside the data folder", param_hint="--export-failing")
        if fail_on not in ("fail", "warn"):
            raise typer.BadParameter(f"'{fail_on}' is not fail or warn", param_hint="--fail-on")
        codec = pick_codec(encoding)
        asked_period = pick_period(period)

        # The spinner must be gone before problems or the report are printed.
        with progress_display(not any(r.machine for r, _ in targets), opts.lang) as progress:
            ready = prepare(data, rules, asked_period, codec, waivers, progress, previous)
        if isinstance(ready, Stop):
            if ready.reason == "invalid-data" and export_failing is not None:
                from houfu_check.exports import clear_previous  # the lists of a last run no longer stand
                from houfu_check.i18n import label

                if clear_previous(export_failing):
                    typer.echo(label("removed_lists", opts.lang, folder=export_failing), err=True)
            stop_with_problems(ready.reason, ready.found.log, targets, opts, protected, step_summary)
        if "town" in views and ready.rules.contract.town is None:
            raise typer.BadParameter(
                "the plan pack names no town column ('town:' in its contract)", param_hint="--by"
            )
        by_town = "town" in views or any(r.needs_towns for r, _ in targets)
        ruleset, dataset = ready.rules, ready.data
        result = evaluate(
            ruleset,
            dataset,
            str(data),
            by_town,
            "lead" in views,
            ready.submission,
            ready.notes,
            ready.previous,
            ready.previous_label,
        )

        for renderer, path in targets:
            emit(partial(_write_report, renderer, result, opts, path, protected), opts.lang)
        say_written(targets, opts.lang)
        if export_failing is not None:
            _export(export_failing, ruleset, dataset, result, opts.lang, quiet=targets[0][0].machine)
        if step_summary:
            append_step_summary(
                lambda out: pick_renderer("markdown").report(result, out, opts),
                [*protected, *written(targets)],
                opts.lang,
            )
        if result.has("fail") or (fail_on == "warn" and result.has("warn")):
            return ExitCode.TARGETS_MISSED
        return ExitCode.OK

    guarded(debug, body, targets, opts)


def _previous_round(data: Path, previous: Path | None) -> list[Protected]:
    """The previous round's files, named by --previous or by submission.yaml's ``previous:``."""
    then = previous
    if then is None:
        from houfu_check.errors import ProblemsFound
        from houfu_check.submission import read_submission

        try:
            then = read_submission(data).previous if data.is_dir() else None
        except (ProblemsFound, OSError):
            return []  # the run says what is wrong with submission.yaml
    return data_files(then) if then is not None else []


def _views(by: list[str] | None) -> set[str]:
    """The breakdowns asked for with ``--by`` (repeatable, comma-separated)."""
    views = {v.strip() for item in by or [] for v in item.split(",") if v.strip()}
    if views - {"town", "lead"}:
        raise typer.BadParameter(
            f"'{', '.join(sorted(views - {'town', 'lead'}))}' is not town or lead", param_hint="--by"
        )
    return views


def _export(folder: Path, ruleset: RuleSet, data: Dataset, result: Report, lang: Lang, quiet: bool) -> None:
    """Write the rectification lists of every rule that failed or warned."""
    from houfu_check.engine import failing_rows
    from houfu_check.exports import write_failing_lists

    wanted = {r.id for r in result.rules if r.status in ("fail", "warn") and r.failing_count}
    try:
        written = write_failing_lists(
            folder, failing_rows(ruleset, data, wanted), result, lang, ruleset.contract
        )
    except OSError as exc:  # a full disk, a file too large, a read-only folder: a sentence, exit 2
        cannot_write(label_what("lists", lang, folder=folder), exc, lang)
    if not quiet:
        from houfu_check.i18n import label

        lists = sum(1 for path in written if path.suffix == ".csv")
        typer.echo(label("wrote_lists", lang, n=lists, folder=folder), err=True)


def _write_report(
    renderer: Renderer, result: Report, opts: Options, path: Path | None, protected: list[Protected]
) -> None:
    with output_stream(path, protected) as out:
        renderer.report(result, out, opts)
