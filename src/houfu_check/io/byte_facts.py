"""What one pass over a CSV file's bytes tells (its hash, its separators), and a helper process
that works it out for a run's files from the moment the command starts.

The national households file (200 MB) takes ~0.3 s of CPU to hash and count. Worked out in a
thread beside the parse, that time is taken from the parser's two cores; the command line
instead starts :func:`prefetch` before it imports the engine, and a bare interpreter (no site,
stdlib only) hashes the files while the tool starts up on the other core. The reader then takes
each file's facts from the helper, when the helper read the same file (device, inode, size and
time of change as the reader sees them), or works them out itself. A county's small town
files are read whole by the helper too, which says whether each decodes as UTF-8: the reader
then neither hashes nor decodes them again (1,600 town folders: ~0.13 s).

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

from houfu_check.limits import MAX_FILE_BYTES

#: files smaller than this (a town's) are read whole, on one thread, without helpers
SMALL_FILE = 1 << 20

#: open for reading without waiting for a writer (a FIFO named like data must hold no one), in
#: binary where the system tells text from binary
READ = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


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
    utf8: bool | None = None  # decodes whole as UTF-8, without a byte-order mark (None: not looked)
    returns: int | None = None  # carriage returns (None: not counted), for io.plain_values


#: how a line that may be an empty row starts (after the line break): another break, a separator,
#: a quote, a space or a tab; a record's line starts with its first cell (an id)
_BLANK_START = re.compile(rb'\n[\s,"\x1c-\x1f\x80-\xff]')
# …or any byte of a character beyond ASCII (a no-break, ideographic or em space, in UTF-8 or
# GB18030): a superset, so that a small file finds the same empty rows a large one does


def facts_of(data: bytes, utf8: bool = False) -> ByteFacts:
    """:func:`byte_facts` of a small file's bytes, already read; ``utf8``: whether they decode
    as UTF-8 is looked at too (the helper does, so that the reader need not)."""
    return ByteFacts(
        hashlib.sha256(data).hexdigest(),
        data.count(b","),
        b'"' in data,
        b"+" in data,
        bool(_BLANK_START.search(data)),
        _is_utf8(data) if utf8 else None,
        data.count(b"\r"),
    )


def _is_utf8(data: bytes) -> bool:
    if data.startswith(b"\xef\xbb\xbf"):  # a byte-order mark: the reader looks at it itself
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
    commas, returns, quotes, plus = 0, 0, False, False
    while True:
        each_block()
        if not (block := fh.read(1 << 22)):
            break
        digest.update(block)
        commas += block.count(b",")
        if b"\r" in block:  # a search stops short of a count: most files end their lines in \n alone
            returns += block.count(b"\r")
        quotes = quotes or b'"' in block
        plus = plus or b"+" in block
    return ByteFacts(digest.hexdigest(), commas, quotes, plus, returns=returns)


#: a file as the helper and the reader identify it: device, inode, size, time of last change
#: of its bytes and of its inode (which no one can set back: a copy that keeps the time of
#: change, cp -p, still changes it)
Identity = tuple[int, int, int, int, int]


def file_identity(st: os.stat_result) -> Identity:
    """A file's :data:`Identity`, from its ``stat``."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class _Helper:
    """The running helper process and what it has said so far, heard by a thread of its own
    (a county's thousands of small files fill the pipe before the reader asks for any)."""

    def __init__(self, proc: subprocess.Popen[bytes], asked: tuple[str, ...] = ()) -> None:
        self.proc = proc
        self.asked = asked  # the files and folders it was started on
        self.known: dict[Identity, ByteFacts] = {}
        self.finished = False
        self.busy: tuple[int, int] | None = None  # the large file it is reading now (device, inode)
        self.expected: list[Path] | None = None  # the files the reader reads, once told
        self._wanted: set[tuple[int, int]] | None = None
        self.said = threading.Condition()
        # heard, and reaped as soon as it ends (a finished helper must not hold a process slot)
        self.listener = threading.Thread(target=self._listen, daemon=True)
        self.listener.start()

    def facts(self, path: Path, wait: bool = True) -> ByteFacts | None:
        """``path``'s facts as the helper read them, waiting for them if need be (``wait``);
        None when it did not read this very file (or failed), or has not yet."""
        try:
            identity = file_identity(os.stat(path))
        except OSError:
            return None
        if not wait:
            with self.said:
                return self.known.get(identity)
        return self.facts_of(identity)

    def facts_of(self, identity: Identity) -> ByteFacts | None:
        """The facts of the file of this identity (see :func:`facts`). A helper at work on a
        large file the reader does not read (a 500 MB backup copy beside the data) is stopped,
        not waited for."""
        with self.said:
            while identity not in self.known and not self.finished:
                if self.busy is not None and self.busy not in self.wanted():
                    break
                self.said.wait()
            else:
                return self.known.get(identity)
        self.stop()  # outside the lock: the listener takes it to say the helper ended
        return None

    def expect(self, paths: list[Path]) -> None:
        """The files the reader reads, said anew on each call (compare reads two folders)."""
        with self.said:
            self.expected, self._wanted = paths, None

    def wanted(self) -> set[tuple[int, int]]:
        """The files the reader reads (device, inode); all, until it says which. Looked at only
        when the helper is busy on a large file (a county's towns: no stat per file for it)."""
        if self.expected is None:
            return {self.busy} if self.busy is not None else set()
        if self._wanted is None:
            self._wanted = set()
            for path in self.expected:
                with contextlib.suppress(OSError):
                    st = os.stat(path)
                    self._wanted.add((st.st_dev, st.st_ino))
        return self._wanted

    def _listen(self) -> None:
        out = self.proc.stdout
        try:
            for line in out if out is not None else ():
                with self.said:
                    if not self._take(line):
                        break
                    self.said.notify_all()
        except (OSError, ValueError):  # the pipe closed under it
            pass
        finally:
            if self.proc.poll() is None:  # it said something unexpected: not heard any further
                with contextlib.suppress(OSError):
                    self.proc.kill()
            with self.said:
                self.finished = True
                self.said.notify_all()
            with contextlib.suppress(Exception):
                self.proc.wait()

    def _take(self, line: bytes) -> bool:
        """Keep what one line says; False at the end (or anything unexpected: the reader
        works alone then)."""
        fields = line.split()
        if len(fields) == 3 and fields[0] == b"reading":  # the large file it starts on
            try:
                self.busy = (int(fields[1]), int(fields[2]))
            except ValueError:
                return False
            return True
        self.busy = None
        if len(fields) != 12:
            return False
        try:
            dev, ino, size, mtime, ctime, commas, returns = (int(f) for f in (*fields[:5], *fields[6:8]))
            quotes, plus, blank, utf8 = (f == b"1" for f in fields[8:])
            known = None if fields[11] == b"-" else utf8
            self.known[(dev, ino, size, mtime, ctime)] = ByteFacts(
                fields[5].decode("ascii"), commas, quotes, plus, blank, known, returns
            )
        except ValueError:
            return False
        return True

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()
        self.proc.wait()
        if self.listener is not threading.current_thread():
            self.listener.join(timeout=5)  # it hears the end of the pipe, then says so
        if self.proc.stdout is not None and not self.listener.is_alive():
            self.proc.stdout.close()
        with self.said:
            self.finished = True


