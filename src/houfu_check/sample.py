"""Made-up but realistic data for any plan pack, drawn from its contract (``houfu-check sample``).

Every column is drawn from what the contract says of it — its type, bounds, the columns of
the same row it may not exceed, the table it belongs to — so the data is valid for any pack.
Optional ``sample:`` hints in the contract make it realistic (rates close to a real county's,
so that most units meet most targets and a few of each kind do not). Everything comes from one
``numpy`` generator seeded by ``seed`` and is computed column-wise: millions of rows in seconds.

Hints of a table::

    sample: {per_parent: 200, spread: 1.0}   # rows per parent row: lognormal around 200
    sample: {per_parent: members}            # as many rows as the parent's column says

and, at the top of the contract, ``sample: {table: households}``: the table whose row count
``--rows`` sets (the tables above it get ``rows / per_parent`` rows).

Hints of a column (``when`` applies to any of them)::

    p: 0.97                                  # a yes/no column: the chance of yes
    values: [0, 1, 2]  weights: [.2, .5, .3] # one of these values (any type), by weight
    blocks: 100                              # with values: every 100 rows form a county whose
                                             #   values get a number (城关镇2), for national data
    binomial: {n: labor_count, p: 0.82}      # a whole number: Binomial(n, p); n a column or number
    uniform: [100, 180]                      # a number between the two
    floor: 1                                 # at least this (where the column's bounds allow)
    zero: 0.004                              # then, the chance the value is 0 after all
    id: {prefix: HY-C, digits: 3}            # a key: prefix + zero-padded row number
    join: [[月河, 五一], [社区, 新村]]          # text: one word of each list, joined
    name: person                             # text: a made-up Chinese personal name
    when: [{if: "population >= 800", p: 0.99}]   # the first condition that holds on a row
                                             #   replaces the hints above (rule expressions
                                             #   over the row's other columns)

A column with ``tally`` is computed from its child rows (安置户数 = the household rows), so
the sample agrees with itself. Without hints a column takes a plain default for its type.
:func:`write` saves the tables as CSV (English or Chinese headers, UTF-8 or GB18030).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec
from houfu_check.rules.expr import ExprError, compile_expr
from houfu_check.validate.cells import dtype

IntArray = npt.NDArray[np.int64]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_CHARS = (
    "建国华明军平志文海强伟成德林秀英芳兰玉红梅兵勇福贵财生春秋云山安宝荣辉金银翠霞娟"
    "琴莲凤芬珍龙虎忠永长锋刚学全友清正洪涛敏静丽燕新世家兴发祥胜利中先桂菊"
)
DEFAULT_ROWS = 20_000
DEFAULT_PER_PARENT = 200
BATCH_ROWS = 100_000  # rows per block when writing GB18030


class SampleError(ValueError):
    """The contract's hints cannot make a sample; the message says which and why (``zh``: the
    same in Chinese)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def sample_table(contract: Contract) -> TableSpec:
    """The table whose row count ``--rows`` sets: the contract's ``sample: {table: …}``, else
    the first table with a parent (households), else the first data table."""
    named = contract.sample.get("table") if contract.sample else None
    if isinstance(named, str) and contract.has_table(named):
        return contract.table(named)
    return next((t for t in contract.data_tables if t.parent), contract.data_tables[0])


def generate(
    contract: Contract, rows: int = DEFAULT_ROWS, parents: int | None = None, seed: int = 2022
) -> dict[str, pl.DataFrame]:
    """Every table of ``contract`` (the facts table as one row) as typed frames, in the
    contract's column order. ``rows`` of the sample table; ``parents`` rows of its parent
    (default: ``rows / per_parent``). The same arguments always give the same frames."""
    if rows < 0:
        raise SampleError("rows must be 0 or more", "行数须为 0 或更多")
    if parents is not None and parents < 1:
        raise SampleError("parents must be 1 or more", "上级表行数须为 1 或更多")
    return _Generator(contract, np.random.default_rng(seed)).run(rows, parents)


