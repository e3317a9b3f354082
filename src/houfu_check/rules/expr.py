"""Safe rule expressions: a small, typed language turned into polars expressions.

An expression is parsed with Python's ``ast`` module (which never runs anything) and only
these forms are accepted::

    column names of the rule's table      labor_count, police_post, first_secretary
    literals                              2, 99.5, 85%, 'office', true, false
    comparisons                           ==  (or =)  !=  <  <=  >  >=
    boolean operators                     and  or  not
    arithmetic on numbers                 +  -  *   (yes/no counts as 1/0: shop + hall >= 2)
    a share, exactly, in a comparison     a / b >= 85%   (b is 0: the unit is left out)
    a choice between values               members if monitored else 0
    parentheses
    per_year(N), in an annual rule        the share of N due by the period's end (rounded up)
    aggregates over a table below         sum(households, members)        Σ over the unit's rows
    the rule's (households of a           count(households)               how many rows
    community, communities of a town)     count(households, monitored)    how many rows meet it
                                          any(communities, star_rating == 5)   at least one does
                                          all(households, pension_insured >= pension_eligible)
    plan constants                        plan.province_income   (``constants:`` of the pack,
                                                                  or of submission.yaml)

An aggregate reads rows of another table that belong to the rule's unit (a household belongs
to its community and to the community's town); its expression is written in that table's
columns. A unit without such rows has a sum and count of 0, ``any`` false and ``all`` true.
Whole-number arithmetic on aggregates is done in 128 bits.

Every name is checked against the data contract, and every operator against its operands'
types, when the rule file is loaded. Anything else (other calls, attributes, subscripts,
lambdas, ...) is refused with a message naming what was found.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import polars as pl

from houfu_check.pack.contract import MAX_DIGITS, ColumnSpec

Type = Literal["bool", "int", "str", "date"]

MAX_LENGTH = 500
MAX_DEPTH = 24
MAX_LITERAL = 10**12

_SINGLE_EQUALS = re.compile(r"(?<![<>=!])=(?!=)")
_COMPARE: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}


def _double_equals(text: str) -> str:
    """``a = 1`` read as ``a == 1``: a single ``=`` outside string literals ('office=x' keeps it)."""
    out: list[str] = []
    quote: str | None = None
    for i, ch in enumerate(text):
        if quote is None and ch in "'\"":
            quote = ch
        elif ch == quote:
            quote = None
        if quote is None and ch == "=" and _SINGLE_EQUALS.match(text, i):
            out.append("==")
        else:
            out.append(ch)
    return "".join(out)


_PERCENT = re.compile(r"(?<![\w.])([0-9]+(?:\.[0-9]+)?)\s*%")


def _percent_literals(text: str) -> str:
    """``85%`` read as ``(85 / 100)``, an exact fraction (outside string literals)."""
    out, start, quote = [], 0, None
    for i, ch in enumerate(text + "\0"):
        if quote is None and ch in "'\"\0":
            out.append(_PERCENT.sub(r"(\1 / 100)", text[start:i]))
            start, quote = i, (ch if ch != "\0" else None)
        elif ch == quote:
            out.append(text[start : i + 1])
            start, quote = i + 1, None
    return "".join(out)


class ExprError(ValueError):
    """An expression that is not valid; the message says why, ``zh`` the same in Chinese (the
    rule file's problem shows it under ``--lang zh``)."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh


#: The aggregate functions: name → (the type of the value, the type its expression must have).
AGGREGATES: dict[str, tuple[Type, Type | None]] = {
    "sum": ("int", "int"),
    "count": ("int", "bool"),
    "any": ("bool", "bool"),
    "all": ("bool", "bool"),
}
#: Bound on the rows an aggregate reads (far beyond any table that fits in memory).
MAX_ROWS = 2**40
_SAFE_WIDE = 2**126


@dataclass(frozen=True)
class Aggregate:
    """``sum(households, members)``: a figure of the unit from the rows of table ``table``.

    ``name`` is its canonical text, and the name of the column it becomes on the unit's row.
    """

    name: str
    function: str
    table: str
    inner: Compiled | None  # None: count(table), every row

    def polars(self) -> pl.Expr:
        """The aggregation over one unit's rows (a group)."""
        if self.inner is None:
            return pl.len().cast(pl.Int128).alias(self.name)
        expr = self.inner.expr
        if self.function == "sum":
            value = expr.cast(pl.Int64) if self.inner.type == "bool" else expr
            return (value if self.inner.decimal else value.cast(pl.Int128)).sum().alias(self.name)
        # a row whose share divides by 0 is left out: it counts for neither side
        if self.function == "count":
            return expr.fill_null(False).cast(pl.Int128).sum().alias(self.name)
        if self.function == "any":
            return expr.fill_null(False).any().alias(self.name)
        return expr.fill_null(True).all().alias(self.name)

    def empty(self) -> pl.Expr:
        """The value for a unit without rows: 0, false for any, true for all."""
        if self.function == "any":
            return pl.lit(False)
        if self.function == "all":
            return pl.lit(True)
        if self.inner is not None and self.inner.decimal:
            return pl.lit(Decimal(0))
        return pl.lit(0, dtype=pl.Int128)


@dataclass(frozen=True)
class Compiled:
    """A checked expression: its polars form, its type and the columns it reads."""

    expr: pl.Expr
    type: Type
    columns: frozenset[str]
    text: str
    decimal: bool = False  # a number of it is a decimal (a number column or literal): not whole
    nullable: bool = False  # a division by 0 (or a negative divisor) leaves a row without a value
    aggregates: tuple[Aggregate, ...] = ()  # figures from the rows of tables below the unit's
    magnitude: int | None = None  # a bound on a row's absolute value (a whole number's; None: none known)


def compile_expr(
    text: str,
    columns: dict[str, ColumnSpec],
    want: Type | None = None,
    per_year: Callable[[int], int] | None = None,
    elsewhere: Mapping[str, str] | None = None,
    below: Mapping[str, Mapping[str, ColumnSpec]] | None = None,
    constants: Mapping[str, Fraction] | None = None,
) -> Compiled:
    """Check ``text`` against ``columns`` and return it as a polars expression.

    ``want`` is the type the caller needs (``bool`` for conditions, ``int`` for sums).
    ``per_year`` gives ``per_year(N)`` its value (the period's share of N); None refuses it.
    ``elsewhere`` maps the columns of the pack's other tables to their table, for messages.
    ``below`` the tables whose rows belong to a unit (aggregates read them), with their columns.
    ``constants`` the plan's constants (``plan.NAME``), exact.
    Raises :class:`ExprError` with a readable reason.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExprError("expected an expression, found nothing", zh="应为表达式,但这里是空的")
    if len(text) > MAX_LENGTH:
        raise ExprError(
            f"expression is longer than {MAX_LENGTH} characters",
            zh=f"表达式超过 {MAX_LENGTH} 个字符;请简化表达式",
        )
    source = _percent_literals(_double_equals(text.strip()))
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExprError(
            f"cannot parse '{text}': {exc.msg}", zh=f"无法解析表达式 '{text}':{_syntax_zh(exc.msg)}"
        ) from None
    except (RecursionError, MemoryError):
        raise ExprError("expression is nested too deeply", zh="表达式嵌套层数过多") from None
    wide = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in AGGREGATES
        for n in ast.walk(tree)
    )
    builder = _Builder(columns, per_year, source, elsewhere or {}, below or {}, constants or {}, wide)
    expr, typ = builder.build(tree.body, 0)
    _check_magnitudes(tree.body, _SAFE_WIDE if wide else _SAFE, constants)
    if want is not None and typ != want:
        raise ExprError(
            f"'{text}' is {_NAMES[typ]}; expected {_NAMES[want]}",
            zh=f"'{text}' 是{_NAMES_ZH[typ]};此处应为{_NAMES_ZH[want]}",
        )
    aggregates = tuple(builder.aggregates.values())
    magnitude = _magnitude(tree.body, constants) if typ == "int" else None
    return Compiled(
        expr, typ, frozenset(builder.used), text, builder.decimal, builder.nullable, aggregates, magnitude
    )


_NAMES: dict[Type, str] = {
    "bool": "a condition (true/false)",
    "int": "a number",
    "str": "text",
    "date": "a date",
}
_NAMES_ZH: dict[Type, str] = {
    "bool": "条件(真/假)",
    "int": "数值",
    "str": "文本",
    "date": "日期",
}

#: Python's words for an expression it cannot read, in Chinese (others are shown as they are)
_SYNTAX_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), t)
    for p, t in [
        (r"invalid syntax", "语法错误"),
        (r"invalid syntax\. Perhaps you forgot a comma\?", "语法错误;是否漏了逗号?"),
        (r"'(.)' was never closed", "'{1}' 没有对应的结束括号"),
        (r"unmatched '(.)'", "多了一个 '{1}'"),
        (
            r"closing parenthesis '(.)' does not match opening parenthesis '(.)'.*",
            "结束括号 '{1}' 与开始括号 '{2}' 不配对",
        ),
        (r"unterminated string literal.*", "文本缺少结束的引号"),
        (r"invalid decimal literal", "数字写法无效"),
        (r"leading zeros in decimal integer literals are not permitted.*", "整数不能以 0 开头"),
        (r"too many nested parentheses", "括号嵌套过多"),
        (
            r"invalid character '(.)' \((U\+[0-9A-F]+)\)",
            "无效字符 '{1}'({2});运算符、括号和引号请用半角(英文)符号",
        ),
        (r"invalid non-printable character (U\+[0-9A-F]+)", "不可见的无效字符 {1};请删除它"),
    ]
]


def _syntax_zh(msg: str) -> str:
    """The Chinese of a message of Python's parser (in parentheses as it is, where it has none)."""
    for pattern, template in _SYNTAX_ZH:
        match = pattern.fullmatch(msg)
        if match:
            return template.format(None, *match.groups())
    return f"语法错误({msg})"


def _date_sides(left: ast.AST, right: ast.AST, lexpr: pl.Expr, rexpr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A date column against a 'YYYY-MM-DD' literal: the literal becomes a date."""
    import datetime as dt

    for node, is_left in ((left, True), (right, False)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                day = dt.date.fromisoformat(node.value.strip())
            except ValueError:
                raise ExprError(
                    f"'{node.value}' is not a date; write dates as 'YYYY-MM-DD'",
                    zh=f"'{node.value}' 不是日期;日期请写成 'YYYY-MM-DD'",
                ) from None
            return (pl.lit(day), rexpr) if is_left else (lexpr, pl.lit(day))
    raise ExprError(
        "a date can be compared with another date column or a 'YYYY-MM-DD' literal",
        zh="日期只能与另一个日期列比较,或与写成 'YYYY-MM-DD' 的日期比较",
    )


class _Builder:
    def __init__(
        self,
        columns: dict[str, ColumnSpec],
        per_year: Callable[[int], int] | None,
        source: str = "",
        elsewhere: Mapping[str, str] | None = None,
        below: Mapping[str, Mapping[str, ColumnSpec]] | None = None,
        constants: Mapping[str, Fraction] | None = None,
        wide: bool = False,
    ) -> None:
        self.columns = columns
        self.decimal = False
        self.nullable = False
        self.elsewhere = elsewhere or {}
        self.below = below or {}
        self.constants = constants or {}
        self.wide = wide  # whole numbers in 128 bits: the expression adds up many rows
        # every whole number of a wide expression (columns, numbers written, yes/no as 1 or 0,
        # per_year): one 64-bit step before the first 128-bit one could wrap
        self.whole: pl.DataType = pl.Int128() if wide else pl.Int64()
        self.source = source
        self.per_year = per_year
        self.used: set[str] = set()
        self.aggregates: dict[str, Aggregate] = {}

    def build(self, node: ast.AST, depth: int) -> tuple[pl.Expr, Type]:
        if depth > MAX_DEPTH:
            raise ExprError("expression is nested too deeply", zh="表达式嵌套层数过多")
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExprError(
                f"{_describe(node)} is not allowed in a rule expression",
                zh=f"规则表达式中不能使用{_describe_zh(node)}",
            )
        result: tuple[pl.Expr, Type] = method(node, depth + 1)
        return result

    def _Name(self, node: ast.Name, depth: int) -> tuple[pl.Expr, Type]:
        if not node.id.isascii() or self.source_of(node) != node.id:  # Python folds ｌａｂｏｒ to labor
            written = self.source_of(node)
            named = next((c.name for c in self.columns.values() if written in c.headers), None)
            hint = f"; write the column's name: {named}" if named else "; write names in plain letters"
            hint_zh = f";请写列名 {named}" if named else ";名称请用半角英文字母书写"
            raise ExprError(f"'{written}' is not a column name{hint}", zh=f"'{written}' 不是列名{hint_zh}")
        if node.id in ("true", "True"):
            return pl.lit(True), "bool"
        if node.id in ("false", "False"):
            return pl.lit(False), "bool"
        col = self.columns.get(node.id)
        if col is None:
            unknown, unknown_zh = self._unknown(node.id)
            raise ExprError(unknown, zh=unknown_zh)
        if col.personal:
            raise ExprError(
                f"column '{node.id}' is personal data and cannot be used in rules",
                zh=f"列 '{node.id}' 是个人信息,不能用于规则",
            )
        self.used.add(col.name)
        self.decimal = self.decimal or col.kind == "number"
        # whole and decimal numbers are both numbers here; sums stay exact (Int64, Decimal)
        typ: Type = (
            "bool"
            if col.kind == "bool"
            else "int"
            if col.numeric
            else "date"
            if col.kind == "date"
            else "str"
        )
        if self.wide and col.kind == "int":
            return pl.col(col.name).cast(pl.Int128), typ
        return pl.col(col.name), typ

    def _unknown(self, name: str) -> tuple[str, str]:
        """Why ``name`` is no column here (in English and Chinese): another table's column, or
        the nearest name."""
        import difflib

        if name in self.elsewhere:
            table = self.elsewhere[name]
            if table in self.below:
                return (
                    f"unknown column '{name}': it is a column of {table}, a table below the rule's; "
                    f"add its rows up with an aggregate, e.g. sum({table}, {name})",
                    f"未知的列 '{name}':它是下级表 {table} 的列;请用汇总函数把各行加起来,"
                    f"例如 sum({table}, {name})",
                )
            return (
                f"unknown column '{name}': it is a column of {table}, not of the rule's "
                "table; set the rule's table, or use a column of this one",
                f"未知的列 '{name}':它是表 {table} 的列,不是本规则所核查的表的列;"
                "请改规则的 table,或改用本表的列",
            )
        close = difflib.get_close_matches(name, list(self.columns), n=1, cutoff=0.6)
        return (
            f"unknown column '{name}'" + (f"; did you mean '{close[0]}'?" if close else ""),
            f"未知的列 '{name}'" + (f";是否应为 '{close[0]}'?" if close else ""),
        )

    def source_of(self, node: ast.AST) -> str:
        """The text a node was parsed from, as written."""
        return ast.get_source_segment(self.source, node) or ""

    def _Constant(self, node: ast.Constant, depth: int) -> tuple[pl.Expr, Type]:
        value = node.value
        if isinstance(value, bool):
            return pl.lit(value), "bool"
        if isinstance(value, int):
            if abs(value) > MAX_LITERAL:
                raise ExprError(
                    f"number {value} is too large; rules compare numbers up to {MAX_LITERAL:,}",
                    zh=f"数字 {value} 太大;规则中的数字最大为 {MAX_LITERAL:,}",
                )
            return pl.lit(value, dtype=self.whole), "int"
        if isinstance(value, str):
            return pl.lit(value), "str"
        if isinstance(value, float):  # a decimal, exactly as written (never a binary float)
            written = self.source_of(node)
            number = Decimal(written) if re.fullmatch(r"[0-9]{1,12}\.[0-9]{1,6}", written) else None
            if number is None:
                raise ExprError(
                    f"number {written} is not allowed; write decimals as 12.5 (at most 6 places)",
                    zh=f"数字不能写成 {written};小数请写成 12.5 这样(最多 6 位小数)",
                )
            self.decimal = True
            return pl.lit(number), "int"
        raise ExprError(
            f"literal {value!r} is not allowed; use numbers, 'text', true, false",
            zh=f"不能使用值 {value!r};请用数字、带引号的文本('文本')、true 或 false",
        )

    def _Call(self, node: ast.Call, depth: int) -> tuple[pl.Expr, Type]:
        """``per_year(N)``, or an aggregate over a table below: ``sum(households, members)``."""
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in AGGREGATES:
            return self._aggregate(node, str(name), depth)
        if name != "per_year":
            allowed = ", ".join(f"{f}(table, …)" for f in AGGREGATES)
            allowed_zh = ", ".join(f"{f}(表, …)" for f in AGGREGATES)
            raise ExprError(
                f"{_describe(node)} is not allowed in a rule expression; the functions are "
                f"{allowed} and per_year(N)",
                zh=f"规则表达式中不能使用{_describe_zh(node)};可用的函数只有 {allowed_zh} 和 per_year(N)",
            )
        arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
        if (
            not isinstance(arg, ast.Constant)
            or type(arg.value) is not int
            or not 0 <= arg.value <= MAX_LITERAL
        ):
            raise ExprError(
                "per_year takes one whole number, e.g. per_year(2)",
                zh="per_year 只接受一个整数,例如 per_year(2)",
            )
        if self.per_year is None:
            raise ExprError(
                "per_year(N) is for annual targets: add 'annual: true' to the rule",
                zh="per_year(N) 只用于全年目标:请在规则中加上 'annual: true'",
            )
        return pl.lit(self.per_year(arg.value), dtype=self.whole), "int"

    def _aggregate(self, node: ast.Call, function: str, depth: int) -> tuple[pl.Expr, Type]:
        """An aggregate: its expression is checked against the columns of the table it reads,
        and it becomes a column of the unit's row (computed by :mod:`houfu_check.units`)."""
        result, wants = AGGREGATES[function]
        written = self.source_of(node)
        example = f"{function}({next(iter(self.below), 'table')}, <column or condition>)"
        example_zh = f"{function}({next(iter(self.below), '表')}, <列或条件>)"
        form = (
            f"'{written}': write {function}(table, expression), e.g. {example}",
            f"'{written}':请写成 {function}(表, 表达式),例如 {example_zh}",
        )
        if node.keywords or not 1 <= len(node.args) <= 2 or not isinstance(node.args[0], ast.Name):
            raise ExprError(form[0], zh=form[1])
        table = node.args[0].id
        if table not in self.below:
            tables = ", ".join(self.below) or "none"
            raise ExprError(
                f"'{written}': {table} is not a table whose rows belong to the rule's units "
                f"(tables below this one: {tables})",
                zh=f"'{written}':{table} 不是下级表,它的各行不属于本规则的单位"
                f"(本表的下级表:{', '.join(self.below) or '无'})",
            )
        inner: Compiled | None = None
        if len(node.args) == 2:
            builder = _Builder(
                dict(self.below[table]), None, self.source, self.elsewhere, {}, self.constants, wide=True
            )
            expr, typ = builder.build(node.args[1], depth)
            if typ == "bool" and wants == "int":  # sum of a yes/no: how many
                pass
            elif typ != wants:
                raise ExprError(
                    f"'{written}': {function} needs {_NAMES[wants or 'int']}, "
                    f"found {_NAMES[typ]} in '{ast.unparse(node.args[1])}'",
                    zh=f"'{written}':{function} 需要{_NAMES_ZH[wants or 'int']},"
                    f"而 '{ast.unparse(node.args[1])}' 是{_NAMES_ZH[typ]}",
                )
            inner = Compiled(
                expr,
                typ,
                frozenset(builder.used),
                ast.unparse(node.args[1]),
                builder.decimal,
                builder.nullable,
            )
        elif function != "count":
            raise ExprError(form[0], zh=form[1])
        canonical = f"{function}({table})" if inner is None else f"{function}({table}, {inner.text})"
        agg = Aggregate(canonical, function, table, inner)
        self.aggregates[canonical] = agg
        self.used.add(canonical)
        if result == "int" and inner is not None and inner.decimal and function == "sum":
            self.decimal = True
        return pl.col(canonical), result

    def _Attribute(self, node: ast.Attribute, depth: int) -> tuple[pl.Expr, Type]:
        """``plan.NAME``: a constant of the plan (exact; a decimal stays a decimal)."""
        written = self.source_of(node)
        if not (isinstance(node.value, ast.Name) and node.value.id == "plan"):
            raise ExprError(
                f"'{written}': attribute access is not allowed; "
                "the only dotted names are the plan's constants, plan.NAME",
                zh=f"'{written}':不能使用属性访问;带点的名称只能是方案常量 plan.NAME",
            )
        value = self.constants.get(node.attr)
        if value is None:
            known = ", ".join(f"plan.{k}" for k in self.constants) or "none (add constants: to the pack)"
            known_zh = ", ".join(f"plan.{k}" for k in self.constants) or "无(请在方案包中加上 constants:)"
            raise ExprError(
                f"'{written}' is not a constant of the plan; constants: {known}",
                zh=f"'{written}' 不是方案的常量;常量有:{known_zh}",
            )
        if value.denominator == 1:
            return pl.lit(int(value), dtype=self.whole), "int"
        self.decimal = True
        return pl.lit(Decimal(value.numerator) / Decimal(value.denominator)), "int"

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> tuple[pl.Expr, Type]:
        parts = [self._expect(v, "bool", depth) for v in node.values]
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if isinstance(node.op, ast.And) else (out | part)
        return out, "bool"

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> tuple[pl.Expr, Type]:
        if isinstance(node.op, ast.Not):
            return ~self._expect(node.operand, "bool", depth), "bool"
        if isinstance(node.op, ast.USub):
            return -self._expect(node.operand, "int", depth), "int"
        raise ExprError(
            f"operator {_describe(node.op)} is not allowed", zh=f"不能使用运算符 {_describe_zh(node.op)}"
        )

    def _BinOp(self, node: ast.BinOp, depth: int) -> tuple[pl.Expr, Type]:
        if isinstance(node.op, ast.Div):
            raise ExprError(
                f"'{ast.unparse(node)}': '/' is for a share in a comparison, e.g. 'a / b >= 85%'",
                zh=f"'{ast.unparse(node)}':'/' 只用于比较中的占比,例如 'a / b >= 85%'",
            )
        left = self._number(node.left, depth)
        right = self._number(node.right, depth)
        if isinstance(node.op, ast.Add):
            return left + right, "int"
        if isinstance(node.op, ast.Sub):
            return left - right, "int"
        if isinstance(node.op, ast.Mult):
            return self._times(left, node.left, right, node.right), "int"
        raise ExprError(
            f"operator {_describe(node.op)} is not allowed; use + - *",
            zh=f"不能使用运算符 {_describe_zh(node.op)};算术只能用 + - *",
        )

    def _times(self, left: pl.Expr, lnode: ast.AST, right: pl.Expr, rnode: ast.AST) -> pl.Expr:
        """``left × right``, exactly: a product of two decimals keeps every decimal place (the
        data frame library keeps only the larger scale of the two, which would drop digits)."""
        ls, rs = self.scale_of(lnode), self.scale_of(rnode)
        if not (ls and rs):
            return left * right
        scale = ls + rs
        digits = len(
            str(max(_magnitude(lnode, self.constants), 1) * max(_magnitude(rnode, self.constants), 1))
        )
        if digits + scale > 38:
            product = f"{ast.unparse(lnode)} * {ast.unparse(rnode)}"
            raise ExprError(
                f"'{product}' has too many digits and decimal places "
                "to be computed exactly; use fewer decimal places or smaller factors",
                zh=f"'{product}' 的位数和小数位数太多,无法精确计算;请减少小数位数或使用较小的因数",
            )
        wide = pl.Decimal(38, scale)
        return left.cast(wide) * right.cast(wide)

    def scale_of(self, node: ast.AST) -> int:
        """How many decimal places a number expression has (0: a whole number)."""
        if isinstance(node, ast.Name):
            col = self.columns.get(node.id)
            return col.places if col is not None and col.kind == "number" else 0
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            return len(self.source_of(node).partition(".")[2])
        if isinstance(node, ast.Attribute):
            value = self.constants.get(node.attr)
            return next((k for k in range(13) if value is not None and (value * 10**k).denominator == 1), 0)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum":
            table = node.args[0].id if node.args and isinstance(node.args[0], ast.Name) else ""
            if len(node.args) == 2 and table in self.below:
                inner = _Builder(dict(self.below[table]), None, self.source, constants=self.constants)
                return inner.scale_of(node.args[1])
            return 0
        if isinstance(node, ast.UnaryOp):
            return self.scale_of(node.operand)
        if isinstance(node, ast.BinOp):
            ls, rs = self.scale_of(node.left), self.scale_of(node.right)
            return ls + rs if isinstance(node.op, ast.Mult) else max(ls, rs)
        if isinstance(node, ast.IfExp):
            return max(self.scale_of(node.body), self.scale_of(node.orelse))
        return 0

    def _number(self, node: ast.AST, depth: int) -> pl.Expr:
        """A number; a yes/no counts as 1 or 0 (``shop + storeroom + hall >= 2``)."""
        expr, typ = self.build(node, depth)
        if typ == "bool":
            return expr.cast(self.whole)
        if typ != "int":
            raise ExprError(
                f"'{ast.unparse(node)}' is {_NAMES[typ]}; expected a number",
                zh=f"'{ast.unparse(node)}' 是{_NAMES_ZH[typ]};此处应为数值",
            )
        return expr

    def _IfExp(self, node: ast.IfExp, depth: int) -> tuple[pl.Expr, Type]:
        """``a if condition else b``: both values of one type."""
        test = self._expect(node.test, "bool", depth)
        (yes, ytype), (no, ntype) = self.build(node.body, depth), self.build(node.orelse, depth)
        if ytype != ntype:
            raise ExprError(
                f"'{ast.unparse(node)}': both values must be {_NAMES[ytype]}",
                zh=f"'{ast.unparse(node)}':两个取值必须同为{_NAMES_ZH[ytype]}",
            )
        return pl.when(test).then(yes).otherwise(no), ytype

    def _fraction(self, node: ast.AST, depth: int) -> tuple[pl.Expr, pl.Expr | None]:
        """A side of a comparison as numerator and denominator (None: a whole number)."""
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)):
            return self._number(node, depth), None
        written = ast.unparse(node)
        if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Div):
            raise ExprError(
                f"'{written}': one '/' per side of a comparison", zh=f"'{written}':比较的每一边只能有一个 '/'"
            )
        divisor = node.right
        if isinstance(divisor, ast.UnaryOp) and isinstance(divisor.op, ast.USub):
            raise ExprError(
                f"'{written}': a share divides by a number above 0", zh=f"'{written}':占比的除数必须大于 0"
            )
        if isinstance(divisor, ast.Constant) and not divisor.value:
            raise ExprError(
                f"'{written}' divides by 0; a share divides by a number above 0",
                zh=f"'{written}' 除以 0;占比的除数必须大于 0",
            )
        fixed = not any(isinstance(n, ast.Name | ast.Call | ast.Attribute) for n in ast.walk(divisor))
        if fixed and not isinstance(divisor, ast.Constant):  # (1 - 1): write the number itself
            raise ExprError(
                f"'{written}': write a fixed divisor as one number above 0",
                zh=f"'{written}':固定的除数请直接写成一个大于 0 的数",
            )
        return self._number(node.left, depth), self._number(node.right, depth)

    def _divided(self, node: ast.Compare, depth: int) -> tuple[pl.Expr, Type]:
        """``a / b >= c / d`` compared exactly, as ``a × d >= c × b`` where b and d are above 0
        (a divisor of 0 or below leaves the row without a value: it is out of the rule)."""
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            raise ExprError(
                f"'{ast.unparse(node)}': compare a share once, e.g. 'a / b >= 85%'",
                zh=f"'{ast.unparse(node)}':占比只能比较一次,例如 'a / b >= 85%'",
            )
        symbol = _COMPARE[type(node.ops[0])]
        (a, b), (c, d) = self._fraction(node.left, depth), self._fraction(node.comparators[0], depth)
        (an, bn), (cn, dn) = _parts(node.left), _parts(node.comparators[0])
        left = a if d is None or dn is None else self._times(a, an, d, dn)
        right = c if b is None or bn is None else self._times(c, cn, b, bn)
        positive = [den > 0 for den in (b, d) if den is not None and not _is_literal(den)]
        result = _apply(symbol, left, right)
        if positive:
            self.nullable = True
            result = pl.when(pl.all_horizontal(positive)).then(result)
        return result, "bool"

    def _Compare(self, node: ast.Compare, depth: int) -> tuple[pl.Expr, Type]:
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExprError(
                    f"comparison {_describe(op)} is not allowed", zh=f"不能使用比较 {_describe_zh(op)}"
                )
        operands = [node.left, *node.comparators]
        if any(isinstance(o, ast.BinOp) and isinstance(o.op, ast.Div) for o in operands):
            return self._divided(node, depth)
        built = [self.build(o, depth) for o in operands]
        result: pl.Expr | None = None
        for i, op in enumerate(node.ops):
            symbol = _COMPARE[type(op)]
            (lexpr, ltype), (rexpr, rtype) = built[i], built[i + 1]
            if {ltype, rtype} == {"date", "str"}:
                lexpr, rexpr = _date_sides(operands[i], operands[i + 1], lexpr, rexpr)
                ltype = rtype = "date"
            if ltype != rtype:
                compared = f"{ast.unparse(operands[i])} {symbol} {ast.unparse(operands[i + 1])}"
                raise ExprError(
                    f"cannot compare {_NAMES[ltype]} with {_NAMES[rtype]} in '{compared}'",
                    zh=f"'{compared}' 中的{_NAMES_ZH[ltype]}和{_NAMES_ZH[rtype]}不能相比较",
                )
            if ltype not in ("int", "date") and symbol not in ("==", "!="):
                raise ExprError(
                    f"'{symbol}' needs numbers; {_NAMES[ltype]} takes only == and !=",
                    zh=f"'{symbol}' 只用于比较数值;{_NAMES_ZH[ltype]}只能用 == 和 != 比较",
                )
            if ltype == "str":
                lexpr, rexpr = self._choice_sides(operands[i], operands[i + 1], lexpr, rexpr)
            step = _apply(symbol, lexpr, rexpr)
            result = step if result is None else result & step
        assert result is not None
        return result, "bool"

    def _choice_sides(
        self, left: ast.AST, right: ast.AST, lexpr: pl.Expr, rexpr: pl.Expr
    ) -> tuple[pl.Expr, pl.Expr]:
        """A choice column against one of its values, in any spelling the data accepts.

        ``police_post == '警务工作室'`` means ``== 'office'``; a typo such as ``'offic'`` would
        silently match nothing, so it is refused.
        """
        for col_node, lit_node, col_first in ((left, right, True), (right, left, False)):
            if isinstance(col_node, ast.Name) and isinstance(lit_node, ast.Constant):
                col = self.columns.get(col_node.id)
                if col is not None and col.kind == "choice":
                    value = col.choices.get(str(lit_node.value).strip().lower())
                    if value is None:
                        raise ExprError(
                            f"{lit_node.value!r} is not a value of {col.name}; "
                            f"expected one of {', '.join(col.choices)}",
                            zh=f"{lit_node.value!r} 不是列 {col.name} 的取值;"
                            f"应为以下之一:{', '.join(col.choices)}",
                        )
                    return (lexpr, pl.lit(value)) if col_first else (pl.lit(value), rexpr)
        raise ExprError(
            "text can only be compared between a choice column and a 'literal'",
            zh="文本只能在选项列(有 enum 取值的列)与一个带引号的取值之间比较",
        )

    def _expect(self, node: ast.AST, want: Type, depth: int) -> pl.Expr:
        expr, typ = self.build(node, depth)
        if typ != want:
            raise ExprError(
                f"'{ast.unparse(node)}' is {_NAMES[typ]}; expected {_NAMES[want]}",
                zh=f"'{ast.unparse(node)}' 是{_NAMES_ZH[typ]};此处应为{_NAMES_ZH[want]}",
            )
        return expr


