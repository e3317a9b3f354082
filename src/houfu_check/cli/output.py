"""Where output goes, safely: stdout or files written atomically, never over an input and never
into the data folder; the documents written when a run stops; a reader that went away.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

import typer

from houfu_check.atomic import atomic_path
from houfu_check.cli.exit_codes import ExitCode
from houfu_check.cli.options import pick_renderer

if TYPE_CHECKING:
    from houfu_check.errors import ErrorLog
    from houfu_check.i18n import Lang
    from houfu_check.render import Options, Renderer
    from houfu_check.render.base import Stopped


#: an input no output may overwrite: a path, or a folder's entry as its listing told it (a
#: county's thousands of town files are checked against an output without a stat each)
Protected = Path | os.DirEntry[str]


def data_files(data: Path) -> list[Protected]:
    """What a run reads from DATA: never to be written over. The folder itself (nothing is
    written inside it) and every file in it and its town folders (a file may be a link to a
    file elsewhere)."""
    if not data.is_dir():
        return [data]
    found: list[Protected] = [data]
    for entry in _listed(data):
        found.append(entry)
        if _is_folder(entry):
            found.extend(_listed(entry.path))
    return found


def _listed(folder: str | Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except OSError:
        return []


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a folder, links followed (told by the listing: a stat for a link only)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


_OUTPUT = "--output / --output-dir"


@contextlib.contextmanager
def output_stream(output: Path | None, protected: list[Protected]) -> Iterator[TextIO]:
    """stdout, or ``output`` written atomically (temp file + rename): never over an input, and
    never into a protected folder (the data folder: what lands there would be read next time)."""
    if output is None:
        yield sys.stdout
        return
    if _is_stream(output):  # /dev/null, a named pipe, >(…): written as they are, never replaced
        try:
            fh = open(output, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise typer.BadParameter(f"cannot write '{output}': {exc.strerror}", param_hint=_OUTPUT) from None
        with fh:
            yield fh
        return
    target = refuse_inputs(output, protected, _OUTPUT)
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


def _is_stream(path: Path) -> bool:
    """Whether ``path`` exists and is a device, pipe or socket rather than a file or folder."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def pack_files(rules: Path | None) -> list[Path]:
    """The rule file and every YAML file beside it (its contract among them): inputs no output
    may overwrite or append to."""
    from houfu_check.rules import default_rules_path

    path = rules or default_rules_path()
    try:
        beside = [p for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()]
    except OSError:
        beside = []
    named = _named_contract(path)
    return [path, *beside, *([named] if named else [])]


_CONTRACT_LINE = re.compile(
    r"""^contract:[ \t]*(?:"([^"\n]+)"|'([^'\n]+)'|([^#\s][^#\n]*?))[ \t]*(?:#.*)?$""", re.M
)


