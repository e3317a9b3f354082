"""The command line: a thin typer app. Commands live in one module each.

Heavy libraries (polars, rich tables, pydantic models) are imported inside the commands,
so ``houfu-check --help`` starts fast.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from pathlib import Path
from typing import NoReturn

import typer

from houfu_check import __version__
from houfu_check.cli import compare as compare_command
from houfu_check.cli import init as init_command
from houfu_check.cli import report as report_command
from houfu_check.cli import rules as rules_command
from houfu_check.cli import sample as sample_command
from houfu_check.cli import validate as validate_command
from houfu_check.cli import zh
from houfu_check.io.byte_facts import prefetch, stop_prefetch

app = typer.Typer(
    name="houfu-check",
    help="Check relocation follow-up (易地搬迁后续扶持) data against the numeric targets of a work plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"houfu-check {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the output for every command: zh or en (default: the locale)."
    ),
) -> None:
    """Check relocation follow-up (易地搬迁后续扶持) data against the numeric targets of a work plan."""
    if lang is not None:  # `houfu-check --lang zh report …`: checked here, read by pick_lang
        from houfu_check.cli.options import pick_lang

        pick_lang(lang)


app.command("report")(report_command.report)
app.command("validate")(validate_command.validate)
app.command("compare")(compare_command.compare)
app.command("init")(init_command.init)
app.command("sample")(sample_command.sample)
app.add_typer(rules_command.app, name="rules")


def main() -> None:
    """Console-script entry point. SIGTERM ends the run as an exception would, so that every
    temporary file is removed on the way out (exit 143, as a terminated process)."""
    import signal

    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    _prefetch_early(sys.argv[1:])
    try:
        if zh.lang_of(sys.argv[1:]) == "zh":  # the help and usage errors, before anything is parsed
            command = typer.main.get_command(app)
            zh.localize(command)
            command(prog_name="houfu-check")
        else:
            app(prog_name="houfu-check")
    except SystemExit as done:
        _leave(done)


def _prefetch_early(args: list[str]) -> None:
    """Start the large files' helper (io.byte_facts) before the command line is even parsed:
    its hashing then fills the core that start-up leaves idle. The data is guessed from the
    words that name a folder or a CSV file; the command asks again for what it reads, and a
    guess that was wrong only costs the helper's time (facts are used only for the very file)."""
    if len(args) < 2 or args[0] not in ("report", "validate"):
        return
    guesses = [
        Path(a) for a in args[1:] if not a.startswith("-") and (a.endswith(".csv") or os.path.isdir(a))
    ]
    if guesses:
        prefetch(*guesses[:1])


def _leave(done: SystemExit) -> NoReturn:
    """End the process once the run is over, without tearing its memory down object by
    object: a national run holds ~0.7 GB of frames, and freeing them takes ~0.06 s no one
    waits for. Everything the run writes is closed by then (outputs are renamed into place);
    what is left to do at exit is done here first: the exit functions (the helper stopped, and
    a working folder an interrupt left behind removed, as tempfile does at exit), then both
    streams flushed, where there are any (a command may run with its output closed)."""
    code = done.code
    if not isinstance(code, int):
        if code is not None and sys.stderr is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    stop_prefetch()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head) or stream
                stream.flush()
    os._exit(code)