#: Whole numbers are computed in 64 bits; no arithmetic in a rule may come near that.
_SAFE = 2**62
_COLUMN_MAX: int = 10**MAX_DIGITS  # a column's largest value, bounded by the contract


def _check_magnitudes(
    node: ast.AST, safe: int = _SAFE, constants: Mapping[str, Fraction] | None = None
) -> None:
    """Refuse arithmetic that could overflow: columns hold at most MAX_DIGITS digits, an
    aggregate adds up at most MAX_ROWS rows, and a share ``a / b >= c / d`` is compared
    crosswise (``a × d`` against ``c × b``)."""
    bits = "128" if safe > _SAFE else "64"
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.BinOp)
            and not isinstance(sub.op, ast.Div)
            and _magnitude(sub, constants) > safe
        ):
            raise ExprError(
                f"'{ast.unparse(sub)}' could exceed {bits}-bit whole numbers; use smaller factors",
                zh=f"'{ast.unparse(sub)}' 可能超出 {bits} 位整数的范围;请使用较小的因数",
            )
        if isinstance(sub, ast.Compare) and any(_is_div(o) for o in [sub.left, *sub.comparators]):
            (a, b), (c, d) = _sides(sub.left, constants), _sides(sub.comparators[-1], constants)
            if a * d > safe or c * b > safe:
                raise ExprError(
                    f"'{ast.unparse(sub)}' could exceed {bits}-bit whole numbers; use smaller factors",
                    zh=f"'{ast.unparse(sub)}' 可能超出 {bits} 位整数的范围;请使用较小的因数",
                )


