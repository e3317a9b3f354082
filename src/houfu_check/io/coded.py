"""Columns kept as a dictionary: each distinct cell text stored once, a 4-byte code per row.

The typed columns of a contract's table (numbers, yes/no, dates, choices) take few distinct
values: a household's members, a yes/no flag. As text each cell costs a 16-byte string view;
as a polars ``Categorical`` it costs a 4-byte code, and the national households table reads in
half the memory, faster. The text of every cell is kept exactly (validation stays text-first):
a test of a cell's text is run once per distinct value and spread to the rows.

One difference to mind: the CSV reader stores an empty cell of a coded column as null. A null
in a coded column is an empty cell, and :func:`text` gives it back as ``""``.

Example: a ``members`` column of 2.8M cells holding "1" … "9" is typed by casting nine strings.

A column is read first against a fixed list of its usual texts (:func:`usual`: a polars
``Enum`` of "0" … "999", or of the yes/no words), which parses about as fast as plain text; a
cell outside the list fails that parse, and the file is read again with the column's open
dictionary (:func:`coded`). Either way each cell's text is kept exactly: a fixed list matches
whole cells, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Coding:
    """How a CSV reader keeps a column coded: its dictionary's name and its usual texts."""

    name: str  # the contract's column: its open dictionary (:func:`coded`)
    usual: tuple[str, ...] = ()  # the fixed list it is read against first (:func:`usual`); () none
    # "number" (whole numbers), "boolean" (true/false): read as values where the file proves
    # them written plainly (io.plain_values); "" never
    typed: str = ""


def coded(column: str) -> pl.DataType:
    """The dtype a column of the contract is read as: its own dictionary, shared by every file
    that holds it (parts concatenate), and small: only that column's texts are in it."""
    return pl.Categorical(pl.Categories(column, namespace="houfu_check"))


def usual(texts: tuple[str, ...]) -> pl.DataType:
    """The dtype a column is read as first: the fixed list of ``texts`` (its usual ones, see
    :attr:`~houfu_check.pack.contract.ColumnSpec.usual_texts`). Matching a cell to a fixed list
    costs the parser far less than adding it to a dictionary that grows."""
    return pl.Enum(tuple(dict.fromkeys(texts)))  # each text once (a fixed list repeats none)


def kept(column: str, dtypes: list[pl.DataType]) -> pl.DataType:
    """The dtype a coded column keeps once its files are put together: theirs when they agree
    (each read against the same fixed list), else the column's dictionary, which all cast into."""
    return dtypes[0] if dtypes and all(d == dtypes[0] for d in dtypes) else coded(column)


def is_coded_dtype(dtype: pl.DataType) -> bool:
    """Whether a column of this dtype is coded (an open dictionary, or a fixed list)."""
    return isinstance(dtype, (pl.Categorical, pl.Enum))


def is_coded(frame: pl.DataFrame | pl.Series, name: str | None = None) -> bool:
    """Whether the column (``frame[name]``, or the series itself) is coded."""
    dtype = frame.dtype if isinstance(frame, pl.Series) else frame.get_column(name or "").dtype
    return is_coded_dtype(dtype)


def is_typed(frame: pl.DataFrame, name: str) -> bool:
    """Whether a file's column was read as values, numbers or yes/no, each written plainly
    (:mod:`houfu_check.io.plain_values`): its text is its value's ("true" or "false" for a
    yes/no, whatever case it was written in), an empty cell is null."""
    return _is_value(frame.get_column(name).dtype)


def _is_value(dtype: pl.DataType) -> bool:
    return dtype.is_integer() or dtype == pl.Boolean


