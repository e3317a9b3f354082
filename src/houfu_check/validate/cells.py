"""Cells: each column typed as the contract says, and the checks that name the cells that fail.

Typing runs in two stages. Stage 1 types every column as written, in one vectorised pass;
a cell that does not type (or that a cheap test doubts) becomes null. Clean data is done
there. Stage 2 runs only for columns with doubts: it trims, types again, and classifies each
bad cell (empty, wrong type, out of range). Whether a column's type is decided here, from its
:class:`~houfu_check.pack.contract.ColumnSpec`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from houfu_check.errors import (
    DataError,
    EmptyCell,
    InvisibleCharacter,
    LookalikeCharacter,
    NegativeInteger,
    NotBoolean,
    NotDate,
    NotInteger,
    NotNumber,
    OutOfRange,
    ScientificId,
    TooLong,
    UnknownChoice,
)
from houfu_check.invisible import INVISIBLE, LOOKALIKE, LOOKALIKE_SET, lookalike_name
from houfu_check.io.table import Position
from houfu_check.limits import MAX_CELL_CHARS
from houfu_check.pack.contract import MAX_DIGITS, ColumnSpec, spellings

_DIGITS = r"^[0-9]+$"
_NEGATIVE = r"^-[0-9]+$"
#: full-width digits (a Chinese input method's): not read as numbers, and said so, since to a
#: clerk ４ is a four (a full-width minus or point alone is a placeholder, said as any text)
_FULL_WIDTH = "[０-９]"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SPACES = [" ", "\t", "\r", "\n", "\v", "\f", "\xa0", "\u2002", "\u2003", "\u2009", "\u3000"]
#: characters that make two ids look alike but differ: zero-width, bidi, byte-order mark,
#: soft hyphen and the C0 controls (a duplicate household must not look unique)


#: a key cell holding anything but printable ASCII (a space or a '+' included) is looked at
#: closely: every white space of _SPACES is outside the class
_NOT_PLAIN_KEY = r"[^\x21-\x2a\x2c-\x7e]"
#: a number Excel shows in scientific notation (6.10921E+15): an id whose digits are lost
_SCIENTIFIC = r"^\s*[0-9](?:\.[0-9]+)?[eE]\+[0-9]+\s*$"


def _decimal_pattern(col: ColumnSpec) -> str:
    """A decimal as data files write it: an optional minus, digits, and at most ``places`` more."""
    tail = rf"(\.[0-9]{{1,{col.places}}})?" if col.places else ""
    return rf"^-?[0-9]{{1,{MAX_DIGITS}}}{tail}$"


def dtype(col: ColumnSpec) -> pl.DataType:
    """The polars type a column has once validated."""
    if col.kind == "int":
        return pl.Int64()
    if col.kind == "number":
        return pl.Decimal(38, col.places)
    if col.kind == "bool":
        return pl.Boolean()
    if col.kind == "date":
        return pl.Date()
    return pl.String()


def _pairs(col: ColumnSpec) -> dict[str, tuple[str, str]]:
    """Each spelling of a yes/no word → its (true, false) pair in the same family and case."""
    return {
        form: (case(yes), case(no))
        for yes, no in zip(col.true_words, col.false_words, strict=False)
        for case in (str.lower, str.upper, str.capitalize)
        for form in (case(yes), case(no))
    }


def first_pair(col: ColumnSpec, cells: pl.Series) -> tuple[str, str] | None:
    """The yes/no pair of words a column's first cell belongs to ("是"→("是", "否")), if any."""
    first = cells[0] if cells.len() else None
    return _pairs(col).get(first) if isinstance(first, str) else None


