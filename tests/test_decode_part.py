"""The GB18030 decoding worker: glibc's GBK converter where it agrees with Python's codec,
Python's codec everywhere else, and the same bytes out either way."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from houfu_check.io import decode_part, encoding

FAST = decode_part.glibc_gbk()
needs_glibc = pytest.mark.skipif(FAST is None, reason="the C library is not glibc")


@needs_glibc
def test_glibc_gbk_gives_what_python_gives_wherever_it_answers() -> None:
    """Every one- and two-byte sequence: glibc's answer, when it gives one, is Python's."""
    assert FAST is not None
    disagree = []
    for sequence in itertools.chain(
        (bytes([a]) for a in range(256)),
        (bytes([a, b]) for a in range(0x81, 0x100) for b in range(256)),
    ):
        fast = FAST(sequence)
        if fast is None:
            continue
        try:
            python = sequence.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError:
            python = None
        if bytes(fast) != python:
            disagree.append(sequence.hex())
    assert disagree == []


@needs_glibc
def test_glibc_gbk_hands_back_what_it_would_get_wrong() -> None:
    """The sequences where the two differ, or glibc cannot answer, go to Python's codec."""
    assert FAST is not None
    assert FAST(b"ab\x80cd\n") is None  # a lone 0x80: the euro sign to GBK, an error here
    assert FAST("甲\U00020000乙\n".encode("gb18030")) is None  # four bytes: not GBK
    assert FAST(b"\x81\x20\n") is None  # not a character at all
    assert bytes(FAST("户主,张三\n".encode("gb18030")) or b"") == "户主,张三\n".encode()


# GB18030 text of every kind: ASCII, GB2312, GBK with a 0x80 trail byte, four-byte
# characters, the compatibility area that GB18030-2005 moved (A6D9, FE51), the euro sign
CHARS = 'ab,1."张王丂\u4e42€\u00e9\U00020000\ue78d\ue816\u9fb4\u20ac\u3000'


def _lines(seed: int, count: int) -> bytes:
    rng = random.Random(seed)
    rows = ["".join(rng.choice(CHARS) for _ in range(rng.randrange(0, 40))) for _ in range(count)]
    rows.append("长" * 3000)  # longer than a block, below
    rng.shuffle(rows)
    return "\n".join(rows).encode("gb18030")


@pytest.mark.parametrize("fast", [True, False], ids=["glibc", "python"])
@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_a_part_decodes_to_what_python_decodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool, block: int
) -> None:
    """Whatever the block size and converter, a part's UTF-8 is Python's decoding of it."""
    if fast and FAST is None:
        pytest.skip("the C library is not glibc")
    answered: list[bool] = []
    if fast:
        assert FAST is not None
        real = FAST

        def counted(data: bytes) -> memoryview | None:
            text = real(data)
            answered.append(text is not None)
            return text

        monkeypatch.setattr(decode_part, "glibc_gbk", lambda: counted)
    else:
        monkeypatch.setattr(decode_part, "glibc_gbk", lambda: None)
    monkeypatch.setattr(decode_part, "BLOCK", block)
    source = tmp_path / "in.csv"
    data = _lines(block, 300)
    source.write_bytes(b"junk before" + data + b"junk after")
    start, end = len(b"junk before"), len(b"junk before") + len(data)
    target = tmp_path / "out.csv"
    args = [str(source), "gb18030", str(start), str(end), str(target), b"x,y\n".hex()]
    assert decode_part.main(args) == 0
    assert target.read_bytes() == b"x,y\n" + data.decode("gb18030").encode("utf-8")
    if fast and block == 7:  # small blocks: many without a four-byte character or 0x80
        assert any(answered)


