"""A large file's byte facts (hash, separators) come from a helper started with the command:
the same facts, used only for the very file it read, and no helper outlives a run."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import household, write_folder
from houfu_check.errors import ErrorLog
from houfu_check.io import byte_facts as facts_io
from houfu_check.io import csv_table
from houfu_check.io.byte_facts import byte_facts, prefetch, prefetched, prefetching, stop_prefetch
from houfu_check.io.encoding import detect_encoding
from houfu_check.io.folder import read_folder
from houfu_check.rules import default_contract

LARGE = 20_000  # households: a file over 1 MiB


@pytest.fixture
def large(tmp_path: Path) -> Path:
    folder = write_folder(tmp_path / "d", households=[household(f"H{i:06d}") for i in range(LARGE)])
    assert (folder / "households.csv").stat().st_size >= facts_io.SMALL_FILE
    return folder


@pytest.fixture(autouse=True)
def _no_helper_left() -> object:
    yield
    stop_prefetch()


def test_the_helper_tells_the_facts_the_reader_would_work_out(large: Path) -> None:
    prefetch(large)
    assert prefetching()
    path = large / "households.csv"
    assert prefetched(path) == byte_facts(path)
    # a small file: read whole, with what only a whole read tells (empty rows, UTF-8)
    small = large / "communities.csv"
    assert prefetched(small) == facts_io.facts_of(small.read_bytes(), utf8=True)
    assert prefetched(small) == dataclasses.replace(facts_io.facts_of(small.read_bytes()), utf8=True)


@pytest.mark.parametrize(
    ("data", "utf8"),
    [
        ("户编号,社区\nH1,城关\n".encode(), True),
        (b"id,community\nH1,C1\n", True),
        (b"\xef\xbb\xbfid\nH1\n", False),  # a byte-order mark: the reader looks at it itself
        ("户编号\nH1\n".encode("gb18030"), False),
        (b"\xff\xfei\x00d\x00", False),  # UTF-16
        ("户".encode()[:2] + b"\n", False),  # a character cut short
    ],
)
def test_the_helper_tells_whether_a_small_file_is_utf8(tmp_path: Path, data: bytes, utf8: bool) -> None:
    """Where the helper says a small file is UTF-8, the reader takes it as the detection would."""
    path = tmp_path / "households.csv"
    path.write_bytes(data)
    prefetch(tmp_path)
    facts = prefetched(path)
    assert facts is not None
    assert facts.utf8 is utf8
    assert facts == dataclasses.replace(facts_io.facts_of(data), utf8=utf8)
    if utf8:
        assert detect_encoding(path, "households.csv", data) == "utf-8"


def test_the_reader_takes_a_small_files_facts_from_the_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Town files: neither hashed nor decoded again by the reader, and read the same."""
    rows = [household(f"H{i:03d}", head_name="王五") for i in range(30)]
    folder = write_folder(tmp_path / "d", households=rows)
    (tmp_path / "w1").mkdir()
    (tmp_path / "w2").mkdir()
    alone = read_folder(folder, tmp_path / "w1", ErrorLog(), default_contract())
    prefetch(folder)

    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("worked out again")

    monkeypatch.setattr(csv_table, "facts_of", not_here)
    monkeypatch.setattr(csv_table, "detect_encoding", not_here)
    helped = read_folder(folder, tmp_path / "w2", ErrorLog(), default_contract())
    for name, tables in alone.items():
        assert [t.sha256 for t in helped[name]] == [t.sha256 for t in tables]
        assert all(h.frame.equals(t.frame) for h, t in zip(helped[name], tables, strict=True))


