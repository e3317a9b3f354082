"""Find a file's text encoding and turn it into UTF-8, streaming, without reading it whole."""

from __future__ import annotations

import codecs
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


def normalise_encoding(name: str) -> str | None:
    """The codec for a user-given encoding name, or None when it is not supported."""
    return ENCODINGS.get(name.strip().lower())


def detect_encoding(path: Path, display: str) -> str:
    """Return ``utf-8``, ``utf-8-sig`` or ``gb18030`` for the file at ``path``.

    A UTF-8 byte-order mark decides at once. Otherwise the first block that holds a
    non-ASCII byte decides: valid UTF-8 there means UTF-8, anything else GB18030. A file that
    is ASCII throughout is UTF-8. Bytes that are neither are reported later, with their line.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            log = ErrorLog()
            log.add(_utf16(display))
            raise ProblemsFound(log)
        fh.seek(0)
        while block := fh.read(BLOCK):
            if block.isascii():
                continue
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                decoder.decode(block, final=False)  # a sequence cut at the block's end is fine
            except UnicodeDecodeError as exc:
                # GBK/GB18030 text fails at its first Chinese character. UTF-8 text with
                # a stray bad byte has valid multi-byte characters before it: keep UTF-8,
                # so the bad byte is reported as such.
                before = block[: exc.start].decode("utf-8", errors="ignore")
                return "utf-8" if not before.isascii() else "gb18030"
            return "utf-8"
    return "utf-8"


def _utf16(display: str) -> UnsupportedEncoding:
    return UnsupportedEncoding(file=display, line=1, note="the file is UTF-16 (Excel 'Unicode text')")


def transcode(
    source: Path, codec: str, target: BinaryIO, display: str, header: list[str] | None = None
) -> EncodingProblem | None:
    """Copy ``source`` to ``target`` as UTF-8, block by block.

    Returns the first byte that does not decode, as a problem naming its line, or None.
    """
    decoder = codecs.getincrementaldecoder(codec)()
    lines_before = 0
    with source.open("rb") as fh:
        while True:
            block = fh.read(BLOCK)
            final = not block
            try:
                text = decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                return _decode_problem(exc, block, lines_before, codec, display, header)
            if text:
                target.write(text.encode("utf-8"))
            lines_before += block.count(b"\n")
            if final:
                return None


def find_decode_error(
    source: Path, codec: str, display: str, header: list[str] | None = None
) -> EncodingProblem | None:
    """The first undecodable byte of ``source`` as a problem with its line, or None."""
    decoder = codecs.getincrementaldecoder(codec)()
    lines_before = 0
    with source.open("rb") as fh:
        while True:
            block = fh.read(BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return _decode_problem(exc, block, lines_before, codec, display, header)
            if not block:
                return None
            lines_before += block.count(b"\n")


def _decode_problem(
    exc: UnicodeDecodeError,
    block: bytes,
    lines_before: int,
    codec: str,
    display: str,
    header: list[str] | None,
) -> EncodingProblem:
    # exc.start indexes the bytes given to this decode call: the decoder's pending bytes from the
    # previous block (at most a few) plus this block. Clamp, so the line is right to within
    # a sequence cut at the block boundary.
    start = max(0, min(exc.start, len(block)))
    line = lines_before + block.count(b"\n", 0, start) + 1
    bad = exc.object[exc.start : exc.end + 1]
    # The column: count separators on the line before the bad byte (quotes are rare here).
    field_no = block.count(b",", block.rfind(b"\n", 0, start) + 1, start)
    column = None
    if header is not None and line > 1:
        column = header[field_no] if field_no < len(header) else f"field {field_no + 1}"
    name = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}.get(codec, codec)
    return EncodingProblem(file=display, line=line, column=column, value=bad.hex(" "), note=name)