class _Generator:
    def __init__(self, contract: Contract, rng: np.random.Generator) -> None:
        self.contract = contract
        self.rng = rng
        self.frames: dict[str, pl.DataFrame] = {}
        self.rows: dict[str, int] = {}
        self.counts: dict[str, IntArray] = {}  # child table → rows per parent row
        self.keys: dict[str, list[str]] = {}  # keys taken from the rows that reference a table

    def run(self, rows: int, parents: int | None) -> dict[str, pl.DataFrame]:
        main = sample_table(self.contract)
        chain = [main, *self.contract.ancestors(main.name)]
        self.rows[main.name] = rows
        for child, parent in itertools.pairwise(chain):
            given = parents if child is main and parents is not None else None
            per = _number(child.sample.get("per_parent", DEFAULT_PER_PARENT), child, "per_parent")
            self.rows[parent.name] = (
                given if given is not None else max(1, round(self.rows[child.name] / per))
            )
            spread = float(child.sample.get("spread", 1.0))
            self.counts[child.name] = _sizes(self.rng, self.rows[child.name], self.rows[parent.name], spread)
        for spec in chain:  # bottom-up: a parent's tallies need its children
            self._fill(spec)
        done = {spec.name for spec in chain}
        for _ in range(len(self.contract.tables)):
            for spec in self.contract.tables:
                if spec.name in done or (spec.parent is not None and spec.parent not in done):
                    continue
                if spec.facts:
                    self.rows[spec.name] = 1
                elif spec.parent is not None:
                    self._size_below(spec)
                else:
                    self._size_referenced(spec)
                self._fill(spec)
                done.add(spec.name)
        return {
            spec.name: self.frames[spec.name] for spec in self.contract.tables if spec.name in self.frames
        }

    # --- sizes ----------------------------------------------------------------------------

    def _size_below(self, spec: TableSpec) -> None:
        """A table below the sample table (persons under households): rows per parent row."""
        assert spec.parent is not None
        parent = self.frames[spec.parent]
        per = spec.sample.get("per_parent", 1)
        if isinstance(per, str):
            if per not in parent.columns:
                raise SampleError(
                    f"sample of {spec.name}: per_parent '{per}' is not a column of {spec.parent}",
                    f"{spec.name} 的样例:per_parent '{per}' 不是 {spec.parent} 的列",
                )
            counts = parent.get_column(per).cast(pl.Int64).fill_null(0).to_numpy().clip(0)
        else:
            counts = self.rng.poisson(_number(per, spec, "per_parent"), parent.height).astype(np.int64)
        self.counts[spec.name] = counts.astype(np.int64)
        self.rows[spec.name] = int(counts.sum())

    def _size_referenced(self, spec: TableSpec) -> None:
        """A table with no parent that other tables reference (towns): one row per value used."""
        used: set[str] = set()
        for other in self.contract.tables:
            for col in other.columns:
                if col.references and col.references[0] == spec.name and other.name in self.frames:
                    used |= set(self.frames[other.name].get_column(col.name).to_list())
        self.rows[spec.name] = len(used) if used else int(spec.sample.get("rows", 10))
        if used:
            self.keys[spec.name] = sorted(used)

    # --- columns --------------------------------------------------------------------------

    def _fill(self, spec: TableSpec) -> None:
        n = self.rows[spec.name]
        frame = pl.DataFrame({"__row": np.arange(n, dtype=np.int64)})
        pending = list(spec.columns)
        for _ in range(len(spec.columns) + 1):
            waiting = []
            for col in pending:
                if not self._ready(col, spec, frame):
                    waiting.append(col)
                    continue
                frame = frame.with_columns(pl.Series(col.name, self._column(col, spec, frame)))
            pending = waiting
            if not pending:
                break
        if pending:
            names = ", ".join(c.name for c in pending)
            raise SampleError(
                f"sample of {spec.name}: columns wait on each other: {names}",
                f"{spec.name} 的样例:这些列相互等待,无法生成:{names}",
            )
        self.frames[spec.name] = frame.select(
            pl.col(c.name).cast(dtype(c)) if c.kind != "number" else pl.col(c.name) for c in spec.columns
        )

    def _ready(self, col: ColumnSpec, spec: TableSpec, frame: pl.DataFrame) -> bool:
        """Whether every column ``col`` is drawn from is there already."""
        needs = {c for c in (col.at_most, col.at_least) if c}
        hints = [col.sample, *col.sample.get("when", [])]
        for hint in hints:
            n = hint.get("binomial", {}).get("n") if isinstance(hint.get("binomial"), dict) else None
            if isinstance(n, str):
                needs.add(n)
            if isinstance(hint.get("if"), str):
                needs |= self._condition_columns(hint["if"], spec)
        return all(name in frame.columns for name in needs if name != col.name)

    def _condition_columns(self, text: str, spec: TableSpec) -> set[str]:
        try:
            return set(compile_expr(text, {c.name: c for c in spec.columns}, "bool").columns)
        except ExprError as exc:
            raise SampleError(
                f"sample of {spec.name}: '{text}': {exc}", f"{spec.name} 的样例:'{text}':{exc.zh or exc}"
            ) from None

    def _column(self, col: ColumnSpec, spec: TableSpec, frame: pl.DataFrame) -> pl.Series | list[Any]:
        if col.name == spec.id_column:
            return self.keys_of(spec)
        if col.name == spec.parent_column and spec.parent is not None:
            keys = self.keys_of(self.contract.table(spec.parent))
            return keys.gather(np.repeat(np.arange(keys.len()), self.counts[spec.name]))
        if col.tally is not None:
            return pl.Series(col.name, self._tally(col, spec))
        values = self._draw(col, col.sample, spec, frame)
        for case in reversed(col.sample.get("when", [])):
            mask = frame.select(self._condition(case["if"], spec)).to_series().fill_null(False).to_numpy()
            if mask.any():
                hint = {k: v for k, v in case.items() if k != "if"}
                merged = {**col.sample, **hint}
                if "values" in hint and "weights" not in hint:
                    merged.pop("weights", None)  # new values, equally likely unless weighed
                values = np.where(mask, self._draw(col, merged, spec, frame), values)
        return self._bounded(col, values, frame)

    def _condition(self, text: str, spec: TableSpec) -> pl.Expr:
        return compile_expr(text, {c.name: c for c in spec.columns}, "bool").expr

    def _tally(self, col: ColumnSpec, spec: TableSpec) -> IntArray:
        tally = col.tally
        assert tally is not None
        child = self.frames[tally.table]
        link = self.contract.table(tally.table).parent_column
        assert link is not None
        ids = self.keys_of(spec)
        figure = pl.len() if tally.sum is None else pl.col(tally.sum).sum()
        counted = child.group_by(link).agg(figure.cast(pl.Int64).alias("n"))
        lookup = pl.DataFrame({link: ids}).join(counted, on=link, how="left", maintain_order="left")
        result: IntArray = lookup.get_column("n").fill_null(0).to_numpy().astype(np.int64)
        return result

    def keys_of(self, spec: TableSpec) -> pl.Series:
        """The keys of ``spec``'s rows, known before its other columns are drawn (children are
        drawn before their parents, whose tallies count them)."""
        if spec.name in self.frames:
            return self.frames[spec.name].get_column(spec.id_column)
        if spec.name in self.keys:
            return pl.Series(self.keys[spec.name], dtype=pl.String)
        return _ids(spec.column(spec.id_column), spec, self.rows[spec.name])

    def _draw(self, col: ColumnSpec, hint: Mapping[str, Any], spec: TableSpec, frame: pl.DataFrame) -> Any:
        rng, n = self.rng, frame.height
        if "values" in hint:
            values = list(hint["values"])
            weights = np.asarray(hint.get("weights", [1.0] * len(values)), dtype=np.float64)
            if len(weights) != len(values) or weights.sum() <= 0:
                raise SampleError(
                    f"sample of {spec.name}.{col.name}: weights must match values",
                    f"{spec.name}.{col.name} 的样例:weights 须与 values 一一对应",
                )
            picked = np.asarray(values, dtype=object)[
                rng.choice(len(values), size=n, p=weights / weights.sum())
            ]
            blocks = int(hint.get("blocks", 0))
            if blocks and col.kind == "text":
                county = np.arange(n) // blocks
                suffix = np.where(county == 0, "", (county + 1).astype(str))
                picked = np.char.add(picked.astype(str), suffix).astype(object)
            return picked
        if col.kind == "bool":
            return rng.random(n) < float(hint.get("p", 0.9))
        if col.kind in ("int", "number"):
            return self._number(col, hint, spec, frame)
        if col.kind == "choice":
            return np.asarray(col.values, dtype=object)[rng.integers(0, len(col.values), n)]
        if col.kind == "date":
            start = dt.date(2022, 1, 1).toordinal()
            return [dt.date.fromordinal(start + int(d)) for d in rng.integers(0, 365, n)]
        if hint.get("name") == "person":
            return _names(rng, n)
        if "join" in hint:
            parts = [
                np.asarray(words, dtype=object)[rng.integers(0, len(words), n)] for words in hint["join"]
            ]
            joined = parts[0].astype(str)
            for part in parts[1:]:
                joined = np.char.add(joined, part.astype(str))
            return joined.astype(object)
        return np.asarray([f"{col.name}-{i + 1}" for i in range(n)], dtype=object)

    def _number(self, col: ColumnSpec, hint: Mapping[str, Any], spec: TableSpec, frame: pl.DataFrame) -> Any:
        rng, n = self.rng, frame.height
        low = float(col.minimum) if col.minimum is not None else 0.0
        if isinstance(hint.get("binomial"), dict):
            b = hint["binomial"]
            trials = b.get("n", 1)
            counts = (
                frame.get_column(trials).to_numpy().astype(np.int64) if isinstance(trials, str) else trials
            )
            values: Any = rng.binomial(np.maximum(counts, 0), float(b.get("p", 0.5)), n)
        elif "uniform" in hint:
            lo, hi = (float(v) for v in hint["uniform"])
            values = rng.uniform(lo, hi, n)
        else:
            high = float(col.maximum) if col.maximum is not None else low + 10
            if col.at_most and col.at_most in frame.columns:
                high = np.minimum(frame.get_column(col.at_most).cast(pl.Float64).to_numpy(), high)
            values = low + rng.random(n) * (np.asarray(high) - low + (1 if col.kind == "int" else 0))
        values = np.asarray(values, dtype=np.float64)
        if "floor" in hint:
            values = np.maximum(values, float(hint["floor"]))
        if "zero" in hint:
            values = np.where(rng.random(n) < float(hint["zero"]), 0.0, values)
        return values

    def _bounded(self, col: ColumnSpec, values: Any, frame: pl.DataFrame) -> pl.Series | list[Any]:
        """``values`` within the column's bounds and the columns of its row it may not pass."""
        if col.kind not in ("int", "number"):
            return pl.Series(col.name, values, dtype=dtype(col) if col.kind != "date" else pl.Date)
        numbers = np.asarray(values, dtype=np.float64)
        numbers = np.floor(numbers) if col.kind == "int" else np.round(numbers, col.places)
        if col.minimum is not None:
            numbers = np.maximum(numbers, float(col.minimum))
        if col.maximum is not None:
            numbers = np.minimum(numbers, float(col.maximum))
        if col.at_most:
            numbers = np.minimum(numbers, frame.get_column(col.at_most).cast(pl.Float64).to_numpy())
        if col.at_least:
            numbers = np.maximum(numbers, frame.get_column(col.at_least).cast(pl.Float64).to_numpy())
        if col.kind == "int":
            return pl.Series(col.name, numbers.astype(np.int64))
        return pl.Series(col.name, [f"{v:.{col.places}f}" for v in numbers]).cast(dtype(col))


