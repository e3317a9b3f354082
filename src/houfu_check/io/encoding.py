"""Find a file's text encoding and turn it into UTF-8, streaming, without reading it whole."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from typing import BinaryIO

from houfu_check.errors import EncodingProblem, ErrorLog, ProblemsFound, UnsupportedEncoding

BLOCK = 1 << 20  # 1 MiB

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


def normalise_encoding(name: str) -> str | None:
    """The codec for a user-given encoding name, or None when it is not supported."""
    return ENCODINGS.get(name.strip().lower())


def detect_encoding(path: Path, display: str) -> str:
    """Return ``utf-8``, ``utf-8-sig`` or ``gb18030`` for the file at ``path``.

    A byte-order mark decides at once. Otherwise the first block that holds a non-ASCII
    byte decides: the codec that reads it without error wins, UTF-8 first (many GBK
    characters are also valid UTF-8 byte pairs, so a block must decode *whole*). When neither
    reads it, the one that reads further wins, so the bad bytes are reported in the file's
    real encoding. A file that is ASCII throughout is UTF-8.
    """
    with path.open("rb") as fh:
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
            reach = {codec: _decodes_to(block, codec) for codec in ("utf-8", "gb18030")}
            return max(reach, key=lambda codec: reach[codec])  # ties keep UTF-8 (first)
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
    """
    return _walk(source, codec, display, header, target)


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
        cells = next(csv.reader([prefix.decode(codec, errors="replace")]), [""])
        index = len(cells) - 1
        column = header[index] if index < len(header) else f"field {index + 1}"
    return EncodingProblem(file=display, line=line, column=column, value=bad.hex(" "), note=_NAMES[codec])