def _parts(node: ast.AST) -> tuple[ast.AST, ast.AST | None]:
    """A side of a comparison as its numerator and denominator nodes (None: no division)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return node.left, node.right
    return node, None


def _is_div(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)


def _sides(node: ast.AST, constants: Mapping[str, Fraction] | None = None) -> tuple[int, int]:
    """Bounds on a share's numerator and denominator (a whole number: over 1)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _magnitude(node.left, constants), _magnitude(node.right, constants)
    return _magnitude(node, constants), 1


def _magnitude(node: ast.AST, constants: Mapping[str, Fraction] | None = None) -> int:
    """An upper bound on the absolute value of an (already type-checked) number expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return int(abs(node.value)) + 1
    if isinstance(node, ast.UnaryOp):
        return _magnitude(node.operand, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in AGGREGATES:
        inner = _magnitude(node.args[1], constants) if len(node.args) == 2 and node.func.id == "sum" else 1
        return inner * MAX_ROWS
    if isinstance(node, ast.Attribute):  # a plan constant: its value, known when the pack loads
        value = (constants or {}).get(node.attr)
        return MAX_LITERAL if value is None else int(abs(value)) + 1
    if isinstance(node, ast.Call) and node.args:  # per_year(N) ≤ N
        return _magnitude(node.args[0], constants)
    if isinstance(node, ast.BinOp):
        left, right = _magnitude(node.left, constants), _magnitude(node.right, constants)
        return left * right if isinstance(node.op, ast.Mult | ast.Div) else left + right
    if isinstance(node, ast.IfExp):
        return max(_magnitude(node.body, constants), _magnitude(node.orelse, constants))
    return _COLUMN_MAX


def _is_literal(expr: pl.Expr) -> bool:
    """Whether ``expr`` is a constant (a divisor that is known to be above 0 needs no guard)."""
    return not expr.meta.root_names()


def _apply(symbol: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    if symbol == "==":
        return left == right
    if symbol == "!=":
        return left != right
    if symbol == "<":
        return left < right
    if symbol == "<=":
        return left <= right
    if symbol == ">":
        return left > right
    return left >= right


def _describe(node: ast.AST) -> str:
    names = {
        "Call": "a function call",
        "Attribute": "attribute access",
        "Subscript": "indexing",
        "Lambda": "a lambda",
        "Div": "'/'",
        "FloorDiv": "'//'",
        "Mod": "'%'",
        "Pow": "'**'",
        "In": "'in'",
        "NotIn": "'not in'",
        "Is": "'is'",
        "IsNot": "'is not'",
        "IfExp": "'… if … else …' (a choice between values)",
        "ListComp": "a list",
        "List": "a list",
        "Tuple": "a list of values",
        "Dict": "a mapping",
        "Set": "a set",
        "JoinedStr": "a formatted string",
        "NamedExpr": "':=' (an assignment)",
        "BitAnd": "'&' (write 'and')",
        "BitOr": "'|' (write 'or')",
        "Invert": "'~' (write 'not')",
    }
    name = type(node).__name__
    return names.get(name, name)


def _describe_zh(node: ast.AST) -> str:
    """:func:`_describe` in Chinese (a Python name it does not know is shown as it is)."""
    names = {
        "Call": "函数调用",
        "Attribute": "属性访问(带点的名称)",
        "Subscript": "下标取值([…])",
        "Slice": "切片([…:…])",
        "Lambda": "lambda 函数",
        "Div": "'/'",
        "FloorDiv": "'//'",
        "Mod": "'%'",
        "Pow": "'**'",
        "MatMult": "'@'",
        "LShift": "'<<'",
        "RShift": "'>>'",
        "BitXor": "'^'",
        "UAdd": "'+'(正号)",
        "In": "'in'",
        "NotIn": "'not in'",
        "Is": "'is'",
        "IsNot": "'is not'",
        "IfExp": "'… if … else …'(在两个值中选一个)",
        "ListComp": "列表",
        "SetComp": "集合",
        "DictComp": "映射",
        "GeneratorExp": "生成器",
        "List": "列表",
        "Tuple": "一组值",
        "Dict": "映射(字典)",
        "Set": "集合",
        "JoinedStr": "格式化字符串",
        "Starred": "'*'(展开)",
        "Await": "await",
        "Yield": "yield",
        "YieldFrom": "yield",
        "NamedExpr": "':='(赋值)",
        "BitAnd": "'&'(请写 and)",
        "BitOr": "'|'(请写 or)",
        "Invert": "'~'(请写 not)",
    }
    name = type(node).__name__
    return names.get(name, name)
