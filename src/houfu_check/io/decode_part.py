"""Decode bytes ``START:END`` of a file into a UTF-8 file: the worker that
:class:`houfu_check.io.encoding.Transcoding` runs once per core, as a bare interpreter::

    python -I -S -c "…; from houfu_check.io.decode_part import main; …" \
        SOURCE CODEC START END TARGET PREFIX_HEX

Standard library only, so it starts in ~20 ms. It exits 0, or 65 when its part does not
decode (the parent then finds and names the byte). A file too small for workers is decoded
by :func:`decode_range` in the tool's own process (:func:`houfu_check.io.encoding.transcode`).

Where the C library is glibc, GB18030 is decoded by glibc's GBK converter: about twice as
fast as Python's codec. On every byte sequence glibc's GBK accepts, it gives exactly what
Python's GB18030 codec gives, save a lone 0x80 (the euro sign to GBK, an error to GB18030);
so a block holding a 0x80 byte, or any sequence GBK refuses (GB18030's four-byte characters,
bad bytes), is decoded by Python's codec instead. ``tests/test_decode_part.py`` holds the two to
that agreement over every one- and two-byte sequence. Blocks are cut after a line end, which
no GB18030 character contains, so each block decodes on its own.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

TYPE_CHECKING = False  # typing is not imported: it costs a bare worker ~10 ms
if TYPE_CHECKING:
    from typing import BinaryIO

BLOCK = 1 << 20
#: the exit status of a part that does not decode
UNDECODABLE = 65

Converter = Callable[[bytes], "memoryview | None"]


def glibc_gbk() -> Converter | None:
    """A function turning GBK bytes into UTF-8 with glibc's iconv (None when it refuses them),
    or None where the C library is not glibc or has no GBK converter."""
    try:  # musl's confstr fails with EINVAL
        if sys.platform != "linux" or not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
    except (OSError, ValueError):
        return None
    import ctypes  # here: the parent imports this module for its constants only

    try:
        libc = ctypes.CDLL(None)
        iconv_open, iconv = libc.iconv_open, libc.iconv
    except (OSError, AttributeError):
        return None
    size_p, char_pp = ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_char_p)
    iconv_open.restype = ctypes.c_void_p
    iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    iconv.restype = ctypes.c_size_t
    iconv.argtypes = [ctypes.c_void_p, char_pp, size_p, char_pp, size_p]
    handle = iconv_open(b"UTF-8", b"GBK")
    if handle is None or handle == ctypes.c_void_p(-1).value:
        return None
    failed = ctypes.c_size_t(-1).value
    out = ctypes.create_string_buffer(2 * BLOCK)  # reused: UTF-8 is at most 1.5 x GBK

    def convert(data: bytes) -> memoryview | None:
        nonlocal out
        if b"\x80" in data:
            return None
        if len(out) < 2 * len(data):
            out = ctypes.create_string_buffer(2 * len(data))
        source, source_left = ctypes.c_char_p(data), ctypes.c_size_t(len(data))
        target, target_left = ctypes.c_char_p(ctypes.addressof(out)), ctypes.c_size_t(len(out))
        iconv(handle, None, None, None, None)  # a fresh state for every block
        done = iconv(handle, source, source_left, target, target_left)
        if done == failed or source_left.value:
            return None
        return memoryview(out)[: len(out) - target_left.value]

    return convert


def decode(data: bytes, codec: str, fast: Converter | None) -> bytes | memoryview:
    """``data`` (whole lines) as UTF-8; raises UnicodeDecodeError where it does not decode."""
    if fast is not None:
        text = fast(data)
        if text is not None:
            return text
    return data.decode(codec).encode("utf-8")


def decode_range(
    source: str,
    codec: str,
    start: int,
    end: int | None,
    out: BinaryIO,
    fast: Converter | None,
    prefix: bytes = b"",
) -> bool:
    """Write bytes ``start:end`` of ``source`` (``end`` None: to its end) to ``out`` as UTF-8,
    after ``prefix``, a block of whole lines at a time; False when they do not decode (what is
    written then is of no use)."""
    pending = bytearray()  # bytes after the last line end read so far
    with open(source, "rb") as fh:
        out.write(prefix)
        fh.seek(start)
        left = max(end - start, 0) if end is not None else -1  # -1: until the file ends
        try:
            while left:
                block = fh.read(min(BLOCK, left) if left > 0 else BLOCK)
                if not block:
                    break
                left = max(left - len(block), 0) if left > 0 else left
                cut = block.rfind(b"\n") + 1 if left else len(block)
                if not cut:  # a line longer than a block
                    pending += block
                    continue
                lines = bytes(pending) + block[:cut] if pending else block[:cut]
                pending = bytearray(block[cut:])
                out.write(decode(lines, codec, fast))
            out.write(decode(bytes(pending), codec, fast))
        except UnicodeDecodeError:
            return False
    return True


def main(argv: list[str]) -> int:
    """Decode one part; the exit status."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C: the parent stops its workers
    source, codec, start, end, target, prefix = argv[:6]
    fast = glibc_gbk() if codec == "gb18030" else None
    with open(target, "wb") as out:
        done = decode_range(source, codec, int(start), int(end), out, fast, bytes.fromhex(prefix))
    return 0 if done else UNDECODABLE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
