"""Whole numbers and yes/no words read as values, where the file proves each was written plainly.

Validation is text-first: "+3", "-0", "00" and "0000000001" are not what "3", "0" and "1"
are (see ``validate.cells``), yet a CSV parser reading numbers takes each as its value. A
large file's typed columns are read as text kept coded (:mod:`houfu_check.io.coded`), which
costs the national households table about 0.3 s more to parse than values do, and 0.1 s
more to type.

So a large file without quotes is first read with its whole-number columns as numbers and
its true/false columns as yes/no values (where the first block's cells show them so:
:func:`typed_dtypes`), and kept so only if its bytes prove that every value was written
plainly. The proof counts bytes:

    the bytes after the header = every cell's bytes + separators + line ends

where a number's cell is counted as the length of its plain form, the shortest decimal of
its value (what ``str(value)`` gives back). Any other way of writing a value that the parser
takes ("+3", " 3", "007", "-0") is longer than its plain form, so the file would be longer
than the count: then it is read again as text, as before, and validated as written. A
yes/no cell the parser takes is "true" or "false" in any case, 4 or 5 bytes as its value
says (and the tool reads every case alike). Every other term is exact (a text cell's bytes
as read, a coded cell's text, the separators and carriage returns counted by
``io.byte_facts``), but for the line ends, taken as one per record: never more than the
file holds, so that no miscount can make up for a number written another way.

Example: after the header line ``household_id,members``, the records ``H1,3`` and ``H2,12``
take 11 bytes: cells 2 + 1 + 2 + 2, two separators, two line ends. Had the second been
written ``H2,012``, the file would hold 12 bytes there against the same count of 11, and
be read as text.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from houfu_check.io.byte_facts import ByteFacts
from houfu_check.io.coded import is_coded, is_typed, per_values
from houfu_check.limits import MAX_HEADER_BYTES

#: the type a whole-number column is read as (and validated into: no copy)
NUMBER = pl.Int64()

#: the type a true/false column is read as: "true" and "false", in any case, and nothing else
BOOLEAN = pl.Boolean()

#: the texts a yes/no column is read as values for (its first block's cells, lower-cased)
_TRUE_FALSE = ("true", "false", "")


#: each number column's lowest and highest value (None: every cell empty), as proven plain
Bounds = dict[str, tuple[int | None, int | None]]


def written_plainly(frame: pl.DataFrame, sources: list[Path], facts: ByteFacts) -> Bounds | None:
    """Whether ``frame`` (every column of ``sources``, parsed: one file, or its UTF-8 parts
    each under a header line) holds each of its typed columns' cells as written: the bytes
    after the header lines are exactly the cells' (values in their plain form), the
    separators and the line ends. ``facts``: the original file's. Proven, each number
    column's bounds (validation's range check needs no pass of its own); else None."""
    if facts.has_quotes or facts.returns is None:  # a quoted cell's bytes are not its text's
        return None
    heads = [_first_line(source) for source in sources]
    if any(head is None for head in heads):
        return None
    lines = [head for head in heads if head is not None]
    after = sum(os.stat(source).st_size - len(head) for source, head in zip(sources, lines, strict=True))
    separators = facts.commas - lines[0].count(b",")  # the other parts' header lines are not the file's
    returns = facts.returns - lines[0].count(b"\r")
    ends = frame.height - (0 if _ends_a_line(sources[-1]) else 1)  # one per record, at most
    counted, bounds = _cell_bytes(frame, returns > 0)
    return bounds if after - separators - ends - returns == counted else None


def _cell_bytes(frame: pl.DataFrame, returns: bool) -> tuple[int, Bounds]:
    """The bytes of every cell of ``frame`` (a number's in its plain form, a yes/no value's as
    "true" or "false"), less the carriage returns inside cells (those are counted among the
    file's carriage returns too); and each number column's bounds (which tell the powers of
    ten to count)."""
    numbers = [name for name in frame.columns if frame.get_column(name).dtype.is_integer()]
    booleans = [name for name in frame.columns if frame.get_column(name).dtype == BOOLEAN]
    if frame.height == 0:
        return 0, dict.fromkeys(numbers, (None, None))

    def text_bytes(cell: pl.Expr) -> pl.Expr:
        size = cell.str.len_bytes()
        if returns:
            size = size - cell.str.count_matches("\r", literal=True)
        return size.fill_null(0).cast(pl.Int64)

    bounds: Bounds = {}
    if numbers:
        found = frame.select(
            *(pl.col(name).min().alias(f"{name} min") for name in numbers),
            *(pl.col(name).max().alias(f"{name} max") for name in numbers),
        ).row(0, named=True)
        bounds = {name: (found[f"{name} min"], found[f"{name} max"]) for name in numbers}
    coded = {name: text_bytes(pl.col(name)) for name in frame.columns if is_coded(frame, name)}
    spread = per_values(frame, coded)  # a coded column: each text's bytes, spread to its rows
    texts = [
        text_bytes(pl.col(name)) for name in frame.columns if not (name in coded or is_typed(frame, name))
    ]
    sums = [expr.sum() for expr in [*spread.values(), *texts]]
    sums += [(4 + (~pl.col(name)).cast(pl.Int64)).sum() for name in booleans]  # "true" 4, "false" 5
    for name, (low, high) in bounds.items():  # a digit per value, one more per power of ten reached
        cell = pl.col(name)
        sums.append(cell.count().cast(pl.Int64))
        sums += [((cell >= p) | (cell <= -p)).sum().cast(pl.Int64) for p in _powers(low, high)]
        if low is not None and low < 0:  # and a minus sign
            sums.append((cell < 0).sum().cast(pl.Int64))
    return int(frame.select(pl.sum_horizontal(sums)).item() or 0), bounds


def _powers(low: int | None, high: int | None) -> list[int]:
    """The powers of ten from 10 up to the widest of a column's values: each adds a digit to
    the values it reaches."""
    widest = max(abs(low or 0), abs(high or 0))
    found, power = [], 10
    while power <= widest:
        found.append(power)
        power *= 10
    return found


def _first_line(path: Path) -> bytes | None:
    """A file's first line, its line end included (None: no line end where a header may end)."""
    with path.open("rb") as fh:
        head = b""
        while b"\n" not in head and len(head) < MAX_HEADER_BYTES:
            block = fh.read(1 << 16)
            if not block:
                return None
            head += block
    end = head.find(b"\n")
    return head[: end + 1] if end >= 0 else None


def _ends_a_line(path: Path) -> bool:
    """Whether a file's last byte ends a line."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() == 0:
            return False
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def typed_dtypes(
    block: bytes, names: list[str], candidates: dict[str, str], others: dict[str, pl.DataType]
) -> dict[str, pl.DataType] | None:
    """The dtypes to read a file with first: ``others`` (its coded columns), each of the
    ``candidates`` (column → "number" or "boolean") as values where the cells of ``block``
    (the file's first lines, its header first) all read so; None when none does. A file whose
    first lines say otherwise (是/否 for yes/no) is not parsed in vain: a failed parse costs
    as much as one that succeeds."""
    end = block.rfind(b"\n")
    if end < 0 or not candidates:
        return None
    try:
        sample = pl.read_csv(
            block[: end + 1],
            has_header=True,
            new_columns=names,
            columns=list(candidates),
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    checks = {
        name: (
            pl.col(name).cast(NUMBER, strict=False).is_not_null() | (pl.col(name) == "")
            if kind == "number"
            else pl.col(name).str.to_lowercase().is_in(_TRUE_FALSE)
        ).all()
        for name, kind in candidates.items()
    }
    found = sample.select(**checks).row(0, named=True) if sample.height else {}
    typed = {name: NUMBER if candidates[name] == "number" else BOOLEAN for name, ok in found.items() if ok}
    return others | typed if typed else None