def text(name: str) -> pl.Expr:
    """A column as plain text, whichever way it is stored (a coded or typed column's null is
    an empty cell; a typed column's values are their text, proven so when read)."""
    return pl.col(name).cast(pl.String).fill_null("")


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its coded and typed columns as plain text (for the rare paths that need
    every cell)."""
    kept = [c for c in frame.columns if is_coded(frame, c) or is_typed(frame, c)]
    return frame.with_columns(text(c) for c in kept) if kept else frame


def per_values(frame: pl.DataFrame, exprs: dict[str, pl.Expr]) -> dict[str, pl.Expr]:
    """Each expression (name → an expression over that column's text) for every row of
    ``frame``: for a coded column evaluated once per text and spread to the rows, a plain
    column's as it is. The texts of every column are looked at in one query, not one a column."""
    coded = {name: frame.get_column(name) for name in exprs if is_coded(frame, name)}
    out = {name: expr for name, expr in exprs.items() if name not in coded}
    if not coded:
        return out
    texts = {name: _Texts.of(column) for name, column in coded.items()}
    # the few-valued columns padded to one length and looked at together; each column with
    # many texts (a decimal amount, say) alone, so that none is padded to its length
    few = [name for name in coded if texts[name].texts.len() <= _FEW]
    batches = [few] if few else []
    batches += [[name] for name in coded if name not in few]
    for batch in batches:
        longest = max(texts[name].texts.len() for name in batch)
        padded = pl.DataFrame([_padded(texts[name].texts, longest) for name in batch])
        looked = padded.select(exprs[name].alias(name) for name in batch)
        for name in batch:
            lookup = looked.get_column(name).head(texts[name].texts.len())
            out[name] = texts[name].spread(lookup, coded[name])
    return out


#: a dictionary of at most this many texts is looked at together with the others
_FEW = 4096

#: a table of fewer rows is typed from plain text (validation makes its coded columns plain):
#: per column, the dictionary work costs more than typing that many cells
FEW_ROWS = 1 << 16


def _padded(texts: pl.Series, length: int) -> pl.Series:
    return texts.extend_constant("", length - texts.len())


def coded_layout(frame: pl.DataFrame) -> tuple[tuple[int, str], ...]:
    """Which columns of ``frame`` are coded, each with its dictionary, or typed: frames stack
    when these (and their columns) agree."""
    return tuple((i, str(d)) for i, d in enumerate(frame.dtypes) if is_coded_dtype(d) or _is_value(d))


def plain_if_crowded(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each coded column that holds many distinct texts (more than a quarter of
    its rows: an amount, a date of birth) as plain text: coding saves nothing there and costs
    a dictionary as large as the column."""
    crowded = [
        name
        for name, dtype in zip(frame.columns, frame.dtypes, strict=True)
        if is_coded_dtype(dtype)
        and isinstance(top := frame.get_column(name).to_physical().max(), int)
        and top >= frame.height // 4
    ]
    return frame.with_columns(text(name) for name in crowded) if crowded else frame


#: the key an empty cell (null in a coded column) is looked up by, among a column's own texts
_EMPTY = 2**32 - 1


@dataclass(frozen=True)
class _Texts:
    """The texts a coded column's expression is evaluated on, and how to spread the results.

    Either the column's whole dictionary in code order (then a row's code is its index: one
    gather), or, when the dictionary is larger than the column (a town's file read after
    others with many distinct values), the column's own distinct texts (then a lookup by code):
    either way the cost follows the smaller of the two, never files × dictionary.
    """

    texts: pl.Series  # "" last or among them: the empty cell
    keys: pl.Series | None  # each text's code (None: the texts are the dictionary, in code order)
    empty: int  # the key of the empty cell

    @staticmethod
    def of(column: pl.Series) -> _Texts:
        dtype = column.dtype
        assert isinstance(dtype, (pl.Categorical, pl.Enum))
        every = dtype.categories if isinstance(dtype, pl.Enum) else dtype.categories.to_series()
        # a dictionary no longer than the column (a large file's, as a rule) is taken whole
        # without a pass over the codes; else the codes tell whether the file uses its start
        highest = column.len() - 1 if every.len() <= column.len() else column.to_physical().max()
        if not isinstance(highest, int) or highest < column.len():
            every = every.fill_null("")
            return _Texts(every.extend_constant("", 1).alias(column.name), None, every.len())
        values = column.unique()
        texts = values.cast(pl.String).fill_null("").alias(column.name)
        return _Texts(texts, values.to_physical().cast(pl.UInt32).fill_null(_EMPTY), _EMPTY)

    def spread(self, lookup: pl.Series, column: pl.Series) -> pl.Expr:
        """The looked-up results (one per text) as an expression with one value per row."""
        name = column.name
        codes = pl.col(name).to_physical().cast(pl.UInt32)  # a fixed list's codes are narrower
        codes = codes.fill_null(self.empty) if column.null_count() else codes
        keys = self.keys if self.keys is not None else pl.int_range(lookup.len(), eager=True, dtype=pl.UInt32)
        if lookup.dtype == pl.Boolean:  # membership tests of the codes: cheaper than a gather of bits
            yes, no = keys.filter(lookup.fill_null(False)), keys.filter((~lookup).fill_null(False))
            return (
                pl.when(codes.is_in(yes.implode()))
                .then(True)
                .when(codes.is_in(no.implode()))
                .then(False)
                .alias(name)
            )
        if self.keys is None:
            return pl.lit(lookup).gather(codes).alias(name)
        return codes.replace_strict(keys, lookup, default=None, return_dtype=lookup.dtype).alias(name)


def texts_of(column: pl.Series) -> pl.Series:
    """Every text a coded column may hold (its dictionary, or its own distinct texts when those
    are fewer), "" among them: a test none of them passes is false for every row."""
    return _Texts.of(column).texts


def test(frame: pl.DataFrame, name: str, predicate: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
    """A per-row boolean: ``predicate`` of the cell's text (for a coded column, of each text of
    its dictionary, spread to the rows as a membership test of the codes)."""
    return tests(frame, [name], predicate)[0]


def tests(frame: pl.DataFrame, names: list[str], predicate: Callable[[pl.Expr], pl.Expr]) -> list[pl.Expr]:
    """:func:`test` for many columns, their dictionaries looked at in one query (a typed
    column's cells as their text)."""
    cells = {name: text(name) if is_typed(frame, name) else pl.col(name) for name in names}
    spread = per_values(frame, {name: predicate(cells[name]).fill_null(False) for name in names})
    return [spread[name].fill_null(False) for name in names]
