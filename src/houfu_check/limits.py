"""The bounds on what one run reads, so that any input ends in a clear message in bounded
time and memory (docs/limits-and-security.md states them).

``HOUFU_CHECK_MAX_FILE_BYTES`` raises or lowers the file-size limit for a machine that can
afford more (or less).
"""

from __future__ import annotations

import os

_MAX_FILE_SETTING = "HOUFU_CHECK_MAX_FILE_BYTES"


def _setting(name: str, default: int) -> tuple[int, str | None]:
    """A byte count from the environment (the default where unset), and what is wrong with it
    (a command refuses to run then: exit 2; an import must never fail, not even --help's)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default, None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        return default, f"{name}={raw!r} is not a number of bytes; write a whole number such as 2147483648"
    return value, None


#: a data file larger than this is refused before it is read (national data is ~200 MB)
MAX_FILE_BYTES, SETTING_PROBLEM = _setting(_MAX_FILE_SETTING, 1 << 30)


def file_too_large(size: int) -> tuple[str, str] | None:
    """What to say (English, Chinese) of a data file of ``size`` bytes over
    :data:`MAX_FILE_BYTES`, or None when it is within it."""
    if size <= MAX_FILE_BYTES:
        return None
    gib, most = size / 2**30, MAX_FILE_BYTES / 2**30
    return (
        f"the file is {gib:.1f} GiB; files of up to {most:.1f} GiB are read "
        "(set HOUFU_CHECK_MAX_FILE_BYTES to change the limit)",
        f"文件大小为 {gib:.1f} GiB;最多读取 {most:.1f} GiB 的文件"
        "(可设置 HOUFU_CHECK_MAX_FILE_BYTES 修改上限)",
    )


#: the header line of a CSV file must end within this many bytes
MAX_HEADER_BYTES = 1 << 20
#: columns a header may have (the contract has 34 + 17; extra columns are allowed, up to this)
MAX_COLUMNS = 1_000
#: characters a text cell (an id, a name, a town) may have
MAX_CELL_CHARS = 1_000
#: uncompressed bytes a workbook may unpack to (a zip bomb is refused before it is read)
MAX_WORKBOOK_BYTES = 2 << 30

#: the most cells a worksheet's used area may span (rows × columns, as the Excel reader
#: allocates them): a cell at XFD1048576 in an 18 KB file would otherwise ask for 512 GB
MAX_SHEET_CELLS = 50_000_000
#: the most merged ranges a worksheet may have (a ledger merges a title and a few headings)
MAX_MERGED_RANGES = 10_000