@pytest.mark.parametrize("bad", [b"\x80", b"\x81\x20", b"\xff", b"\xa1"])
def test_a_part_that_does_not_decode_exits_65(tmp_path: Path, bad: bytes) -> None:
    """A bad byte anywhere, in a block of its own or at the very end: exit 65, as a process."""
    source = tmp_path / "in.csv"
    for data in (_lines(1, 50) + b"\n" + bad + b"\n" + _lines(2, 50), _lines(3, 50) + bad):
        source.write_bytes(data)
        args = [str(source), "gb18030", "0", str(len(data)), str(tmp_path / "out.csv"), ""]
        worker = [sys.executable, "-I", "-S", "-c", encoding._WORKER, *args]  # as the reader runs it
        assert subprocess.run(worker, check=False).returncode == decode_part.UNDECODABLE


def test_where_the_c_library_cannot_say_what_it_is_python_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    """musl's confstr fails (EINVAL) where glibc names itself: no fast converter, no crash."""

    def refused(name: str) -> str:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(decode_part.os, "confstr", refused)
    assert decode_part.glibc_gbk() is None


@pytest.mark.parametrize("fast", [True, False], ids=["glibc", "python"])
@pytest.mark.parametrize("block", [7, 1 << 20])
def test_a_file_decoded_in_this_process_is_what_python_decodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool, block: int
) -> None:
    """A file too small for workers is decoded here, as a worker decodes its part: the same
    UTF-8 as Python's codec gives, its last line unended or not."""
    if fast and FAST is None:
        pytest.skip("the C library is not glibc")
    answered: list[bool] = []

    def counted(data: bytes) -> memoryview | None:
        assert FAST is not None
        text = FAST(data)
        answered.append(text is not None)
        return text

    monkeypatch.setattr(encoding, "_converter", lambda: counted if fast else None)
    monkeypatch.setattr(decode_part, "BLOCK", block)
    for data in (_lines(5, 200), _lines(6, 200) + b"\n"):
        source = tmp_path / "in.csv"
        source.write_bytes(data)
        with (tmp_path / "out.csv").open("w+b") as out:
            assert encoding.transcode(source, "gb18030", out, "in.csv", ["a", "b"]) is None
        assert (tmp_path / "out.csv").read_bytes() == data.decode("gb18030").encode("utf-8")
    if block == 7:  # small blocks: many without a four-byte character or 0x80
        assert any(answered) == fast  # glibc's converter decoded them here, where there is one


@pytest.mark.parametrize("fast", [True, False], ids=["glibc", "python"])
@pytest.mark.parametrize("bad", [b"\x80", b"\x81\x20", b"\xff"])
def test_a_file_decoded_in_this_process_names_its_bad_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool, bad: bytes
) -> None:
    """A bad byte: the line and column it is on, whichever converter met it first."""
    if fast and FAST is None:
        pytest.skip("the C library is not glibc")
    monkeypatch.setattr(encoding, "_converter", lambda: FAST if fast else None)
    source = tmp_path / "in.csv"
    source.write_bytes("户编号,户主\nH1,张三\nH2,李".encode("gb18030") + bad + b"\nH3,x\n")
    with (tmp_path / "out.csv").open("w+b") as out:
        problem = encoding.transcode(source, "gb18030", out, "in.csv", ["户编号", "户主"])
    assert problem is not None
    assert (problem.line, problem.column, problem.value) == (3, "户主", bad[:1].hex())


def test_files_decoded_in_this_process_by_two_threads_at_once_are_each_right(tmp_path: Path) -> None:
    """The library may be called from several threads: the process's one converter (its state
    and output buffer) decodes one file at a time, and each thread gets its own file's text."""
    sources = []
    for i, char in enumerate("张李"):
        source = tmp_path / f"in{i}.csv"
        source.write_bytes(("a,b\n" + (char * 40 + ",x\n") * 50_000).encode("gb18030"))
        sources.append(source)
    wrong: list[str] = []

    def decode(source: Path) -> None:
        for round_ in range(3):
            out = tmp_path / f"{source.stem}-{round_}.out"
            with out.open("w+b") as fh:
                assert encoding.transcode(source, "gb18030", fh, source.name, ["a", "b"]) is None
            if out.read_bytes() != source.read_bytes().decode("gb18030").encode("utf-8"):
                wrong.append(out.name)

    threads = [threading.Thread(target=decode, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
