"""What every command shares: option types, output streams, and turning outcomes into exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from houfu_check.atomic import atomic_path
from houfu_check.cli.exit_codes import ExitCode

# --- options shared by the commands -------------------------------------------------------

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
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback of internal errors.")]


if TYPE_CHECKING:
    from houfu_check.dataset import Dataset
    from houfu_check.errors import ErrorLog, ProblemsFound
    from houfu_check.i18n import Lang
    from houfu_check.pack.contract import Contract
    from houfu_check.period import Period
    from houfu_check.render import Options, Renderer
    from houfu_check.render.base import Stopped
    from houfu_check.rules import RuleSet
    from houfu_check.submission import Submission


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


def data_files(data: Path) -> list[Path]:
    """What a run reads from DATA: never to be written over. The folder itself (nothing is
    written inside it) and every file in it and its town folders (a file may be a link to a
    file elsewhere)."""
    if not data.is_dir():
        return [data]
    found = [data]
    with contextlib.suppress(OSError):
        for path in sorted(data.iterdir()):
            found.append(path)
            if path.is_dir():
                with contextlib.suppress(OSError):
                    found.extend(sorted(path.iterdir()))
    return found


def load_data(
    data: Path,
    codec: str | None,
    progress: Callable[[str], None],
    contract: Contract,
    submission: Submission | None = None,
) -> Dataset | ProblemsFound:
    """The validated data folder, or the problems that stop the run."""
    import tempfile

    from houfu_check.errors import ProblemsFound
    from houfu_check.validate import load_dataset

    with tempfile.TemporaryDirectory(prefix="houfu-check-") as workdir:
        try:
            return load_dataset(
                data, Path(workdir), codec, progress=progress, contract=contract, submission=submission
            )
        except ProblemsFound as found:
            return found


def load_pack(rules: Path | None, lang: Lang | None = None) -> RuleSet:
    """The pack (rules and contract) of ``--rules``, or exit 2 with its problems on stderr."""
    from houfu_check.errors import ProblemsFound
    from houfu_check.render import Options
    from houfu_check.rules import load_rules

    try:
        return load_rules(rules)
    except ProblemsFound as found:
        opts = Options(lang=lang or pick_lang(None))
        stop_with_problems("invalid-rules", found.log, [(pick_renderer("terminal"), None)], opts, [])


def pick_period(period: str | None) -> Period | None:
    """The period of ``--period``; a usage error for one that is not a quarter."""
    if period is None:
        return None
    from houfu_check.period import Period

    try:
        return Period.parse(period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None


def pick_lang(lang: str | None) -> Lang:
    from houfu_check.i18n import default_lang

    if lang is None:
        return default_lang()
    if lang not in ("zh", "en"):
        raise typer.BadParameter(f"'{lang}' is not a language; choose zh or en", param_hint="--lang")
    return lang  # type: ignore[return-value]


_OUTPUT = "--output / --output-dir"


@contextlib.contextmanager
def output_stream(output: Path | None, protected: list[Path]) -> Iterator[TextIO]:
    """stdout, or ``output`` written atomically (temp file + rename): never over an input, and
    never into a protected folder (the data folder: what lands there would be read next time)."""
    if output is None:
        yield sys.stdout
        return
    target = output.resolve()
    if any(target == p.resolve() for p in protected if p.exists() and not p.is_dir()):
        raise typer.BadParameter(f"'{output}' is an input file; choose another path", param_hint=_OUTPUT)
    if any(target.is_relative_to(p.resolve()) for p in protected if p.is_dir()):
        raise typer.BadParameter(
            f"'{output}' is inside the data folder; choose a path outside it", param_hint=_OUTPUT
        )
    if target.is_dir():
        raise typer.BadParameter(f"'{output}' is a folder; name a file", param_hint=_OUTPUT)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writing = atomic_path(target)
        tmp = writing.__enter__()
    except OSError as exc:
        raise typer.BadParameter(f"cannot write '{output}': {exc.strerror}", param_hint=_OUTPUT) from None
    with contextlib.ExitStack() as stack:
        stack.push(writing)  # renames onto the target on success, removes the file on failure
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            yield fh


@contextlib.contextmanager
def progress_display(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A transient spinner on stderr naming the current step, when ``enabled``; else silence.

    Only for people at a terminal: never on a pipe or a file, and never with a machine
    format, so CI logs and JSON stay clean.
    """
    if not enabled or not sys.stderr.isatty():
        yield lambda step: None
        return
    from rich.console import Console

    with Console(stderr=True).status("starting …") as status:
        yield lambda step: status.update(f"{step} …")