def typed_as_written(
    col: ColumnSpec,
    plus: bool = True,
    pair: tuple[str, str] | None = None,
    blanks: Callable[[pl.Expr], pl.Expr] | None = None,
) -> pl.Expr:
    """Stage 1: the column typed from its cells as written; a suspect cell becomes null.

    A suspect cell may still be right once trimmed or lower-cased (stage 2 decides); every
    wrong cell is suspect. Null counts are free, so clean columns cost this one pass.
    ``plus`` is False when the file has no "+" byte at all (so no cell can read "+3");
    ``pair`` is the yes/no pair of words to try first (see :func:`first_pair`); ``blanks``
    reads the contract's missing values as empty cells first.
    """
    s = pl.col(col.name) if blanks is None else blanks(pl.col(col.name))
    if col.kind == "int":
        number = s.cast(pl.Int64, strict=False)
        size = s.str.len_bytes()
        # casts, though wrong: "0000000001" (ten digits), "-0" (a zero longer than "0"; other
        # negatives fail the range), "+3" (only looked for when the file has a "+" at all)
        doubt = (size > MAX_DIGITS) | ((number == 0) & (size > 1))
        if plus:
            doubt = doubt | s.str.starts_with("+")
        doubt = doubt | (number < col.lowest) | (number > col.highest)
        return pl.when(doubt).then(None).otherwise(number).alias(col.name)
    if col.kind == "bool":
        if pair is not None:  # two comparisons: the fastest test, right for most columns
            return pl.when(s == pair[0]).then(True).when(s == pair[1]).then(False).alias(col.name)
        return (
            pl.when(s.is_in(spellings(col.true_words)))
            .then(True)
            .when(s.is_in(spellings(col.false_words)))
            .then(False)
            .alias(col.name)
        )
    if col.kind == "choice":
        fast = {form: value for word, value in col.choices.items() for form in spellings((word,))}
        return s.replace_strict(fast, default=None, return_dtype=pl.String)
    if col.kind in ("number", "date"):
        return _typed_trimmed(col, s)
    return s


def typed_numbers(
    cols: list[ColumnSpec], bounds: dict[str, tuple[int | None, int | None]], missing: tuple[str, ...]
) -> dict[str, pl.Expr]:
    """Stage 1 for whole-number columns read as numbers (each cell written plainly, proven when
    read: :mod:`houfu_check.io.plain_values`): what :func:`typed_as_written` makes of their text.

    A plain number's only doubts are its range and its length (more than ``MAX_DIGITS``
    characters), and a missing value (``missing``) that reads as one; a column whose
    ``bounds`` (lowest, highest: as read; absent: not known) lie inside its range is taken as
    it is, without a copy.
    """
    blanks = [int(word) for word in missing if re.fullmatch(r"-?[1-9][0-9]*|0", word)]
    out: dict[str, pl.Expr] = {}
    for col in cols:
        number = pl.col(col.name)
        low = max(col.lowest, -(10 ** (MAX_DIGITS - 1)) + 1)  # "-99999999": nine characters
        high = min(col.highest, 10**MAX_DIGITS - 1)
        least, most = bounds.get(col.name, (low - 1, high + 1))
        inside = least is None or most is None or (low <= least and most <= high)
        if not inside or blanks:
            doubt = (number < low) | (number > high)
            if blanks:
                doubt = doubt | number.is_in(blanks)
            number = pl.when(doubt).then(None).otherwise(number)
        out[col.name] = number.cast(pl.Int64).alias(col.name)
    return out


def text_suspect(col: ColumnSpec) -> pl.Expr:
    """Stage 1's doubt about a text cell: empty, or any white space (stage 2 trims).

    A literal search for white space is far cheaper than an anchored pattern; inner spaces
    survive the trim.
    """
    s = pl.col(col.name)
    # one pass for every key check: white space, an invisible or control character, a
    # look-alike one (all outside printable ASCII but the space) or a '+' (6.1E+15) makes a key
    # suspect; a plain ASCII id is done here
    doubt = s.str.contains(_NOT_PLAIN_KEY) if is_key(col) else s.str.contains_any(_SPACES)
    doubt = doubt | (s.str.len_bytes() > MAX_CELL_CHARS)
    return doubt if col.optional else doubt | (s.str.len_bytes() == 0)