def _number(value: Any, spec: TableSpec, key: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SampleError(
            f"sample of {spec.name}: {key} must be a number, found {value!r}",
            f"{spec.name} 的样例:{key} 须为数字,实为 {value!r}",
        ) from None
    if not number > 0 or math.isinf(number):
        raise SampleError(
            f"sample of {spec.name}: {key} must be above 0", f"{spec.name} 的样例:{key} 须大于 0"
        )
    return number


def _sizes(rng: np.random.Generator, total: int, parents: int, spread: float) -> IntArray:
    """Rows per parent row adding up to ``total``: lognormal around the mean, at least one each
    where there are enough rows (largest remainders keep the sum exact)."""
    weights = rng.lognormal(0.0, spread, parents) if spread > 0 else np.ones(parents)
    if total >= parents:
        return _apportion(weights, total - parents) + 1
    return _apportion(weights, total)


def _apportion(want: npt.NDArray[np.float64], total: int) -> IntArray:
    """Whole numbers near ``want`` (scaled) that add up to ``total`` (largest remainders)."""
    if total == 0:
        return np.zeros(want.shape[0], dtype=np.int64)
    scaled = want * (total / want.sum())
    out: IntArray = np.floor(scaled).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        out[np.argsort(-(scaled - out), kind="stable")[:short]] += 1
    return out


def _ids(col: ColumnSpec, spec: TableSpec, n: int) -> pl.Series:
    """A key's values: the hint's prefix + 1..n zero-padded (wider when n needs it)."""
    found = col.sample.get("id")
    hint: dict[str, Any] = found if isinstance(found, dict) else {}
    prefix = str(hint.get("prefix", spec.name[:1].upper() + "-"))
    digits = max(int(hint.get("digits", 3)), len(str(n)))
    numbers = pl.int_range(1, n + 1, eager=True, dtype=pl.Int64).cast(pl.String).str.zfill(digits)
    return prefix + numbers


def _names(rng: np.random.Generator, n: int) -> pl.Series:
    """Made-up Chinese names: a common surname and one or two given-name characters."""
    surnames = pl.Series(list(SURNAMES))
    given = pl.Series(list(GIVEN_CHARS))
    rank = np.arange(1, len(SURNAMES) + 1, dtype=np.float64)
    weight = 1.0 / (rank + 8.0)  # the common surnames are far more common
    family = surnames.gather(rng.choice(len(SURNAMES), size=n, p=weight / weight.sum()))
    first = given.gather(rng.integers(0, len(GIVEN_CHARS), n))
    second_index = rng.integers(0, len(GIVEN_CHARS) + 1, n)  # the extra index is "no second char"
    second = pl.Series([*GIVEN_CHARS, ""]).gather(
        np.where(rng.random(n) < 0.72, second_index, len(GIVEN_CHARS))
    )
    return family + first + second


# --- files -------------------------------------------------------------------------------------


def write(
    out_dir: Path,
    frames: Mapping[str, pl.DataFrame],
    contract: Contract,
    *,
    headers: Literal["en", "zh"] = "en",
    encoding: Literal["utf-8", "gb18030"] = "utf-8",
) -> list[Path]:
    """Write ``<table>.csv`` for each data table into ``out_dir`` (created if missing), and the
    county facts as ``submission.yaml`` when the contract has a facts table. Booleans and
    choices are written as the header language writes them (true/false or 是/否)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in contract.data_tables:
        if spec.name not in frames:
            continue
        out = for_csv(frames[spec.name], spec, headers)
        path = out_dir / spec.file_name
        if encoding == "utf-8":
            out.write_csv(path)
        else:
            _write_encoded(out, path, encoding)
        written.append(path)
    facts = contract.facts
    if facts is not None and facts.name in frames:
        row = for_csv(frames[facts.name], facts, headers).row(0, named=True)
        lines = ["facts:"] + [f"  {key}: {value}" for key, value in row.items()]
        path = out_dir / "submission.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _word(words: tuple[str, ...], chinese: bool) -> str:
    """The first Chinese (or other) spelling among ``words``."""
    found = [w for w in words if (not w.isascii()) == chinese]
    return (found or list(words))[0]


def for_csv(frame: pl.DataFrame, spec: TableSpec, headers: Literal["en", "zh"]) -> pl.DataFrame:
    """``frame`` in contract order, with Chinese headers and cell words when asked."""
    frame = frame.select(spec.names)
    zh = headers == "zh"
    exprs: list[pl.Expr] = []
    for col in spec.columns:
        expr = pl.col(col.name)
        if col.kind == "bool":
            yes, no = _word(col.true_words, zh), _word(col.false_words, zh)
            expr = pl.when(expr).then(pl.lit(yes)).when(expr.not_()).then(pl.lit(no))
        elif col.kind == "choice" and zh:
            spelled = {v: _word(tuple(w for w, x in col.choices.items() if x == v), True) for v in col.values}
            expr = expr.replace_strict(spelled, return_dtype=pl.String)
        exprs.append(expr.alias(col.zh if zh else col.name))
    return frame.select(exprs)


def _write_encoded(frame: pl.DataFrame, path: Path, encoding: str) -> None:
    """Write ``frame`` as CSV in ``encoding``, a block of rows at a time."""
    with path.open("wb") as fh:
        for start in range(0, max(frame.height, 1), BATCH_ROWS):
            text = frame.slice(start, BATCH_ROWS).write_csv(include_header=start == 0)
            fh.write(text.encode(encoding))
