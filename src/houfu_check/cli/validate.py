"""``houfu-check validate DATA``: the data contract's checks alone, the gate a submission passes first."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import (
    ColorOpt,
    DataArg,
    DebugOpt,
    EncodingOpt,
    FormatOpt,
    LangOpt,
    OutputDirOpt,
    OutputOpt,
    RulesOpt,
    StepSummaryOpt,
    WaiversOpt,
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
    output_stream,
    pack_files,
    say_written,
    stop_with_problems,
    written,
)
from houfu_check.cli.run import guarded, progress_display
from houfu_check.io.byte_facts import prefetch

if TYPE_CHECKING:
    from houfu_check.render import Options, Renderer
    from houfu_check.report import Validation


def validate(
    data: DataArg,
    format: FormatOpt = "terminal",
    output: OutputOpt = None,
    output_dir: OutputDirOpt = None,
    encoding: EncodingOpt = None,
    lang: LangOpt = None,
    color: ColorOpt = None,
    rules: RulesOpt = None,
    waivers: WaiversOpt = None,
    step_summary: StepSummaryOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check DATA without judging any target: the data contract, submission.yaml and the
    waivers (against the rules). Exit 0 when all is valid (warnings allowed), 2 when not."""
    prefetch(data)  # the large files' hashes, worked out by a helper while the tool starts up
    from houfu_check.render import Options

    targets = destinations(format, output, output_dir)
    opts = Options(lang=pick_lang(lang), color=color)

    def body() -> int:
        from houfu_check.engine import describe
        from houfu_check.pipeline import Stop, prepare, waiver_file

        codec = pick_codec(encoding)
        extra = waiver_file(data, waivers)
        protected = [*data_files(data), *pack_files(rules), *([extra] if extra else [])]
        with progress_display(not any(r.machine for r, _ in targets), opts.lang) as progress:
            ready = prepare(data, rules, None, codec, waivers, progress)
        if isinstance(ready, Stop):
            stop_with_problems(ready.reason, ready.found.log, targets, opts, protected, step_summary)
        result = describe(ready.data, str(data), ready.notes)
        for renderer, path in targets:
            emit(partial(_write, renderer, result, opts, path, protected), opts.lang)
        say_written(targets, opts.lang)
        if step_summary:
            append_step_summary(
                partial(pick_renderer("markdown").validated, result, opts=opts),
                [*protected, *written(targets)],
                opts.lang,
            )
        return ExitCode.OK

    guarded(debug, body, targets, opts)


def _write(
    renderer: Renderer, result: Validation, opts: Options, path: Path | None, protected: list[Protected]
) -> None:
    with output_stream(path, protected) as out:
        renderer.validated(result, out, opts)