def key_doubt(col: ColumnSpec, notes: tuple[str, ...]) -> pl.Expr:
    """Stage 1's doubt about a key cell, exactly: what stage 2 would trim or report (white
    space, an empty or too long cell, an invisible or look-alike character, a number in
    scientific notation), or a cell that starts as a note or totals row does (``notes``: 合计,
    填表人…; stage 2 names such rows). Run only on key columns that :func:`text_suspect`'s one
    pattern doubted, so that a town's name in Chinese costs no stage 2."""
    s = pl.col(col.name)
    doubt = (
        s.str.starts_with(notes[0]).or_(*(s.str.starts_with(n) for n in notes[1:]))
        | s.str.contains_any(_SPACES)
        | (s.str.len_bytes() > MAX_CELL_CHARS)
        | s.str.contains_any(INVISIBLE)
        | s.str.contains_any(LOOKALIKE)
        | s.str.contains(_SCIENTIFIC)
    )
    return doubt if col.optional else doubt | (s.str.len_bytes() == 0)


def is_key(col: ColumnSpec) -> bool:
    """Whether a column identifies rows (a key or a reference to one): its text must be plain."""
    return col.kind == "text" and (col.unique or col.references is not None or col.names_town)


def typed_trimmed(col: ColumnSpec) -> pl.Expr:
    """Stage 2: the column typed from trimmed text; cells that failed their checks are null."""
    return _typed_trimmed(col, pl.col(col.name))


def _typed_trimmed(col: ColumnSpec, s: pl.Expr) -> pl.Expr:
    if col.kind == "int":
        number = s.cast(pl.Int64, strict=False)
        ok = s.str.contains(_DIGITS) & (number >= col.lowest) & (number <= col.highest)
        return pl.when(ok).then(number).alias(col.name)
    if col.kind == "number":
        number = s.cast(dtype(col), strict=False)
        ok = s.str.contains(_decimal_pattern(col)) & _in_bounds(col, number)
        return pl.when(ok).then(number).alias(col.name)
    if col.kind == "date":
        day = s.str.to_date("%Y-%m-%d", strict=False)
        return pl.when(s.str.contains(_DATE)).then(day).alias(col.name)
    if col.kind == "bool":
        lower = s.str.to_lowercase()
        return (
            pl.when(lower.is_in(list(col.true_words)))
            .then(True)
            .when(lower.is_in(list(col.false_words)))
            .then(False)
            .alias(col.name)
        )
    if col.kind == "choice":
        return s.str.to_lowercase().replace_strict(col.choices, default=None).alias(col.name)
    return s


def _in_bounds(col: ColumnSpec, number: pl.Expr) -> pl.Expr:
    ok = pl.lit(True)
    if col.minimum is not None:
        ok = ok & (number >= pl.lit(col.minimum))
    if col.maximum is not None:
        ok = ok & (number <= pl.lit(col.maximum))
    return ok


def _has_letters(value: str | None) -> bool:
    """Whether a cell holds letters of any script (a name could): digits and signs do not."""
    return value is not None and any(unicodedata.category(ch).startswith("L") for ch in value)


def _invisible(col: ColumnSpec, where: str) -> Callable[[Position, str | None], DataError]:
    def make(pos: Position, value: str | None) -> DataError:
        found = next((ch for ch in value or "" if ch in INVISIBLE), "")
        note = f"U+{ord(found):04X}" if found else "an invisible character"
        shown = "".join(ch for ch in value or "" if ch not in INVISIBLE)
        return InvisibleCharacter(**pos.at(), column=where, key=col.name, value=shown, note=note)

    return make


def _lookalike(col: ColumnSpec, where: str) -> Callable[[Position, str | None], DataError]:
    def make(pos: Position, value: str | None) -> DataError:
        found = next((ch for ch in value or "" if ch in LOOKALIKE_SET), "")
        note = lookalike_name(found) if found else "a look-alike character"
        return LookalikeCharacter(**pos.at(), column=where, key=col.name, value=value, note=note)

    return make


@dataclass
class Check:
    """One vectorised check: rows where ``bad`` holds are reported with ``make``."""

    column: ColumnSpec
    bad: pl.Expr
    make: Callable[[Position, str | None], DataError]


def _full_width(expected: str, expected_zh: str) -> tuple[str, str]:
    """What a number column expects, and that its cell holds full-width characters."""
    return (
        f"{expected}; it holds full-width characters (typed with a Chinese input method): "
        "write the digits as 0-9",
        f"{expected_zh};其中有全角字符(中文输入法打出的),请改为半角数字 0-9",
    )


