"""Relations: between columns of a row, between rows (unique keys), between tables (references,
tallies) and between town folders. Only cells that passed their own checks take part.

Every check here reports the rows it finds the same way, through :func:`report_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from fractions import Fraction
from typing import Any

import polars as pl

from houfu_check.errors import (
    DataError,
    DuplicateId,
    ErrorLog,
    MixedTowns,
    MixedTownsMore,
    RelationViolation,
    TallyMismatch,
    UnknownReference,
)
from houfu_check.io.table import Position, RawTable, TableParts
from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec

#: warnings of one kind shown at most (the count says how many more)
MAX_WARNINGS = 20

Make = Callable[[Position, dict[str, Any]], DataError]


def report_rows(
    table: TableParts, log: ErrorLog, frame: pl.DataFrame, bad: pl.Expr, make: Make, count: int | None = None
) -> None:
    """Log the rows of ``frame`` where ``bad`` holds: the first ``log.cap`` made by ``make``
    (from the row's position and values), and how many there are in all."""
    if count is None:
        count = int(frame.select(bad.fill_null(False).sum()).item())
    if not count:
        return
    hits = frame.with_row_index("__row").filter(bad.fill_null(False)).head(log.cap)
    places = table.where(hits["__row"])
    log.add_many([make(pos, row) for pos, row in zip(places, hits.iter_rows(named=True), strict=True)], count)


def counted(
    spec: TableSpec,
    typed: pl.DataFrame,
    text: pl.DataFrame,
    texts: dict[str, pl.DataFrame],
    found: Collection[str],
) -> dict[str, int]:
    """How many rows each check of this module finds in a table, counted in one query per frame,
    the queries run together (the checks share the cores instead of taking turns); each check
    then looks for its rows only where its count is not 0. Keys as :func:`row_relations`,
    :func:`uniques` and :func:`references` ask for them."""
    relation = typed.lazy().select(
        bad.fill_null(False).sum().alias(key) for key, _, _, _, bad in _relations(spec, typed.columns)
    )
    cells = text.lazy().select(
        *(
            (pl.col(col.name).shift(-1) > pl.col(col.name))
            .all()
            .cast(pl.Int64)
            .alias(f"increasing {col.name}")
            for col in spec.columns
            if col.unique and col.name in text.columns
        ),
        *(
            bad.sum().alias(f"reference {col.name}")
            for col, _, bad in _references(spec, text, texts)
            if col.name not in found
        ),
    )
    counts: dict[str, int] = {}
    for frame in pl.collect_all([relation, cells]):
        counts.update({k: int(v or 0) for k, v in (frame.row(0, named=True) if frame.width else {}).items()})
    return counts


def _relations(
    spec: TableSpec, columns: list[str]
) -> list[tuple[str, ColumnSpec, ColumnSpec, bool, pl.Expr]]:
    """Each ``maximum``/``minimum`` that names another column: its key, the two columns, whether
    it is an upper bound, and the rows that break it."""
    found = []
    for col in spec.columns:
        for other_name, above in ((col.at_most, True), (col.at_least, False)):
            if other_name is None or col.name not in columns or other_name not in columns:
                continue
            other = spec.column(other_name)
            bad = pl.col(col.name) > pl.col(other.name) if above else pl.col(col.name) < pl.col(other.name)
            found.append((f"relation {col.name} {other.name} {above}", col, other, above, bad))
    return found


def row_relations(
    spec: TableSpec,
    table: TableParts,
    log: ErrorLog,
    frame: pl.DataFrame,
    where: Callable[[ColumnSpec], str],
    counts: dict[str, int] | None = None,
) -> None:
    """``maximum``/``minimum`` that name another column of the same row (``counts``: see
    :func:`counted`, when the frame is the one counted)."""
    for key, col, other, above, bad in _relations(spec, frame.columns):
        sign = "≤" if above else "≥"

        def make(
            pos: Position,
            row: dict[str, Any],
            col: ColumnSpec = col,
            other: ColumnSpec = other,
            sign: str = sign,
        ) -> DataError:
            return RelationViolation(
                **pos.at(),
                column=where(col),
                key=col.name,
                value=str(row[col.name]),
                note=f"{where(other)} ({row[other.name]}) on the same row; "
                f"expected {col.name} {sign} {other.name}",
                # in Chinese, the columns as the header names them (its Chinese words, if it has them)
                note_zh=f"同一行的 {where(other)}({row[other.name]});"
                f"应满足 {where(col)} {sign} {where(other)}",
            )

        report_rows(table, log, frame, bad, make, counts.get(key) if counts is not None else None)


def uniques(
    spec: TableSpec,
    table: TableParts,
    log: ErrorLog,
    text: pl.DataFrame,
    where: Callable[[ColumnSpec], str],
    counts: dict[str, int] | None = None,
) -> None:
    """A unique column's value seen again: each later row names the first."""
    for col in spec.columns:
        if not col.unique or col.name not in text.columns:
            continue
        increasing = (counts or {}).get(f"increasing {col.name}")  # counted already, when known
        if increasing or _all_distinct(text.get_column(col.name), increasing is None):
            continue
        indexed = text.select(pl.col(col.name)).with_row_index("__row")
        dup = indexed.filter((pl.col(col.name) != "") & pl.col(col.name).is_duplicated())
        if dup.height == 0:
            continue
        dup = dup.with_columns(pl.col("__row").min().over(col.name).alias("__first"))
        later = dup.filter(pl.col("__row") != pl.col("__first"))
        shown = later.head(log.cap)
        places = table.where(shown["__row"])
        firsts = table.where(shown["__first"])
        problems: list[DataError] = [
            DuplicateId(
                **pos.at(),
                column=where(col),
                key=col.name,
                value=value,
                first_line=first.line,
                first_file=first.file,
                first_sheet=first.sheet,
            )
            for pos, first, value in zip(places, firsts, shown[col.name].to_list(), strict=True)
        ]
        log.add_many(problems, later.height)


def references(
    spec: TableSpec,
    table: TableParts,
    log: ErrorLog,
    text: pl.DataFrame,
    texts: dict[str, pl.DataFrame],
    where: Callable[[ColumnSpec], str],
    found: Collection[str] = (),
    counts: dict[str, int] | None = None,
) -> None:
    """A foreign key's value must be a key of the table it names (when that table was given);
    ``found``: columns whose every cell was found among those keys already; ``counts``: see
    :func:`counted`."""
    for col, (table_name, target), bad in _references(spec, text, texts):
        if col.name in found:
            continue

        def make(
            pos: Position,
            row: dict[str, Any],
            col: ColumnSpec = col,
            table_name: str = table_name,
            target: str = target,
        ) -> DataError:
            return UnknownReference(
                **pos.at(),
                column=where(col),
                key=col.name,
                value=row[col.name],
                note=f"{target} in {table_name}.csv",
                note_zh=f" {table_name}.csv 中的 {target}(找不到这个编号)",
            )

        report_rows(
            table, log, text, bad, make, counts.get(f"reference {col.name}") if counts is not None else None
        )


def _references(
    spec: TableSpec, text: pl.DataFrame, texts: dict[str, pl.DataFrame]
) -> list[tuple[ColumnSpec, tuple[str, str], pl.Expr]]:
    """Each foreign key to a table that was given (an optional one may not be, and one whose
    problems are reported already is not): the rows whose value is not among its keys."""
    found = []
    for col in spec.columns:
        if col.references is None or col.name not in text.columns:
            continue
        table_name, target = col.references
        if table_name != spec.name and table_name not in texts:
            continue
        known = (text if table_name == spec.name else texts[table_name]).get_column(target).unique()
        found.append(
            (col, col.references, (pl.col(col.name) != "") & ~pl.col(col.name).is_in(known.implode()))
        )
    return found


def tallies(
    contract: Contract,
    typed: dict[str, pl.DataFrame],
    parts: dict[str, TableParts],
    where: Callable[[str, ColumnSpec], str],
) -> list[DataError]:
    """Warnings where a parent's own figure (安置户数) and its child rows disagree beyond the
    contract's tolerance; each names both numbers. One grouping per child table computes every
    figure counted from it. ``where`` names a column as its file's header does."""
    found: list[DataError] = []
    for spec in contract.tables:
        wanted = [
            col
            for col in spec.columns
            if col.tally is not None and col.tally.table in typed and spec.name in typed
        ]
        for child_name in dict.fromkeys(col.tally.table for col in wanted if col.tally):
            child = contract.table(child_name)
            link = child.parent_column
            assert link is not None
            mine = [col for col in wanted if col.tally and col.tally.table == child_name]
            figures = [
                (pl.len() if col.tally.sum is None else pl.col(col.tally.sum).sum()).alias(f"__{col.name}")
                for col in mine
                if col.tally
            ]
            counted = typed[child_name].lazy().group_by(link).agg(figures)
            frame = (
                typed[spec.name]
                .lazy()
                .select(spec.id_column, *(col.name for col in mine))
                .join(counted, left_on=spec.id_column, right_on=link, how="left", maintain_order="left")
                .with_columns(pl.col(f"__{col.name}").fill_null(0) for col in mine)
                .collect()
            )
            for col in mine:
                found += _tally_warnings(
                    col, child, frame, parts[spec.name], where(spec.name, col), _source(parts.get(child_name))
                )
    return found


def _source(child: TableParts | None) -> str | None:
    """Where a child table's rows were read: its one file (and sheet), as a message names it."""
    if child is None or len(child.parts) != 1:
        return None
    part = child.parts[0]
    return part.display if part.sheet is None else f"{part.display} ({part.sheet})"


def _tally_warnings(
    col: ColumnSpec,
    child: TableSpec,
    frame: pl.DataFrame,
    table: TableParts,
    written: str,
    source: str | None = None,
) -> list[DataError]:
    tally = col.tally
    assert tally is not None
    counted = f"__{col.name}"
    # exact: |stated − counted| × q > counted × p for a tolerance of p/q, in 128 bits (whole
    # numbers) so that no product wraps
    p, q = tally.tolerance.numerator, tally.tolerance.denominator
    wide = pl.Int128 if col.kind == "int" else pl.Decimal(38, col.places)
    stated, actual = pl.col(col.name).cast(wide), pl.col(counted).cast(wide)
    bad = (stated - actual).abs() * q > actual * p
    hits = frame.with_row_index("__row").filter(bad)
    named = source or child.file_name  # the workbook and sheet the rows came from, if not a CSV
    rows = f"its rows in {named}"
    what = rows if tally.sum is None else f"Σ {tally.sum} of {rows}"
    rows_zh = f"{named} 中的行数"
    what_zh = rows_zh if tally.sum is None else f"{named} 中各行 {tally.sum} 之和"
    shown = _percent(tally.tolerance)
    found: list[DataError] = []
    first = hits.head(MAX_WARNINGS)
    for pos, row in zip(table.where(first["__row"]), first.iter_rows(named=True), strict=True):
        found.append(
            TallyMismatch(
                **pos.at(),
                column=written,
                key=col.name,
                value=str(row[col.name]),
                note=f"{what} ({row[counted]}), more than {shown} apart: check which is right",
                note_zh=f" {what_zh}({row[counted]})不一致,相差超过 {shown}:请核实哪个正确",
            )
        )
    if hits.height > MAX_WARNINGS:
        found.append(
            TallyMismatch(
                file=table.where([0])[0].file,
                column=written,
                key=col.name,
                value=f"… +{hits.height - MAX_WARNINGS:,}",
                note=f"{what} in the same way ({hits.height - MAX_WARNINGS:,} more rows)",
                note_zh=f" {what_zh}同样不一致(另有 {hits.height - MAX_WARNINGS:,} 行)",
            )
        )
    return found


def _percent(value: Fraction) -> str:
    shown = value * 100
    return f"{shown.numerator if shown.denominator == 1 else float(shown):g}%"


_TOWN_ENDINGS = ("镇", "乡", "街道", "办事处")


def town_folder_warnings(
    contract: Contract, raw: dict[str, list[RawTable]], texts: dict[str, pl.DataFrame]
) -> list[DataError]:
    """Rows in a town's folder that belong to another town: a unit naming another town, a
    child row (a household) of another town's unit. A folder named for a town (as some row
    names it, or by its ending: 镇, 乡, 街道, 办事处) expects that town; otherwise the town
    most of its rows name (a folder called "chengguan", say)."""
    if contract.town is None:
        return []
    town_table, town_column = contract.town
    units = raw.get(town_table, [])
    if not any(part.folder for part in units) or town_table not in texts:
        return []
    towns = texts[town_table].get_column(town_column)
    known = set(towns.unique().to_list())
    starts = TableParts(units).starts
    # every folder at once: its rows' towns, the town most of them name, and the rows that differ
    folder_of = _part_index(units)
    frame = pl.DataFrame({"part": folder_of, "town": towns})
    counts = (
        frame.group_by("part", "town").len().sort(["part", "len", "town"], descending=[False, True, False])
    )
    majority = dict(counts.group_by("part", maintain_order=True).first().select("part", "town").iter_rows())
    expected: dict[str, str] = {}
    for i, part in enumerate(units):
        named = part.folder in known or part.folder.endswith(_TOWN_ENDINGS)
        expected[part.folder] = part.folder if named else str(majority.get(i, part.folder))
    wanted = pl.Series([expected[part.folder] for part in units], dtype=pl.String)
    odd_rows = frame.with_columns(pl.col("part").replace_strict(range(len(units)), wanted).alias("want"))
    odd_rows = odd_rows.with_row_index("row").filter(pl.col("town") != pl.col("want"))
    found: list[DataError] = []
    for (i,), group in odd_rows.group_by("part", maintain_order=True):
        part, start = units[int(str(i))], starts[int(str(i))]
        lines = (group["row"] - start).head(MAX_WARNINGS)
        for pos, value in zip(part.where(lines), group["town"].head(MAX_WARNINGS).to_list(), strict=True):
            town = expected[part.folder]  # a name: the same in Chinese
            found.append(MixedTowns(**pos.at(), column=town_column, value=value, note=town, note_zh=town))
        found += _more(part, group.height, town_column, expected[part.folder])
    key = contract.table(town_table).id_column
    town_of = dict(zip(texts[town_table].get_column(key).to_list(), towns.to_list(), strict=True))
    for child in contract.tables:
        if child.parent != town_table or child.parent_column is None or child.name not in texts:
            continue
        parts = raw.get(child.name, [])
        if not parts:
            continue
        ids = texts[child.name].get_column(child.parent_column)
        child_starts = TableParts(parts).starts
        part_of = _part_index(parts)
        wants = pl.Series([expected.get(part.folder) for part in parts], dtype=pl.String)
        rows = pl.DataFrame({"part": part_of, "id": ids}).with_row_index("row")
        rows = rows.with_columns(
            pl.col("id").replace_strict(town_of, default=None, return_dtype=pl.String).alias("theirs"),
            pl.col("part").replace_strict(range(len(parts)), wants).alias("want"),
        ).filter(pl.col("want").is_not_null() & (pl.col("theirs") != pl.col("want")).fill_null(False))
        for (i,), group in rows.group_by("part", maintain_order=True):
            part, start = parts[int(str(i))], child_starts[int(str(i))]
            want = expected[part.folder]
            lines = (group["row"] - start).head(MAX_WARNINGS)
            for pos, cid in zip(part.where(lines), group["id"].head(MAX_WARNINGS).to_list(), strict=True):
                value = f"{cid} ({town_of.get(cid)})"
                found.append(
                    MixedTowns(**pos.at(), column=child.parent_column, value=value, note=want, note_zh=want)
                )
            found += _more(part, group.height, child.parent_column, want)
    return found


def _part_index(parts: list[RawTable]) -> pl.Series:
    """Each row's file (0, 1, …) in a table read from several files, built without a Python
    loop over the rows (a national table has millions), nor numpy's import time."""
    counts = pl.DataFrame(
        {"part": range(len(parts)), "n": [part.rows for part in parts]},
        schema={"part": pl.Int32, "n": pl.UInt32},
    )
    return counts.select(pl.col("part").repeat_by("n").explode()).to_series()


def _more(part: Any, total: int, column: str, town: str) -> list[DataError]:
    """One more warning saying how many were left out, when a folder has more than the cap."""
    if total <= MAX_WARNINGS:
        return []
    return [
        MixedTownsMore(
            file=part.where([0])[0].file,
            column=column,
            note=f"{total - MAX_WARNINGS:,} more rows in the folder of {town} name another town",
            note_zh=f"{town} 的文件夹中另有 {total - MAX_WARNINGS:,} 行属于其他镇",
        )
    ]


def _all_distinct(ids: pl.Series, look_at_order: bool = True) -> bool:
    """Whether no value repeats: a strictly increasing column (ids usually are) is proven at once
    (``look_at_order``: False when the order was looked at already, see :func:`counted`)."""
    if ids.len() < 2:
        return True
    if look_at_order and (ids.slice(1) > ids.slice(0, ids.len() - 1)).all():
        return True
    # hashing every id: on both cores (the streaming engine splits the column)
    distinct = pl.LazyFrame([ids]).select(pl.first().n_unique()).collect(engine="streaming").item()
    return bool(distinct == ids.len())