def destinations(
    formats: str, output: Path | None, output_dir: Path | None
) -> list[tuple[Renderer, Path | None]]:
    """Where each requested format goes: ``--output`` (one format), ``--output-dir`` or stdout."""
    renderers = [pick_renderer(name.strip()) for name in formats.split(",") if name.strip()]
    if not renderers:
        raise typer.BadParameter("name at least one format", param_hint="--format")
    if output is not None and output_dir is not None:
        raise typer.BadParameter("use --output or --output-dir, not both", param_hint="--output-dir")
    if output_dir is not None:
        if output_dir.exists() and not output_dir.is_dir():
            raise typer.BadParameter(f"'{output_dir}' is a file; name a folder", param_hint="--output-dir")
        return [(r, output_dir / f"report{r.suffix}") for r in renderers]
    if len(renderers) > 1:
        raise typer.BadParameter("several formats need --output-dir", param_hint="--format")
    return [(renderers[0], output)]


def stop_with_problems(
    reason: str,
    log: ErrorLog,
    targets: list[tuple[Renderer, Path | None]],
    opts: Options,
    protected: list[Path],
    step_summary: bool = False,
) -> NoReturn:
    """Render the problems that stop the run, then exit 2.

    Machine formats put their error document where the report would have gone; the
    terminal format writes to stderr (so stdout stays empty), and to its file if it has one.
    """
    from houfu_check.render.base import Stopped

    stop = Stopped(reason=reason, problems=log.shown(), total=log.total)
    for renderer, path in targets:
        if renderer.machine or path is not None:
            emit(partial(_write_stopped, renderer, stop, opts, path, protected))
    if not any(renderer.machine and path is None for renderer, path in targets):
        # Nobody reads a machine document on stdout: the problems go to stderr for people.
        emit(partial(pick_renderer("terminal").stopped, stop, sys.stderr, opts))
    if step_summary:
        append_step_summary(lambda out: pick_renderer("markdown").stopped(stop, out, opts))
    raise typer.Exit(ExitCode.INVALID)


def append_step_summary(write: Callable[[TextIO], None]) -> None:
    """Append Markdown to the file named by $GITHUB_STEP_SUMMARY (a CI job's summary page)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        typer.echo(
            "houfu-check: --step-summary: GITHUB_STEP_SUMMARY is not set; no summary written", err=True
        )
        return
    with open(target, "a", encoding="utf-8") as fh:
        write(fh)


def _write_stopped(
    renderer: Renderer, stop: Stopped, opts: Options, output: Path | None, protected: list[Path]
) -> None:
    with output_stream(output, protected) as out:
        renderer.stopped(stop, out, opts)


def say_written(targets: list[tuple[Renderer, Path | None]]) -> None:
    """When every output went to a file, say which (stdout stays empty otherwise)."""
    files = [str(path) for _, path in targets if path is not None]
    if files and len(files) == len(targets):
        typer.echo(f"wrote {', '.join(files)}", err=True)


def emit(write: Callable[[], None]) -> None:
    """Run ``write``; a reader that went away (``| head``) is no error and changes no exit code."""
    try:
        write()
        sys.stdout.flush()  # a buffered stdout meets the closed pipe here, not at exit
    except BrokenPipeError:
        # Say nothing more, and keep Python from complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def guarded(
    debug: bool,
    body: Callable[[], int],
    targets: list[tuple[Renderer, Path | None]] | None = None,
    opts: Options | None = None,
) -> None:
    """Run a command body: its return value is the exit code; surprises exit 3, briefly.

    With ``targets``, a machine format still gets its document when the body stops on bad
    usage (exit 2) or an internal error (exit 3): a CI job can always parse what it asked for.
    """
    try:
        code = body()
    except typer.BadParameter as exc:
        if targets and opts:
            _failure_documents("usage-error", exc.format_message(), targets, opts)
        raise
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # the promise: no traceback unless asked for
        message = f"{type(exc).__name__}: {exc}"
        if debug:
            traceback.print_exc()
        else:
            typer.echo(
                f"houfu-check: internal error: {message}\n"
                "Run again with --debug for the full traceback, and please report it.",
                err=True,
            )
        if targets and opts:
            _failure_documents("internal-error", message, targets, opts)
        raise typer.Exit(ExitCode.INTERNAL) from None
    raise typer.Exit(code)


def _failure_documents(
    reason: str, message: str, targets: list[tuple[Renderer, Path | None]], opts: Options
) -> None:
    """Each machine format on stdout gets its error document for a run that ended without a
    verdict. Files are left alone: the failure may be about the file itself (an input file
    named as the output), and stderr says what happened."""
    from houfu_check.errors import Problem
    from houfu_check.render.base import Stopped

    stop = Stopped(reason=reason, problems=[Problem(file="houfu-check", note=message)], total=1)
    for renderer, path in targets:
        if renderer.machine and path is None:
            emit(partial(renderer.stopped, stop, sys.stdout, opts))
