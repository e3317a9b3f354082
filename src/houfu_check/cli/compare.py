"""``houfu-check compare OLD NEW``: two rounds of a submission, what changed and for whom."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import (
    ColorOpt,
    DebugOpt,
    EncodingOpt,
    FormatOpt,
    LangOpt,
    OutputDirOpt,
    OutputOpt,
    RulesOpt,
    StepSummaryOpt,
    pick_codec,
    pick_lang,
    pick_renderer,
)
from houfu_check.cli.output import (
    Protected,
    append_step_summary,
    data_files,
    destinations,
    emit,
    failure_documents,
    output_stream,
    pack_files,
    say_written,
    stop_with_problems,
    written,
)
from houfu_check.cli.run import guarded, progress_display
from houfu_check.io.byte_facts import prefetch

if TYPE_CHECKING:
    from houfu_check.pack.contract import Contract
    from houfu_check.period import Period
    from houfu_check.render import Options, Renderer
    from houfu_check.report import Comparison

OldArg = Annotated[
    Path, typer.Argument(metavar="OLD", help="The earlier round's data folder.", show_default=False)
]
NewArg = Annotated[
    Path, typer.Argument(metavar="NEW", help="The later round's data folder.", show_default=False)
]
CompareFailOpt = Annotated[
    str,
    typer.Option(
        "--fail-on",
        help="What makes the exit code 1: fail (a rule that passed now fails; the default) or "
        "regression (any rule worse than the previous round, a failing one further off too).",
    ),
]
SamePeriodOpt = Annotated[
    bool,
    typer.Option("--allow-same-period", help="Compare two rounds of the same period (a resubmission)."),
]
ChangeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--max-change",
        metavar="COLUMN=N",
        help="List units whose COLUMN changes by more than N (repeatable; default: the rule file's "
        "continuity).",
    ),
]


def compare(
    old: OldArg,
    new: NewArg,
    rules: RulesOpt = None,
    format: FormatOpt = "terminal",
    output: OutputOpt = None,
    output_dir: OutputDirOpt = None,
    encoding: EncodingOpt = None,
    lang: LangOpt = None,
    color: ColorOpt = None,
    max_change: ChangeOpt = None,
    fail_on: CompareFailOpt = "fail",
    allow_same_period: SamePeriodOpt = False,
    step_summary: StepSummaryOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Compare two rounds (e.g. Q3 and Q4): each rule then and now, towns, units, continuity.

    Each round is read with its own submission.yaml (period) and waivers.yaml. Exit codes:
    0 no rule went from pass to fail, 1 one did (with --fail-on regression: any rule got worse),
    2 invalid data, rules or usage (two rounds of one period, or NEW earlier than OLD), 3 internal
    error.
    """
    from houfu_check.render import Options

    targets = destinations(format, output, output_dir)
    opts = Options(lang=pick_lang(lang), color=color)

    if fail_on not in ("fail", "regression"):
        raise typer.BadParameter(f"'{fail_on}' is not fail or regression", param_hint="--fail-on")

    def body() -> int:
        prefetch(old, new)  # the large files' hashes, worked out while the engine is imported
        from houfu_check.compare import compare as compare_rounds
        from houfu_check.engine import evaluate
        from houfu_check.errors import ErrorLog
        from houfu_check.pipeline import Stop, in_folder, prepare, waiver_file
        from houfu_check.report import PreviousOut

        codec = pick_codec(encoding)
        protected = [*data_files(old), *data_files(new), *pack_files(rules)]
        protected += [w for w in (waiver_file(old, None), waiver_file(new, None)) if w]
        with progress_display(not any(r.machine for r, _ in targets), opts.lang) as progress:
            rounds = [prepare(folder, rules, None, codec, None, progress) for folder in (old, new)]
        stops = [(folder, r) for folder, r in zip((old, new), rounds, strict=True) if isinstance(r, Stop)]
        if stops:  # both rounds' problems, each named under its round's folder
            log = ErrorLog()
            for folder, stop in stops:
                moved = in_folder(folder, stop.found).log
                log.add_many(moved.items, moved.total)
            stop_with_problems(stops[0][1].reason, log, targets, opts, protected, step_summary)
        before, after = rounds
        assert not isinstance(before, Stop)
        assert not isinstance(after, Stop)
        _check_order(
            old, new, before.submission.period, after.submission.period, allow_same_period, opts, targets
        )
        then = evaluate(before.rules, before.data, str(old), True, False, before.submission, before.notes)
        # growth targets of the new round compare with the old round, as `report --previous OLD` does
        then_label = PreviousOut(
            data=str(old), period=None if before.rules.period is None else str(before.rules.period)
        )
        now = evaluate(
            after.rules,
            after.data,
            str(new),
            True,
            False,
            after.submission,
            after.notes,
            before.data,
            then_label,
        )
        limits = after.rules.continuity
        watched = limits.table
        result = compare_rounds(
            then,
            now,
            before.data,
            after.data,
            after.rules.contract,
            watched,
            {**limits.max_change, **_changes(max_change, after.rules.contract, watched)},
        )
        for renderer, path in targets:
            emit(partial(_write, renderer, result, opts, path, protected), opts.lang)
        say_written(targets, opts.lang)
        if step_summary:
            append_step_summary(
                partial(pick_renderer("markdown").compared, result, opts=opts),
                [*protected, *written(targets)],
                opts.lang,
            )
        worse = result.regressed if fail_on == "regression" else result.regressions
        return ExitCode.TARGETS_MISSED if worse else ExitCode.OK

    guarded(debug, body, targets, opts)


