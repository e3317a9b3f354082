"""Find a file's text encoding and turn it into UTF-8, streaming, without reading it whole."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from houfu_check.errors import EncodingProblem, ErrorLog, ProblemsFound, UnsupportedEncoding
from houfu_check.io.byte_facts import file_identity
from houfu_check.io.decode_part import UNDECODABLE, Converter, decode_range, glibc_gbk

BLOCK = 1 << 20  # 1 MiB
#: Files at least this large are transcoded in parallel, one part per core.
PARALLEL_MIN = 32 << 20

#: Names the user may pass to ``--encoding``, mapped to Python codec names.
ENCODINGS: dict[str, str] = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "gb18030": "gb18030",
    "gbk": "gb18030",  # GB18030 is a superset of GBK and GB2312
    "gb2312": "gb18030",
}
_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}


def encoding_note(codec: str, line: int | None, column: str | None, forced: bool = False) -> tuple[str, str]:
    """What an :class:`EncodingProblem` says after "cannot be read as", in English and Chinese:
    the encoding, and what to do. A file that is, as a rule, in that encoding but for a damaged
    or pasted-in character has that cell (or the header, or the line) typed again; an encoding
    the user forced (``--encoding``) may be the wrong one, which is said first."""
    name = _NAMES.get(codec, codec)
    if forced:
        return (
            f"{name}, as --encoding asked: leave the option out to detect the file's encoding "
            "(or, if the file is in it, look for a damaged character there)",
            f"{name} 读取(这是 --encoding 指定的):去掉该选项即可自动识别文件的编码"
            "(若文件确是这种编码,请检查该处是否有损坏的字符)",
        )
    resave = "save the file again as UTF-8 or GB18030"
    resave_zh = "将文件重新另存为 UTF-8 或 GB18030 编码"
    if line is None:
        return f"{name}: {resave}", f"{name} 读取:请{resave_zh}"
    what, what_zh = (
        ("this cell", "这一格")
        if column is not None
        else ("the header", "表头")
        if line == 1
        else ("this line", "这一行")
    )
    return (
        f"{name}: type {what} again (a damaged or stray character), or {resave}",
        f"{name} 读取:请重新输入{what_zh}(其中有损坏或混入的字符),或{resave_zh}",
    )


def normalise_encoding(name: str) -> str | None:
    """The codec for a user-given encoding name, or None when it is not supported."""
    return ENCODINGS.get(name.strip().lower())


def detect_encoding(path: Path, display: str, data: bytes | None = None) -> str:
    """Return ``utf-8``, ``utf-8-sig`` or ``gb18030`` for the file at ``path``.

    A byte-order mark decides at once. Otherwise the first block that holds a non-ASCII
    byte decides: the codec that reads it without error wins, UTF-8 first (many GBK
    characters are also valid UTF-8 byte pairs, so a block must decode *whole*). When neither
    reads it, the one that reads further wins, so the bad bytes are reported in the file's
    real encoding. A file that is ASCII throughout is UTF-8.
    """
    with io.BytesIO(data) if data is not None else path.open("rb") as fh:  # a small file: read once
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            log = ErrorLog()
            note = "the file is UTF-16 (Excel 'Unicode text')"
            log.add(UnsupportedEncoding(file=display, line=1, note=note))
            raise ProblemsFound(log)
        fh.seek(0)
        while block := fh.read(BLOCK):
            if block.isascii():
                continue
            block += fh.read(8)  # complete a character cut at the block's end
            utf8 = _decodes_to(block, "utf-8")
            if utf8 == len(block):  # reads whole: no codec reads further, and ties keep UTF-8
                return "utf-8"
            return "gb18030" if _decodes_to(block, "gb18030") > utf8 else "utf-8"
    return "utf-8"


def _decodes_to(block: bytes, codec: str) -> int:
    """How far ``block`` decodes as ``codec`` (its length when it all does)."""
    try:
        codecs.getincrementaldecoder(codec)().decode(block, final=False)
    except UnicodeDecodeError as exc:
        return exc.start
    return len(block)


def with_bom(path: Path, codec: str) -> str:
    """``utf-8-sig`` for a UTF-8 file that starts with a byte-order mark, else ``codec``."""
    if codec == "utf-8":
        with path.open("rb") as fh:
            if fh.read(3) == codecs.BOM_UTF8:
                return "utf-8-sig"
    return codec


def transcode(
    source: Path, codec: str, target: BinaryIO, display: str, header: list[str] | None = None
) -> EncodingProblem | None:
    """Copy ``source`` to ``target`` as UTF-8, block by block.

    Returns the first byte that does not decode, as a problem naming its line, or None.
    GB18030 is decoded as a decoding worker does (by glibc's converter where it can:
    :mod:`houfu_check.io.decode_part`), about twice as fast as by Python's codec alone.
    """
    if codec == "gb18030":
        start = target.tell()
        with _CONVERTING:  # one converter for the process: its state and buffer are shared
            done = decode_range(str(source), codec, 0, None, target, _converter())
        if done:
            return None
        target.seek(start)  # it does not decode: Python's codec finds the byte and its line
        target.truncate()
    return _walk(source, codec, display, header, target)


#: held while this process's converter decodes: the library may be called from several threads
_CONVERTING = threading.Lock()


@cache
def _converter() -> Converter | None:
    """glibc's GBK converter for decoding in this process (None where there is none): one for
    the process, used under :data:`_CONVERTING`."""
    return glibc_gbk()


def in_parts(size: int) -> bool:
    """Whether a file of ``size`` bytes is decoded in parts, one worker per core."""
    return size >= PARALLEL_MIN and (os.cpu_count() or 1) >= 2


class Transcoding:
    """UTF-8 copies of a file that read as one table, or the first byte that does not decode:
    started here, waited for by :meth:`result` (a large file's workers decode while the tool
    reads the other files).

    Decoding GB18030 in Python costs about as much as parsing the CSV, and holds the GIL, so
    a large file is cut at line ends (a line end is never part of a multi-byte character)
    and its parts are decoded by one process per core. Every part after the first starts
    with a stand-in header line of the same width, so the parser reads them as one table.
    ``quotes``: whether the file may hold a quote (a file known to hold none is cut at any
    line end, without counting the quotes before it).
    """

    def __init__(
        self, source: Path, codec: str, workdir: Path, display: str, header: list[str], quotes: bool = True
    ) -> None:
        self.source, self.codec, self.display, self.header = source, codec, display, header
        self.stem = workdir / display.replace("/", "_")
        self.parts: list[Path] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        st = source.stat()
        self.identity = file_identity(st)  # the file as its workers were started on it
        if in_parts(st.st_size):
            # Where no worker interpreter can start (a frozen app, process limits), the
            # start raises and the file is transcoded in this process (in result()).
            try:
                self._start(_line_cuts(source, st.st_size, min(os.cpu_count() or 1, 4), quotes))
            except (OSError, RuntimeError):
                self.stop()
                self.procs = []
            except BaseException:  # an interrupt between two starts: none is left running
                self.stop()
                raise

    def _start(self, cuts: list[int]) -> None:
        self.parts = [self.stem.with_suffix(f".part{i}.utf8.csv") for i in range(len(cuts) - 1)]
        stand_in = (",".join(["x"] * len(self.header)) + "\n").encode("utf-8")
        # Each part is decoded by a bare interpreter running decode_part.py (no site, no project
        # imports: it starts in ~20 ms; a multiprocessing worker would import the command line
        # first). Ctrl+C reaches the whole process group: the workers leave it to this process,
        # which stops them.
        for i, (start, end, part) in enumerate(zip(cuts, cuts[1:], self.parts, strict=False)):
            prefix = (stand_in if i else b"").hex()
            args = [str(self.source), self.codec, str(start), str(end), str(part), prefix]
            self.procs.append(subprocess.Popen([sys.executable, "-I", "-S", "-c", _WORKER, *args], **_QUIET))

    def result(self) -> list[Path] | EncodingProblem:
        """The parts, once decoded, or the first byte that does not decode."""
        if self.procs:
            with contextlib.suppress(OSError):
                return self._parallel()
        target = self.stem.with_suffix(".utf8.csv")
        with target.open("wb") as out:
            bad = transcode(self.source, self.codec, out, self.display, self.header)
        return bad if bad is not None else [target]

    def _parallel(self) -> list[Path] | EncodingProblem:
        try:
            codes = [proc.wait() for proc in self.procs]
        finally:  # an interrupt or a failure: no worker outlives the run (all killed, then reaped)
            self.stop()
        if any(code not in (0, UNDECODABLE) for code in codes) or not all(
            part.is_file() for part in self.parts
        ):
            raise OSError("a decoding worker failed")  # decoded here instead, which says why
        if all(code == 0 for code in codes):
            return self.parts
        note, note_zh = encoding_note(self.codec, None, None)
        return find_decode_error(self.source, self.codec, self.display, self.header) or EncodingProblem(
            file=self.display, value="", note=note, note_zh=note_zh
        )

    def stop(self) -> None:
        """Stop the workers still at work (all killed, then reaped)."""
        alive = [proc for proc in self.procs if proc.poll() is None]
        for proc in alive:
            proc.kill()
        for proc in alive:
            proc.wait()


def _line_cuts(source: Path, size: int, pieces: int, quoted: bool = True) -> list[int]:
    """Byte offsets that cut ``source`` into about equal parts, each just after a line end that
    lies outside quotes: a quoted cell holding a line break is never cut in two. (A quote byte
    is never part of a multi-byte GB18030 character, so counting them tells inside from out;
    ``quoted`` False: the file holds none, and they are not counted.)"""
    cuts = [0]
    quotes = 0  # quote bytes before the last cut
    with source.open("rb") as fh:
        for i in range(1, pieces):
            aim = max(size * i // pieces, cuts[-1])
            if quoted:
                fh.seek(cuts[-1])
                quotes += _count(fh, aim - cuts[-1], b'"')
            fh.seek(aim)
            position = aim
            while position < size:
                block = fh.read(1 << 20)
                if not block:
                    break
                start = seen = 0  # seen: the quotes in block[:start], counted once each
                while (found := block.find(b"\n", start)) >= 0:
                    seen += block.count(b'"', start, found)
                    if (quotes + seen) % 2 == 0:  # outside quotes
                        cuts.append(position + found + 1)
                        quotes += seen
                        break
                    start = found + 1
                else:
                    quotes += block.count(b'"')
                    position += len(block)
                    continue
                break
    cuts.append(size)
    return sorted(set(c for c in cuts if c <= size))


def _count(fh: BinaryIO, length: int, byte: bytes) -> int:
    """How many times ``byte`` occurs in the next ``length`` bytes of ``fh``."""
    total = 0
    while length > 0:
        block = fh.read(min(1 << 22, length))
        if not block:
            break
        total += block.count(byte)
        length -= len(block)
    return total


#: the worker: decode_part.main, imported from the folder (or zip) that holds the package,
#: after the standard library (nothing there shadows a standard module); where it cannot run,
#: the part is decoded here instead
_ROOT = str(Path(__file__).resolve().parents[2])
_WORKER = (
    f"import sys; sys.path.append({_ROOT!r}); "
    "from houfu_check.io.decode_part import main; sys.exit(main(sys.argv[1:]))"
)

_QUIET: dict[str, Any] = {
    "stdin": subprocess.DEVNULL,
    "stdout": subprocess.DEVNULL,
    "stderr": subprocess.DEVNULL,
}


def find_decode_error(
    source: Path, codec: str, display: str, header: list[str] | None = None
) -> EncodingProblem | None:
    """The first undecodable byte of ``source`` as a problem with its line, or None."""
    return _walk(source, codec, display, header, None)


def _walk(
    source: Path, codec: str, display: str, header: list[str] | None, target: BinaryIO | None
) -> EncodingProblem | None:
    decoder = codecs.getincrementaldecoder(codec)()
    lines_before = 0
    line_start = b""  # the bytes of the current line that came in earlier blocks
    with source.open("rb") as fh:
        while True:
            block = fh.read(BLOCK)
            final = not block
            try:
                text = decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                return _decode_problem(exc, block, line_start, lines_before, codec, display, header)
            if target is not None and text:
                target.write(text.encode("utf-8"))
            if final:
                return None
            breaks = block.count(b"\n")
            lines_before += breaks
            last = block.rfind(b"\n")
            line_start = block[last + 1 :] if breaks else line_start + block


def _decode_problem(
    exc: UnicodeDecodeError,
    block: bytes,
    line_start: bytes,
    lines_before: int,
    codec: str,
    display: str,
    header: list[str] | None,
) -> EncodingProblem:
    # exc.start indexes what this decode call was given: a few pending bytes from the previous
    # block plus this block. Clamping keeps the line right to within a character cut at the
    # block boundary.
    start = max(0, min(exc.start, len(block)))
    line = lines_before + block.count(b"\n", 0, start) + 1
    bad = exc.object[exc.start : exc.end]
    column = None
    if header is not None and line > 1:
        newline = block.rfind(b"\n", 0, start)
        prefix = block[newline + 1 : start] if newline >= 0 else line_start + block[:start]
        # Parse the line up to the bad byte as CSV, so quoted separators do not count.
        try:
            cells = next(csv.reader([prefix.decode(codec, errors="replace")]), [""])
        except csv.Error:  # a lone line break in binary junk: the column cannot be told
            cells = None
        if cells is not None:
            index = len(cells) - 1
            column = header[index] if index < len(header) else f"field {index + 1}"
    note, note_zh = encoding_note(codec, line, column)
    return EncodingProblem(
        file=display, line=line, column=column, value=bad.hex(" "), note=note, note_zh=note_zh
    )
