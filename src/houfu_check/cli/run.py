"""Running a command: the guard that turns outcomes into exit codes, the progress line, the pack."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import pick_lang, pick_renderer
from houfu_check.cli.output import failure_documents, stop_with_problems
from houfu_check.cli.zh import lang_of
from houfu_check.io.byte_facts import stop_prefetch
from houfu_check.limits import SETTING_PROBLEM

if TYPE_CHECKING:
    from houfu_check.i18n import Lang
    from houfu_check.render import Options, Renderer
    from houfu_check.rules import RuleSet


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


@contextlib.contextmanager
def progress_display(enabled: bool, lang: str = "en") -> Iterator[Callable[[str], None]]:
    """A transient spinner on stderr naming the current step, when ``enabled``; else silence.

    Only for people at a terminal: never on a pipe or a file, and never with a machine
    format, so CI logs and JSON stay clean.
    """
    if not enabled or not sys.stderr.isatty():
        yield lambda step: None
        return
    from rich.console import Console

    with Console(stderr=True).status(step_in("starting", lang) + " …") as status:
        yield lambda step: status.update(f"{step_in(step, lang)} …")


def step_in(step: str, lang: str) -> str:
    """A progress step (``reading 城关镇/households.csv``) in the user's language."""
    if lang != "zh":
        return step
    if step.startswith("reading "):
        what = step.removeprefix("reading ")
        if what.endswith(" files") and what.removesuffix(" files").replace(",", "").isdigit():
            return f"正在读取 {what.removesuffix(' files')} 个文件"
        return "正在读取 " + what.replace(", sheet ", ",工作表 ")
    return {"starting": "正在启动", "validating": "正在校验"}.get(step, step)


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
        if SETTING_PROBLEM:  # a limit set in the environment that is no number
            raise typer.BadParameter(SETTING_PROBLEM, param_hint="HOUFU_CHECK_MAX_FILE_BYTES")
        code = body()
    except typer.BadParameter as exc:
        if targets and opts:
            failure_documents("usage-error", exc.format_message(), targets, opts)
        raise
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # the promise: no traceback unless asked for
        message = f"{type(exc).__name__}: {exc}"
        if debug:
            traceback.print_exc()
        elif (opts.lang if opts else lang_of(sys.argv[1:])) == "zh":
            typer.echo(
                f"houfu-check:内部错误:{message}\n请加 --debug 重新运行以查看完整的调用栈,并报告此问题。",
                err=True,
            )
        else:
            typer.echo(
                f"houfu-check: internal error: {message}\n"
                "Run again with --debug for the full traceback, and please report it.",
                err=True,
            )
        if targets and opts:
            failure_documents("internal-error", message, targets, opts)
        raise typer.Exit(ExitCode.INTERNAL) from None
    finally:
        stop_prefetch()  # a helper started by the body (the large files' hashes) ends with it
    raise typer.Exit(code)