def test_the_reader_takes_the_helpers_facts(
    large: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = byte_facts(large / "households.csv").sha256
    prefetch(large)

    def not_here(path: Path) -> None:
        raise AssertionError("worked out again")

    monkeypatch.setattr(csv_table, "byte_facts", not_here)
    raw = read_folder(large, tmp_path, ErrorLog(), default_contract())
    assert raw["households"][0].sha256 == expected


def test_a_file_changed_after_the_helper_read_it_is_worked_out_again(large: Path, tmp_path: Path) -> None:
    """The helper's facts name the file they are of (device, inode, size, time of change)."""
    prefetch(large)
    path = large / "households.csv"
    assert prefetched(path) is not None
    data = path.read_bytes().replace(b"H000001,", b"H999999,")
    path.write_bytes(data)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert prefetched(path) is None
    raw = read_folder(large, tmp_path, ErrorLog(), default_contract())
    assert raw["households"][0].sha256 == byte_facts(path).sha256


def test_without_a_helper_the_reader_works_alone(
    large: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_process(*args: object, **kwargs: object) -> None:
        raise OSError("no process may start here")

    monkeypatch.setattr(facts_io.subprocess, "Popen", no_process)
    prefetch(large)
    assert not prefetching()
    raw = read_folder(large, tmp_path, ErrorLog(), default_contract())
    assert raw["households"][0].sha256 == byte_facts(large / "households.csv").sha256


@pytest.mark.parametrize("says", ["junk\n", "1 2 3 4 notahash x y z\n", ""])
def test_a_helper_that_says_nonsense_is_not_believed(large: Path, tmp_path: Path, says: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", f"print({says!r}, end='')"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    facts_io._helper = facts_io._Helper(proc)
    assert prefetched(large / "households.csv") is None
    raw = read_folder(large, tmp_path, ErrorLog(), default_contract())
    assert raw["households"][0].sha256 == byte_facts(large / "households.csv").sha256


def _helpers_of(folder: Path) -> list[int]:
    """The helper processes at work on ``folder`` (found by their arguments)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(b"_serve" in a for a in args) and str(folder).encode() in args:
                found.append(int(pid))
    return found


def test_no_helper_outlives_a_run(large: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "houfu_check", "validate", str(large)], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert _helpers_of(large) == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="looks for processes in /proc")
def test_an_orphaned_helper_stops(large: Path) -> None:
    """A helper whose parent was killed (no one listens) stops at its next block."""
    many = large / "more"
    many.mkdir()
    data = (large / "households.csv").read_bytes()
    for i in range(40):
        (many / f"part{i}.csv").write_bytes(data)
    parent = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from houfu_check.io.byte_facts import prefetch; "
         "prefetch(*map(__import__('pathlib').Path, sys.argv[1:])); time.sleep(60)", str(large)],
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not _helpers_of(large) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _helpers_of(large)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while _helpers_of(large) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _helpers_of(large) == []


def test_the_command_line_starts_the_helper_on_its_data_before_parsing(large: Path, tmp_path: Path) -> None:
    """The data is guessed from the words (a folder or a CSV file); the command's own ask for
    the same data keeps that helper instead of starting another."""
    from houfu_check.cli import _prefetch_early

    _prefetch_early(["report", "-o", str(tmp_path / "out.json"), "--lang", "zh", str(large)])
    helper = facts_io._helper
    assert helper is not None
    assert helper.asked == (str(large),)
    prefetch(large)
    assert facts_io._helper is helper
    assert prefetched(large / "households.csv") == byte_facts(large / "households.csv")
    _prefetch_early(["rules", "list", str(large)])  # another command: no helper of its own
    assert facts_io._helper is helper


def test_a_helper_at_work_on_a_file_not_read_is_stopped_not_waited_for(large: Path) -> None:
    """A 500 MB backup copy beside the data is hashed first (name order): the reader does not
    wait for it, it stops the helper and works its own file's facts out."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; print('reading 1 2', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    facts_io._helper = facts_io._Helper(proc)
    facts_io.expect([large / "households.csv"])
    started = time.monotonic()
    assert prefetched(large / "households.csv") is None
    assert time.monotonic() - started < 10
    assert proc.poll() is not None  # stopped


def test_the_helper_says_which_file_it_reads_before_its_facts(large: Path) -> None:
    prefetch(large)
    helper = facts_io._helper
    assert helper is not None
    facts_io.expect([large / "households.csv"])
    assert prefetched(large / "households.csv") == byte_facts(large / "households.csv")
    assert helper.busy is None  # the line after "reading …" was the file's facts


def _ends_within(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while proc.returncode is None and time.monotonic() < deadline:  # set by the reaper, not here
        time.sleep(0.02)
    return proc.returncode is not None


def test_a_finished_helper_is_reaped_at_once(tmp_path: Path) -> None:
    """It must not hold a process slot while the run goes on (a user near their process limit)."""
    folder = write_folder(tmp_path / "small")
    prefetch(folder)
    helper = facts_io._helper
    assert helper is not None
    assert _ends_within(helper.proc, 10)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_as_data_does_not_hold_the_helper(tmp_path: Path) -> None:
    fifo = tmp_path / "households.csv"
    os.mkfifo(fifo)
    prefetch(fifo)
    helper = facts_io._helper
    assert helper is not None
    assert _ends_within(helper.proc, 10)
    assert prefetched(fifo) is None


def test_the_end_of_a_run_removes_a_working_folder_an_interrupt_left(tmp_path: Path) -> None:
    """The process ends without tearing its memory down, but what Python does at exit is done:
    a working folder whose removal an interrupt cut short is removed (as tempfile does)."""
    script = (
        "import sys, tempfile; from houfu_check.cli import _leave\n"
        f"kept = tempfile.TemporaryDirectory(dir={str(tmp_path)!r}, prefix='houfu-check-')\n"
        "print(kept.name, flush=True)\n"
        "_leave(SystemExit(130))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 130
    assert not Path(done.stdout.strip()).exists()


@pytest.mark.parametrize("closed", [1, 2])
def test_a_command_with_its_output_closed_ends_as_before(tmp_path: Path, closed: int) -> None:
    """``houfu-check --version >&-``: no traceback from the end of the run, exit 0."""
    done = subprocess.run(
        [sys.executable, "-m", "houfu_check", "--version"],
        stdin=subprocess.DEVNULL,
        capture_output=False,
        stdout=subprocess.DEVNULL if closed == 2 else None,
        stderr=subprocess.PIPE if closed == 1 else None,
        pass_fds=(),
        preexec_fn=lambda: os.close(closed),
        check=False,
    )
    assert done.returncode == 0
    assert b"Traceback" not in (done.stderr or b"")


def test_a_county_of_small_files_never_fills_the_helpers_pipe(tmp_path: Path) -> None:
    """Its lines are heard as they come: thousands of town files (more than a pipe holds)
    and the helper still finishes before the reader asks for any."""
    for town in range(400):
        folder = tmp_path / f"镇{town:03d}"
        folder.mkdir()
        for name in ("communities.csv", "households.csv"):
            (folder / name).write_bytes(f"id,n\n{town},{name}\n".encode())
    prefetch(tmp_path)
    helper = facts_io._helper
    assert helper is not None
    assert helper.proc.wait(timeout=30) == 0  # 800 lines of ~120 bytes: past a 64 KiB pipe
    helper.listener.join(timeout=5)
    assert len(helper.known) == 800
    assert prefetched(tmp_path / "镇399" / "households.csv") == facts_io.facts_of(
        b"id,n\n399,households.csv\n", utf8=True
    )


def test_a_same_size_copy_with_its_time_kept_is_not_taken_for_the_file_read(tmp_path: Path) -> None:
    """cp -p (or unzip) writes new bytes of the same size and sets the time of change back:
    the inode's own time of change still differs, so the helper's facts are not used."""
    path = tmp_path / "communities.csv"
    path.write_bytes("社区编号\nC1\n".encode())
    prefetch(tmp_path)
    assert prefetched(path) is not None
    kept = path.stat()
    time.sleep(0.01)
    path.write_bytes("社区编号\nC1\n".encode("gb18030") + b"xxxx")  # same length: 12 + 4 bytes
    os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (kept.st_size, kept.st_mtime_ns)
    assert prefetched(path) is None


def test_the_reader_reads_a_file_that_grew_and_hashes_what_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes added between the look at a file's size and its read are read, and hashed here:
    the helper's facts are of the smaller file."""
    path = tmp_path / "communities.csv"
    path.write_bytes(b"id\nC1\n")
    prefetch(tmp_path)
    assert prefetched(path) is not None
    real = os.fstat
    grown: list[int] = []

    def fstat(fd: int) -> os.stat_result:
        st = real(fd)
        if not grown:
            grown.append(fd)
            with path.open("ab") as fh:
                fh.write(b"C2\n")
        return st

    monkeypatch.setattr(csv_table.os, "fstat", fstat)
    size, data, facts = csv_table._small_file(path)
    assert size == len(data)
    assert data == b"id\nC1\nC2\n"
    assert facts is None  # worked out by the reader from what it read


def test_a_small_file_read_in_short_reads_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system read may return fewer bytes than asked (a network share, a signal): the reader
    reads on until the file ends, and takes the helper's facts only of the whole file."""
    path = tmp_path / "households.csv"
    path.write_bytes(b"id,members\nH1,3\nH2,4\n")
    prefetch(tmp_path)
    assert prefetched(path) is not None
    real = os.read
    monkeypatch.setattr(csv_table.os, "read", lambda fd, n: real(fd, min(n, 3)))
    size, data, facts = csv_table._small_file(path)
    assert (size, data) == (len(b"id,members\nH1,3\nH2,4\n"), b"id,members\nH1,3\nH2,4\n")
    assert facts is not None
    assert facts.commas == 3
