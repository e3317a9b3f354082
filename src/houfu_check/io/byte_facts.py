"""What one pass over a CSV file's bytes tells (its hash, its separators), and a helper process
that works it out for a run's large files from the moment the command starts.

The national households file (200 MB) takes ~0.3 s of CPU to hash and count. Worked out in a
thread beside the parse, that time is taken from the parser's two cores; the command line
instead starts :func:`prefetch` before it imports the engine, and a bare interpreter (no site,
stdlib only) hashes the files while the tool starts up on the other core. The reader then takes
each file's facts from the helper, when the helper read the same file (device, inode, size and
time of change as the reader sees them), or works them out itself.

Standard library only: the helper imports this module and nothing else of the project.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: files smaller than this (a town's) are read whole, on one thread, without helpers
SMALL_FILE = 1 << 20


@dataclass(frozen=True)
class ByteFacts:
    """What one pass over a file's bytes tells: its hash, its separators, whether it quotes.

    Commas and quotes are counted on the original bytes: in UTF-8 and GB18030 no byte of a
    multi-byte character is an ASCII comma or quote, so the counts hold for the text too.
    """

    sha256: str
    commas: int
    has_quotes: bool
    has_plus: bool  # a "+" somewhere in the file
    maybe_blank: bool = True  # a line starts as an empty row would: only then are rows looked at


#: how a line that may be an empty row starts (after the line break): another break, a separator,
#: a quote, a space or a tab; a record's line starts with its first cell (an id)
_BLANK_START = re.compile(rb'\n[\s,"\x1c-\x1f\x80-\xff]')
# …or any byte of a character beyond ASCII (a no-break, ideographic or em space, in UTF-8 or
# GB18030): a superset, so that a small file finds the same empty rows a large one does


def facts_of(data: bytes) -> ByteFacts:
    """:func:`byte_facts` of a small file's bytes, already read."""
    return ByteFacts(
        hashlib.sha256(data).hexdigest(),
        data.count(b","),
        b'"' in data,
        b"+" in data,
        bool(_BLANK_START.search(data)),
    )


def byte_facts(
    path: Path | str, fh: IO[bytes] | None = None, each_block: Callable[[], None] = lambda: None
) -> ByteFacts:
    """Hash and count ``path`` (or the open ``fh``) in blocks (hashing releases the GIL);
    ``each_block`` is called before each (the helper: whether it still has a parent).

    Whether a row may be empty is left to the parsed frame (``csv_table._blank_rows`` looks
    at one column first): a pattern search over every line costs more than that."""
    if fh is None:
        with open(path, "rb") as opened:
            return byte_facts(path, opened, each_block)
    digest = hashlib.sha256()
    commas, quotes, plus = 0, False, False
    while True:
        each_block()
        if not (block := fh.read(1 << 22)):
            break
        digest.update(block)
        commas += block.count(b",")
        quotes = quotes or b'"' in block
        plus = plus or b"+" in block
    return ByteFacts(digest.hexdigest(), commas, quotes, plus)


#: a file as the helper and the reader identify it: device, inode, size, time of last change
Identity = tuple[int, int, int, int]


def _identity(st: os.stat_result) -> Identity:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class _Helper:
    """The running helper process and what it has said so far."""

    def __init__(self, proc: subprocess.Popen[bytes], asked: tuple[str, ...] = ()) -> None:
        self.proc = proc
        self.asked = asked  # the files and folders it was started on
        self.known: dict[Identity, ByteFacts] = {}
        self.finished = False
        self.busy: tuple[int, int] | None = None  # the file it is reading now (device, inode)
        self.wanted: set[tuple[int, int]] | None = None  # the files the reader reads, once told

    def facts(self, path: Path) -> ByteFacts | None:
        """``path``'s facts as the helper read them, waiting for its next lines if need be;
        None when it did not read this very file (or failed). A helper at work on a file the
        reader does not read (a 500 MB backup copy beside the data) is stopped, not waited for."""
        try:
            identity = _identity(os.stat(path))
        except OSError:
            return None
        while identity not in self.known and not self.finished:
            if self.busy is not None and self.wanted is not None and self.busy not in self.wanted:
                self.stop()
                break
            self._hear()
        return self.known.get(identity)

    def _hear(self) -> None:
        out = self.proc.stdout
        line = out.readline() if out is not None else b""
        fields = line.split()
        if len(fields) == 3 and fields[0] == b"reading":  # the file it starts on
            try:
                self.busy = (int(fields[1]), int(fields[2]))
            except ValueError:
                self.finished = True
            return
        self.busy = None
        if len(fields) != 8:  # the end (or anything unexpected: the reader works alone then)
            self.finished = True
            return
        try:
            numbers = [int(f) for f in fields[:4]]
            facts = ByteFacts(fields[4].decode("ascii"), int(fields[5]), fields[6] == b"1", fields[7] == b"1")
        except ValueError:
            self.finished = True
            return
        self.known[(numbers[0], numbers[1], numbers[2], numbers[3])] = facts

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.finished = True


