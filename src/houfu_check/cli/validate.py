"""``houfu-check validate DATA``: the data contract's checks alone, the gate a submission passes first."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from houfu_check.cli.common import (
    ColorOpt,
    DataArg,
    DebugOpt,
    EncodingOpt,
    FormatOpt,
    LangOpt,
    OutputDirOpt,
    OutputOpt,
    StepSummaryOpt,
    append_step_summary,
    data_files,
    destinations,
    emit,
    guarded,
    load_data,
    output_stream,
    pick_codec,
    pick_lang,
    pick_renderer,
    progress_display,
    say_written,
    stop_with_problems,
)
from houfu_check.cli.exit_codes import ExitCode

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
    step_summary: StepSummaryOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check DATA against the data contract only (no targets): exit 0 when valid, 2 when not."""
    from houfu_check.render import Options

    targets = destinations(format, output, output_dir)
    opts = Options(lang=pick_lang(lang), color=color)

    def body() -> int:
        codec = pick_codec(encoding)
        from houfu_check.engine import describe
        from houfu_check.errors import ProblemsFound

        protected = data_files(data)
        with progress_display(not any(r.machine for r, _ in targets)) as progress:
            outcome = load_data(data, codec, progress)
        if isinstance(outcome, ProblemsFound):
            stop_with_problems("invalid-data", outcome.log, targets, opts, protected, step_summary)
        result = describe(outcome, str(data))
        for renderer, path in targets:
            emit(partial(_write, renderer, result, opts, path, protected))
        say_written(targets)
        if step_summary:
            append_step_summary(partial(pick_renderer("markdown").validated, result, opts=opts))
        return ExitCode.OK

    guarded(debug, body, targets, opts)


def _write(
    renderer: Renderer, result: Validation, opts: Options, path: Path | None, protected: list[Path]
) -> None:
    with output_stream(path, protected) as out:
        renderer.validated(result, out, opts)