def checks_for(col: ColumnSpec, where: str, guarded: bool = False) -> list[Check]:
    """Every per-cell check of a column (``where`` names it as the file's header does).

    ``guarded``: the table has a personal column, so a misaligned row may put a name in any
    column: a cell with letters is then not quoted (the position and column say where it is).
    """
    s = pl.col(col.name)
    expected, expected_zh = col.type_text(), col.type_text(lang="zh")

    def problem(
        cls: type[DataError], note: str = expected, note_zh: str | None = expected_zh
    ) -> Callable[[Position, str | None], DataError]:
        def make(pos: Position, value: str | None) -> DataError:
            hidden = col.personal or (guarded and _has_letters(value))
            return cls(
                **pos.at(),
                column=where,
                key=col.name,
                value=None if hidden else value,
                note=note,
                note_zh=note_zh,
                hidden=hidden,
            )

        return make

    empty = s == ""
    checks: list[Check] = []
    if not col.optional:
        checks.append(Check(col, empty, problem(EmptyCell)))
    if col.kind == "int":
        digits = s.str.contains(_DIGITS)
        number = s.cast(pl.Int64, strict=False)
        wide = s.str.contains(_FULL_WIDTH)
        checks.append(Check(col, s.str.contains(_NEGATIVE), problem(NegativeInteger)))
        checks.append(Check(col, ~empty & ~digits & ~s.str.contains(_NEGATIVE) & ~wide, problem(NotInteger)))
        checks.append(Check(col, wide, problem(NotInteger, *_full_width(expected, expected_zh))))
        too_large = digits & (s.str.len_chars() > MAX_DIGITS)
        out = digits & ~too_large & ((number < col.lowest) | (number > col.highest))
        checks.append(Check(col, out, problem(OutOfRange)))
        checks.append(
            Check(
                col,
                too_large,
                problem(
                    OutOfRange,
                    f"{expected}, at most {MAX_DIGITS} digits",
                    f"{expected_zh},最多 {MAX_DIGITS} 位数字",
                ),
            )
        )
    elif col.kind == "number":
        form = s.str.contains(_decimal_pattern(col))
        longer = s.str.contains(rf"^-?[0-9]{{1,{MAX_DIGITS}}}\.[0-9]+$")  # a number, too many places
        places = f"{expected}; it has more decimal places than that (round it to {col.places})"
        places_zh = f"{expected_zh};它的小数位数超过了这个限制(请四舍五入到 {col.places} 位)"
        checks.append(Check(col, ~empty & ~form & longer, problem(NotNumber, places, places_zh)))
        wide = s.str.contains(_FULL_WIDTH)
        checks.append(Check(col, ~empty & ~form & ~longer & ~wide, problem(NotNumber)))
        checks.append(Check(col, wide, problem(NotNumber, *_full_width(expected, expected_zh))))
        number = s.cast(dtype(col), strict=False)
        checks.append(Check(col, form & ~_in_bounds(col, number), problem(OutOfRange)))
    elif col.kind == "date":
        day = s.str.to_date("%Y-%m-%d", strict=False)
        checks.append(Check(col, ~empty & (~s.str.contains(_DATE) | day.is_null()), problem(NotDate)))
    elif col.kind == "bool":
        words = list(col.true_words + col.false_words)
        checks.append(Check(col, ~empty & ~s.str.to_lowercase().is_in(words), problem(NotBoolean)))
    elif col.kind == "text":
        checks.append(
            Check(
                col,
                s.str.len_chars() > MAX_CELL_CHARS,
                problem(TooLong, f"{MAX_CELL_CHARS:,}", f"{MAX_CELL_CHARS:,}"),
            )
        )
        if is_key(col):
            found = s.str.contains_any(INVISIBLE)
            checks.append(Check(col, found, _invisible(col, where)))
            alike = ~found & s.str.contains_any(LOOKALIKE)
            checks.append(Check(col, alike, _lookalike(col, where)))
            checks.append(Check(col, s.str.contains(_SCIENTIFIC), problem(ScientificId, "", "")))
    elif col.kind == "choice":
        words = list(col.choices)
        checks.append(Check(col, ~empty & ~s.str.to_lowercase().is_in(words), problem(UnknownChoice)))
    return checks