_helper: _Helper | None = None


def prefetch(*data: Path) -> None:
    """Start the helper on each of ``data``: a CSV file, or a folder's CSV files and its town
    folders' (those of at least :data:`SMALL_FILE` bytes). Where no helper can start, nothing
    happens: the reader works the facts out itself."""
    global _helper
    asked = tuple(str(path) for path in data)
    if _helper is not None and _helper.proc.returncode is None and set(asked) <= set(_helper.asked):
        return  # already at work on these (started as the command line was read)
    stop_prefetch()
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds the package
    # the package's folder after the standard library's: nothing there shadows a standard module
    code = f"import sys; sys.path.append({root!r}); from houfu_check.io.byte_facts import _serve; _serve()"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", code, str(SMALL_FILE), *asked],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, ValueError):
        return
    _helper = _Helper(proc, asked)
    # reaped as soon as it ends (a finished helper must not hold a process slot for the run)
    threading.Thread(target=_reap, args=(proc,), daemon=True).start()


def _reap(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(Exception):
        proc.wait()


def expect(paths: list[Path]) -> None:
    """Tell the helper's answers which files the reader reads (the others it may be at work
    on are not waited for)."""
    if _helper is None:
        return
    wanted = set()
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        wanted.add((st.st_dev, st.st_ino))
    _helper.wanted = wanted


def prefetching() -> bool:
    """Whether a helper was started (its facts are asked for, not worked out again)."""
    return _helper is not None


def prefetched(path: Path) -> ByteFacts | None:
    """The helper's facts of ``path`` (waiting for them while it works), or None."""
    return _helper.facts(path) if _helper is not None else None


def stop_prefetch() -> None:
    """Stop the helper, if one runs (at the end of a run, or an interrupt: none outlives it)."""
    global _helper
    if _helper is not None:
        _helper.stop()
        _helper = None


atexit.register(stop_prefetch)


def _csv_files(top: str, orphaned: Callable[[], None] = lambda: None) -> list[os.DirEntry[str]]:
    """The CSV files of a folder and of its folders, as the folder reader finds them."""
    found: list[os.DirEntry[str]] = []
    folders = [top]
    with os.scandir(top) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir():
                folders.append(entry.path)
            elif entry.name.lower().endswith(".csv"):
                found.append(entry)
    for folder in folders[1:]:
        orphaned()  # a county of thousands of town folders: no walk outlives the run
        try:
            with os.scandir(folder) as entries:
                found += sorted((e for e in entries if e.name.lower().endswith(".csv")), key=lambda e: e.name)
        except OSError:
            continue
    return found


def _serve() -> None:
    """The helper: for each large CSV file, a line as it starts on it ("reading" and the
    file's device and inode) and one when done (its identity, hash, separators, quotes and
    plus signs)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the group: the parent stops it
    parent = os.getppid()

    def orphaned() -> None:  # the parent is gone (killed): no one is listening
        if os.getppid() != parent:
            sys.exit(0)

    least = int(sys.argv[1])
    for data in sys.argv[2:]:
        _tell(data, least, orphaned)


def _tell(data: str, least: int, orphaned: Callable[[], None]) -> None:
    try:
        entries = _csv_files(data, orphaned) if os.path.isdir(data) else None
        sizes = [(e.path, e.stat().st_size) for e in entries] if entries is not None else [(data, least)]
    except OSError:
        return
    for path, size in sizes:
        orphaned()
        if size < least:  # a town's small file: its reader reads it whole, and counts it then
            continue
        try:
            # without waiting for a writer: a FIFO named like data must not hold the helper
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode) or st.st_size < least:
                    continue
                print(f"reading {st.st_dev} {st.st_ino}", flush=True)
                facts = byte_facts(path, fh, orphaned)
        except OSError:
            continue
        identity = " ".join(str(n) for n in _identity(st))
        flags = f"{int(facts.has_quotes)} {int(facts.has_plus)}"
        print(f"{identity} {facts.sha256} {facts.commas} {flags}", flush=True)