def _named_contract(rules: Path) -> Path | None:
    """The contract file a rule file names (``contract: ../shared/contract.yaml``, any name),
    as the loader finds it: beside the rule file. Read before the pack is loaded, so that an
    output refused for it is refused even when the pack does not load."""
    from houfu_check.rules.load import MAX_RULE_FILE_BYTES

    try:
        with rules.open("rb") as fh:
            text = fh.read(MAX_RULE_FILE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    found = _CONTRACT_LINE.search(text)
    if found is None:
        return None
    return rules.parent / next(g for g in found.groups() if g)


def written(targets: list[tuple[Renderer, Path | None]]) -> list[Path]:
    """The files the report goes to: the step summary must not append to one of them."""
    return [path for _, path in targets if path is not None]


def refuse_inputs(output: Path, protected: list[Protected], hint: str) -> Path:
    """``output`` resolved, or a usage error when it is an input file (the same file, by its
    device and inode: a link, a hard link or another spelling of the path is caught too) or
    inside a protected folder (by device and inode too: a folder linked or mounted elsewhere).
    A listed file is looked at only when the output exists already (a new file can be no
    input): a county of town folders protects thousands of files."""
    target = output.resolve()
    try:
        mine = target.stat()
    except OSError:
        mine = None
    folders = set()
    for is_folder, facts in _looked_at(protected, files=mine is not None):
        if is_folder:
            folders.add((facts.st_dev, facts.st_ino))
        elif mine is not None and (facts.st_dev, facts.st_ino) == (mine.st_dev, mine.st_ino):
            raise typer.BadParameter(f"'{output}' is an input file; choose another path", param_hint=hint)
    if _within(target, folders):
        raise typer.BadParameter(
            f"'{output}' is inside the data folder; choose a path outside it", param_hint=hint
        )
    return target


def inside_inputs(path: Path, protected: list[Protected]) -> bool:
    """Whether ``path`` is inside one of the protected folders (or is one), by device and
    inode: a folder linked or mounted elsewhere too (a bind mount, a container's volume) is the
    same folder, which no spelling of the path shows."""
    folders = {(facts.st_dev, facts.st_ino) for _, facts in _looked_at(protected, files=False)}
    return _within(path.resolve(), folders)


def _looked_at(protected: list[Protected], files: bool) -> Iterator[tuple[bool, os.stat_result]]:
    """(a folder?, its stat, links followed) of each protected input that can be looked at;
    listed files only when ``files`` (a folder's listing tells which entries are folders)."""
    for item in protected:
        try:
            if isinstance(item, os.DirEntry):
                folder = _is_folder(item)
                if folder or files:
                    yield folder, item.stat()
                continue
            facts = item.stat()
        except OSError:
            continue
        yield stat.S_ISDIR(facts.st_mode), facts


def _within(path: Path, folders: set[tuple[int, int]]) -> bool:
    """Whether ``path`` or a folder above it is one of ``folders`` (device, inode); the parts
    of ``path`` that do not exist yet are told by the folders above them."""
    for above in [path, *path.parents]:
        try:
            facts = above.stat()
        except OSError:
            continue
        if (facts.st_dev, facts.st_ino) in folders:
            return True
    return False


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
    protected: list[Protected],
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
            emit(partial(_write_stopped, renderer, stop, opts, path, protected), opts.lang)
    if not any(renderer.machine and path is None for renderer, path in targets):
        # Nobody reads a machine document on stdout: the problems go to stderr for people.
        emit(partial(pick_renderer("terminal").stopped, stop, sys.stderr, opts), opts.lang)
    if step_summary:
        summary = [*protected, *written(targets)]
        append_step_summary(
            lambda out: pick_renderer("markdown").stopped(stop, out, opts), summary, opts.lang
        )
    raise typer.Exit(ExitCode.INVALID)


def append_step_summary(
    write: Callable[[TextIO], None], protected: list[Protected], lang: str = "en"
) -> None:
    """Append Markdown to the file named by $GITHUB_STEP_SUMMARY (a CI job's summary page):
    never to an input file or into the data folder, like every other output."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        said = (
            "houfu-check:--step-summary:未设置 GITHUB_STEP_SUMMARY,没有写入摘要"
            if lang == "zh"
            else "houfu-check: --step-summary: GITHUB_STEP_SUMMARY is not set; no summary written"
        )
        typer.echo(said, err=True)
        return
    path = refuse_inputs(Path(target), protected, "GITHUB_STEP_SUMMARY")
    try:
        with open(path, "a", encoding="utf-8") as fh:
            write(fh)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot append to '{target}': {exc.strerror}", param_hint="GITHUB_STEP_SUMMARY"
        ) from None


def _write_stopped(
    renderer: Renderer, stop: Stopped, opts: Options, output: Path | None, protected: list[Protected]
) -> None:
    with output_stream(output, protected) as out:
        renderer.stopped(stop, out, opts)


def say_written(targets: list[tuple[Renderer, Path | None]], lang: Lang = "en") -> None:
    """When every output went to a file, say which (stdout stays empty otherwise)."""
    files = [str(path) for _, path in targets if path is not None]
    if files and len(files) == len(targets):
        typer.echo(("已写入 " if lang == "zh" else "wrote ") + ", ".join(files), err=True)


def cannot_write(what: str, exc: OSError, lang: Lang = "en") -> NoReturn:
    """A file-system failure on output (a full disk, a size limit, a read-only folder): one
    sentence in the user's language and exit 2 — not a usage error, and never a traceback."""
    from houfu_check.i18n import label, os_reason

    reason = os_reason(exc, lang)
    advice = label("cannot_write_advice", lang)
    typer.echo(label("cannot_write", lang, what=what, reason=reason, advice=advice), err=True)
    raise typer.Exit(2)


def emit(write: Callable[[], None], lang: Lang = "en") -> None:
    """Run ``write``; a reader that went away (``| head``) is no error and changes no exit code."""
    try:
        write()
        sys.stdout.flush()  # a buffered stdout meets the closed pipe here, not at exit
    except BrokenPipeError:
        # Say nothing more, and keep Python from complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError as exc:  # a full disk, a file over its size limit: a sentence and exit 2
        cannot_write(label_what("output", lang), exc, lang)


def label_what(key: str, lang: Lang, folder: object = "") -> str:
    """What could not be written, in the user's language."""
    from houfu_check.i18n import label

    return label(f"write_{key}", lang, folder=folder)


def failure_documents(
    reason: str,
    message: str,
    targets: list[tuple[Renderer, Path | None]],
    opts: Options,
    message_zh: str | None = None,
) -> None:
    """Each machine format on stdout gets its error document for a run that ended without a
    verdict. Files are left alone: the failure may be about the file itself (an input file
    named as the output), and stderr says what happened."""
    from houfu_check.cli.zh import usage_error
    from houfu_check.errors import Problem
    from houfu_check.render.base import Stopped

    zh = message_zh or (usage_error(message) if reason == "usage-error" else None)
    stop = Stopped(reason=reason, problems=[Problem(file="houfu-check", note=message, note_zh=zh)], total=1)
    for renderer, path in targets:
        if renderer.machine and path is None:
            emit(partial(renderer.stopped, stop, sys.stdout, opts), opts.lang)