def _check_order(
    old: Path,
    new: Path,
    then: Period | None,
    now: Period | None,
    same_ok: bool,
    opts: Options,
    targets: list[tuple[Renderer, Path | None]],
) -> None:
    """Two rounds of one period (unless allowed), or NEW earlier than OLD, are refused: the
    changes and the exit code would mean the opposite of what they say. A machine format on
    stdout still gets its document."""
    from houfu_check.i18n import label

    if then is None or now is None:
        return
    said: dict[str, str] = {}
    for lang in ("en", "zh"):
        if then == now and not same_ok:
            said[lang] = label("same_period", lang, period=str(now), old=str(old), new=str(new))
        elif now < then:
            said[lang] = label(
                "swapped_rounds", lang, new=str(new), new_period=str(now), old=str(old), old_period=str(then)
            )
    if said:
        typer.echo(said[opts.lang], err=True)
        failure_documents("usage-error", said["en"], targets, opts, said["zh"])
        raise typer.Exit(ExitCode.INVALID)


def _changes(given: list[str] | None, contract: Contract, watched: str | None) -> dict[str, int]:
    """``--max-change COLUMN=N`` (repeatable) as a mapping; a usage error names what is wrong."""
    found: dict[str, int] = {}
    for item in given or []:
        column, sep, number = item.partition("=")
        column = column.strip()
        if not sep or not re.fullmatch(r"[0-9]{1,9}", number.strip()):
            raise typer.BadParameter(
                f"'{item}' is not COLUMN=N (a column name, =, a whole number)", param_hint="--max-change"
            )
        table = contract.table(watched) if watched else None
        if (
            table is None
            or not table.has(column)
            or not table.column(column).numeric
            or table.column(column).personal
        ):
            where = (
                f"a number column of {watched}" if watched else "a column of the rule file's continuity table"
            )
            raise typer.BadParameter(f"'{column}' is not {where}", param_hint="--max-change")
        found[column] = int(number)
    return found


def _write(
    renderer: Renderer, result: Comparison, opts: Options, path: Path | None, protected: list[Protected]
) -> None:
    with output_stream(path, protected) as out:
        renderer.compared(result, out, opts)