_helper: _Helper | None = None


def prefetch(*data: Path) -> None:
    """Start the helper on each of ``data``: a CSV file, or a folder's CSV files and its town
    folders' (those under :data:`SMALL_FILE` bytes read whole). Where no helper can start,
    nothing happens: the reader works the facts out itself."""
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
            [sys.executable, "-I", "-S", "-c", code, str(SMALL_FILE), str(MAX_FILE_BYTES), *asked],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, ValueError):
        return
    _helper = _Helper(proc, asked)


def expect(paths: list[Path]) -> None:
    """Tell the helper's answers which files the reader reads (the others it may be at work
    on are not waited for); each call says them anew (compare reads two folders)."""
    if _helper is not None:
        _helper.expect(paths)


def prefetching() -> bool:
    """Whether a helper was started (its facts are asked for, not worked out again)."""
    return _helper is not None


def prefetched(path: Path, wait: bool = True) -> ByteFacts | None:
    """The helper's facts of ``path`` (waiting for them while it works, or not: ``wait``), or
    None."""
    return _helper.facts(path, wait) if _helper is not None else None


def prefetched_of(st: os.stat_result) -> ByteFacts | None:
    """The helper's facts of the file of this ``stat`` (its own, or ``fstat`` of the reader's
    open file: no second look at the path), or None."""
    return _helper.facts_of(file_identity(st)) if _helper is not None else None


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
    file's device and inode); for every CSV file, one when done (its identity, hash,
    separators, carriage returns, then 1, 0 or - for quotes, plus signs, a line that may be an empty row, and
    UTF-8 throughout: - where not looked at)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the group: the parent stops it
    parent = os.getppid()

    def orphaned() -> None:  # the parent is gone (killed): no one is listening
        if os.getppid() != parent:
            sys.exit(0)

    least, most = int(sys.argv[1]), int(sys.argv[2])
    for data in sys.argv[3:]:
        _tell(data, least, most, orphaned)


def _tell(data: str, least: int, most: int, orphaned: Callable[[], None]) -> None:
    try:
        paths = [e.path for e in _csv_files(data, orphaned)] if os.path.isdir(data) else [data]
    except OSError:
        return
    for path in paths:
        orphaned()
        try:
            # without waiting for a writer: a FIFO named like data must not hold the helper
            with os.fdopen(os.open(path, READ), "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode) or st.st_size > most:  # refused unread
                    continue
                if st.st_size < least:  # a town's small file: whole, and whether it is UTF-8
                    whole = fh.read(st.st_size + 1)
                    if len(whole) != st.st_size or file_identity(os.fstat(fh.fileno())) != file_identity(st):
                        continue  # changed while read: the reader reads it itself
                    facts = facts_of(whole, utf8=True)
                else:
                    print(f"reading {st.st_dev} {st.st_ino}", flush=True)
                    facts = byte_facts(path, fh, orphaned)
                    if file_identity(os.fstat(fh.fileno())) != file_identity(st):
                        continue  # changed while read
        except OSError:
            continue
        identity = " ".join(str(n) for n in file_identity(st))
        flags = " ".join("-" if f is None else str(int(f)) for f in _flags(facts))
        print(f"{identity} {facts.sha256} {facts.commas} {facts.returns or 0} {flags}", flush=True)


def _flags(facts: ByteFacts) -> tuple[bool | None, ...]:
    """The flags a line of the helper says, in order."""
    return (facts.has_quotes, facts.has_plus, facts.maybe_blank, facts.utf8)
