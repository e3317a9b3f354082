"""Read a pack's contract file (YAML, Frictionless Table Schema words) into a checked :class:`Contract`.

A contract file::

    version: 1
    town: communities.town            # the column naming a unit's town (for --by town)
    trueValues: [true, "1", yes, 是]   # defaults for every boolean field
    falseValues: [false, "0", no, 否]
    tables:
      - name: households              # the file households.csv / .xlsx, or a sheet 住户
        title: {zh: 住户, en: relocated household}
        primaryKey: household_id
        parent: communities           # households belong to communities (a foreign key to it)
        foreignKeys:
          - {fields: community_id, reference: {resource: communities, fields: community_id}}
        fields:
          - name: labor_count
            title: 劳动力人数           # the Chinese header; `aliases` lists other accepted headers
            type: integer             # string | integer | number | boolean | date
            description: working-age people able to work
            constraints: {minimum: 0, maximum: members}   # a number, or a column of the same row

Every column is required (present, and no empty cell) unless it says ``constraints: {required:
false}`` (text columns only: an empty number would change a count silently). Extensions to
Table Schema: ``aliases`` (other headers), ``enumAliases`` (other spellings of a choice),
``decimalPlaces``, a column as ``minimum``/``maximum``, ``personal`` (never in any output),
``multiline`` (a text column whose quoted cells may hold line breaks; no other cell may),
``tally`` (a parent's figure checked against its child rows), ``sample`` (hints for the
sample generator), and per table ``parent``, ``label``, ``sheets``, ``required`` and ``facts``
(one row of county facts, given as ``facts:`` in submission.yaml).

Every problem of the file is reported at once, each with its line, table and field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from houfu_check.errors import ContractProblem, ErrorLog, ProblemsFound
from houfu_check.pack.contract import (
    FALSE_WORDS,
    MAX_DECIMAL_PLACES,
    MAX_DIGITS,
    TRUE_WORDS,
    ColumnSpec,
    Contract,
    Kind,
    TableSpec,
    Tally,
)
from houfu_check.pack.shape import explain, explain_zh, node_line
from houfu_check.yaml_doc import read_bounded, read_yaml

_NAME = r"^[a-z][a-z0-9_]*$"
_HINTS = {"name": "lower-case letters, digits and _, starting with a letter (e.g. site_id)"}
_HINTS_ZH = {"name": "小写字母、数字和 _,以字母开头(例如 site_id)"}
_TYPES: dict[str, Kind] = {
    "string": "text",
    "integer": "int",
    "number": "number",
    "boolean": "bool",
    "date": "date",
}
_PERCENT = re.compile(r"^\s*([0-9]{1,3}(?:\.[0-9]{1,2})?)\s*%\s*$")  # 0.01% steps, bounded


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Text(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _Unit(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    en_plural: str = Field(min_length=1)


class _Constraints(_Strict):
    required: bool = True
    unique: bool = False
    minimum: int | float | str | None = None
    maximum: int | float | str | None = None
    enum: list[str] | None = None


class _Tally(_Strict):
    table: str
    count: Literal["rows"] | None = None
    sum: str | None = None
    tolerance: str = "0%"


class _Field(_Strict):
    name: str = Field(pattern=_NAME)
    title: str = Field(min_length=1)
    type: Literal["string", "integer", "number", "boolean", "date"]
    description: str = ""
    aliases: list[str] = []
    constraints: _Constraints = _Constraints()
    trueValues: list[str] | None = None
    falseValues: list[str] | None = None
    enumAliases: dict[str, list[str]] = {}
    decimalPlaces: int | None = None
    personal: bool = False
    multiline: bool = False
    tally: _Tally | None = None
    sample: dict[str, Any] = {}


class _Reference(_Strict):
    resource: str
    fields: str


class _ForeignKey(_Strict):
    fields: str
    reference: _Reference


class _Table(_Strict):
    name: str = Field(pattern=_NAME)
    title: _Text
    unit: _Unit | None = None  # how a count of rows reads: 3 个社区, 3 communities
    description: str = ""
    required: bool = True
    facts: bool = False
    sheets: list[str] = []
    primaryKey: str | None = None
    foreignKeys: list[_ForeignKey] = []
    parent: str | None = None
    label: str | None = None
    sample: dict[str, Any] = {}
    fields: list[Any] = Field(min_length=1)


class _ContractFile(_Strict):
    version: Literal[1]
    town: str | None = None
    missingValues: list[str] = [""]
    trueValues: list[str] = list(TRUE_WORDS)
    falseValues: list[str] = list(FALSE_WORDS)
    sample: dict[str, Any] = {}
    tables: list[Any] = Field(min_length=1)


def load_contract(path: Path, display: str) -> Contract:
    """The checked contract of ``path``; :class:`ProblemsFound` with every problem otherwise."""
    raw, node = read_yaml(path, display, ContractProblem)
    log = ErrorLog(cap=200)
    reader = _Reader(display, node, log)
    contract = reader.read(raw)
    if log or contract is None:
        raise ProblemsFound(log)
    data = read_bounded(path, display, ContractProblem, 1 << 20)
    return Contract(
        tables=contract.tables,
        town=contract.town,
        missing_values=contract.missing_values,
        sample=contract.sample,
        source=display,
        sha256=hashlib.sha256(data).hexdigest(),
    )


class _Reader:
    """Checks one contract document, collecting located problems."""

    def __init__(self, display: str, node: yaml.Node | None, log: ErrorLog) -> None:
        self.display = display
        self.node = node
        self.log = log
        self.broken: set[tuple[str, str]] = set()  # (table, field) whose own problems are reported

    def problem(
        self,
        path: tuple[str | int, ...],
        note: str,
        zh: str | None,
        table: str | None = None,
        field: str | None = None,
    ) -> None:
        """A problem at ``path``: ``note`` in English, ``zh`` in Chinese (None: the catalogue's)."""
        line = node_line(self.node, path)
        self.log.add(
            ContractProblem(
                file=self.display, line=line, table=table, field_name=field, note=note, note_zh=zh
            )
        )

    def _shape(
        self, model: type[BaseModel], value: Any, path: tuple[str | int, ...], table: str | None = None
    ) -> Any:
        """``value`` checked as ``model``; None (and problems) when it does not fit."""
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                name = next((str(p) for p in reversed(loc) if isinstance(p, str)), None)
                field = _field_name(value, loc) if model is _Field else name
                note, zh = explain(err, model, _HINTS), explain_zh(err, model, _HINTS_ZH)
                self.problem((*path, *loc), note, zh, table, field)
            return None

    def read(self, raw: Any) -> Contract | None:
        if not isinstance(raw, dict):
            self.problem(
                (),
                "expected a mapping with version and tables",
                "数据约定应为一个映射,含 version 和 tables 等键",
            )
            return None
        spec = self._shape(_ContractFile, raw, ())
        if spec is None:
            return None
        tables: list[tuple[int, _Table, list[tuple[int, _Field]]]] = []
        for i, item in enumerate(spec.tables):
            name = item.get("name") if isinstance(item, dict) else None
            table = self._shape(_Table, item, ("tables", i), str(name) if name else None)
            if table is None:
                continue
            fields = []
            for j, entry in enumerate(table.fields):
                got = self._shape(_Field, entry, ("tables", i, "fields", j), table.name)
                if got is not None:
                    fields.append((j, got))
            tables.append((i, table, fields))
            self.broken |= {
                (table.name, str(e.get("name")))
                for j, e in enumerate(table.fields)
                if isinstance(e, dict) and j not in {k for k, _ in fields}
            }
        defaults = (tuple(_words(spec.trueValues)), tuple(_words(spec.falseValues)))
        if set(defaults[0]) & set(defaults[1]):
            both = ", ".join(sorted(set(defaults[0]) & set(defaults[1])))
            self.problem(
                ("trueValues",),
                f"a word cannot be both true and false: {both}",
                f"同一个词不能既表示真(trueValues)又表示假(falseValues):{both}",
            )
        built = self._tables(tables, defaults)
        town = self._town(spec.town, built)
        if town is not None:  # a town's name is checked like an id: no invisible or look-alike text
            built = [
                dataclasses.replace(
                    t,
                    columns=tuple(
                        dataclasses.replace(c, names_town=True) if (t.name, c.name) == town else c
                        for c in t.columns
                    ),
                )
                for t in built
            ]
        if self.log:
            return None
        return Contract(
            tables=_load_order(built),
            town=town,
            missing_values=tuple(spec.missingValues),
            sample=dict(spec.sample),
        )

    # --- tables ---------------------------------------------------------------------------

    def _tables(
        self,
        tables: list[tuple[int, _Table, list[tuple[int, _Field]]]],
        defaults: tuple[tuple[str, ...], tuple[str, ...]],
    ) -> list[TableSpec]:
        names = [t.name for _, t, _ in tables]
        declared = {t.name: t for _, t, _ in tables}
        fields_of = {t.name: {f.name: f for _, f in fields} for _, t, fields in tables}
        built: list[TableSpec] = []
        seen: set[str] = set()
        for i, table, fields in tables:
            at = ("tables", i)
            if table.name in seen:
                self.problem(
                    (*at, "name"),
                    f"table '{table.name}' is declared twice",
                    f"表 '{table.name}' 声明了两次",
                    table.name,
                )
            seen.add(table.name)
            mine = fields_of[table.name]
            refs = self._foreign_keys(table, at, declared, fields_of)
            columns = [
                self._column(table, j, f, mine, refs, defaults, declared, fields_of, at) for j, f in fields
            ]
            self._headers(table, fields, at)
            self._keys(table, at, mine, declared, names)
            built.append(
                TableSpec(
                    name=table.name,
                    id_column=table.primaryKey or "",
                    unit=table.title.en,
                    zh=table.title.zh,
                    columns=tuple(columns),
                    required=table.required,
                    parent=table.parent,
                    parent_column=next(
                        (fk.fields for fk in table.foreignKeys if fk.reference.resource == table.parent), None
                    ),
                    label=table.label,
                    facts=table.facts,
                    doc=table.description,
                    sheets=tuple(table.sheets),
                    sample=dict(table.sample),
                    words=(
                        (table.unit.zh, table.unit.en, table.unit.en_plural)
                        if table.unit
                        else (table.title.zh, table.title.en, table.name.replace("_", " "))
                    ),
                )
            )
        facts = [t for t in built if t.facts]
        if len(facts) > 1:
            found = ", ".join(t.name for t in facts)
            self.problem(
                ("tables",),
                f"only one table can hold the county facts (facts: true); found {found}",
                f"只能有一个表存放县级事项(facts: true);这里有 {found}",
            )
        self._cycles(built)
        return built

    def _keys(
        self,
        table: _Table,
        at: tuple[str | int, ...],
        mine: dict[str, _Field],
        declared: dict[str, _Table],
        names: list[str],
    ) -> None:
        name = table.name
        if table.primaryKey is None and not table.facts:
            self.problem(
                at,
                "'primaryKey' is missing: name the column that identifies a row",
                "缺少 'primaryKey':请写明用来识别每一行的列(编号列)",
                name,
            )
        for key in ("primaryKey", "label"):
            column = getattr(table, key)
            if column is None:
                continue
            if column not in mine and (name, column) in self.broken:
                continue
            if column not in mine:
                self.problem(
                    (*at, key),
                    f"'{column}' is not a field of {name}{_nearest(column, mine)}",
                    f"'{column}' 不是表 {name} 的字段{_nearest_zh(column, mine)}",
                    name,
                    key,
                )
            elif mine[column].personal:
                self.problem(
                    (*at, key),
                    f"'{column}' is personal data and cannot name a row in reports",
                    f"'{column}' 是个人信息,不能在报告中用来指称一行",
                    name,
                    key,
                )
            elif key == "primaryKey" and mine[column].type != "string":
                self.problem(
                    (*at, key),
                    f"the key '{column}' must be a string field (ids are text)",
                    f"编号列 '{column}' 必须是 string 字段(编号是文本)",
                    name,
                    key,
                )
        if table.parent is not None:
            if table.parent not in declared:
                self.problem(
                    (*at, "parent"),
                    f"'{table.parent}' is not a table of this contract; tables: {', '.join(names)}",
                    f"'{table.parent}' 不是本数据约定中的表;可用的表有:{', '.join(names)}",
                    name,
                    "parent",
                )
            elif not any(fk.reference.resource == table.parent for fk in table.foreignKeys):
                self.problem(
                    (*at, "parent"),
                    f"add a foreignKeys entry to '{table.parent}': the column of "
                    f"{name} that holds its {table.parent} key",
                    f"请加一条指向 '{table.parent}' 的 foreignKeys:写明表 {name} 中"
                    f"存放 {table.parent} 编号的列",
                    name,
                    "parent",
                )
        if table.facts and (table.parent or table.foreignKeys):
            self.problem(
                at,
                "a facts table (one row for the county) has no parent or foreign keys",
                "县级事项表(facts: true,全县一行)不能有 parent 或 foreignKeys",
                name,
            )

    def _foreign_keys(
        self,
        table: _Table,
        at: tuple[str | int, ...],
        declared: dict[str, _Table],
        fields_of: dict[str, dict[str, _Field]],
    ) -> dict[str, tuple[str, str]]:
        refs: dict[str, tuple[str, str]] = {}
        for k, fk in enumerate(table.foreignKeys):
            where = (*at, "foreignKeys", k)
            target, column = fk.reference.resource, fk.reference.fields
            if (table.name, fk.fields) in self.broken or (target, column) in self.broken:
                continue
            if fk.fields not in fields_of[table.name]:
                self.problem(
                    (*where, "fields"),
                    f"'{fk.fields}' is not a field of {table.name}",
                    f"'{fk.fields}' 不是表 {table.name} 的字段",
                    table.name,
                    fk.fields,
                )
                continue
            if target not in declared:
                self.problem(
                    (*where, "reference"),
                    f"'{target}' is not a table of this contract; declare it under tables",
                    f"'{target}' 不是本数据约定中的表;请在 tables 下声明它",
                    table.name,
                    fk.fields,
                )
                continue
            if column not in fields_of[target]:
                self.problem(
                    (*where, "reference"),
                    f"'{column}' is not a field of {target}{_nearest(column, fields_of[target])}",
                    f"'{column}' 不是表 {target} 的字段{_nearest_zh(column, fields_of[target])}",
                    table.name,
                    fk.fields,
                )
                continue
            if declared[target].primaryKey != column:
                self.problem(
                    (*where, "reference"),
                    f"a reference names its table's primaryKey; "
                    f"{target}'s is '{declared[target].primaryKey}'",
                    f"引用须指向被引用表的 primaryKey;表 {target} 的 primaryKey 是 "
                    f"'{declared[target].primaryKey}'",
                    table.name,
                    fk.fields,
                )
                continue
            refs[fk.fields] = (target, column)
        return refs

    def _headers(self, table: _Table, fields: list[tuple[int, _Field]], at: tuple[str | int, ...]) -> None:
        """No header may name two columns (names, Chinese headers and aliases, any letter case)."""
        owner: dict[str, str] = {}
        for j, f in fields:
            for header in dict.fromkeys(h.strip().casefold() for h in (f.name, f.title, *f.aliases)):
                if not header:
                    continue
                if header in owner and owner[header] != f.name:
                    self.problem(
                        (*at, "fields", j, "aliases" if f.aliases else "title"),
                        f"the header '{header}' already names '{owner[header]}'; each header "
                        "must name one column",
                        f"表头 '{header}' 已用于字段 '{owner[header]}';一个表头只能对应一列",
                        table.name,
                        f.name,
                    )
                owner.setdefault(header, f.name)
        names = [f.name for _, f in fields]
        for j, f in fields:
            if names.count(f.name) > 1 and names.index(f.name) != fields.index((j, f)):
                self.problem(
                    (*at, "fields", j, "name"),
                    f"the field '{f.name}' is declared twice",
                    f"字段 '{f.name}' 声明了两次",
                    table.name,
                    f.name,
                )

    # --- columns --------------------------------------------------------------------------

    def _column(
        self,
        table: _Table,
        j: int,
        f: _Field,
        mine: dict[str, _Field],
        refs: dict[str, tuple[str, str]],
        defaults: tuple[tuple[str, ...], tuple[str, ...]],
        declared: dict[str, _Table],
        fields_of: dict[str, dict[str, _Field]],
        at: tuple[str | int, ...],
    ) -> ColumnSpec:
        here = (*at, "fields", j)
        kind: Kind = "choice" if f.type == "string" and f.constraints.enum else _TYPES[f.type]

        def bad(key: str, note: str, zh: str) -> None:
            self.problem((*here, key), note, zh, table.name, f.name)

        c = f.constraints
        if not c.required and kind != "text":
            bad(
                "constraints",
                "only text fields may be optional (required: false): an empty number "
                "or yes/no would change a count silently",
                "只有文本字段可以设为可空(required: false):数值或是/否值为空会悄悄改变统计结果",
            )
        if f.personal and (f.name == table.primaryKey or f.name in refs):
            bad(
                "personal",
                "a key or a reference cannot be personal data",
                "编号列或引用列不能是个人信息",
            )
        if not c.required and (f.name == table.primaryKey or f.name in refs):
            bad(
                "constraints",
                "a key or a reference cannot be optional: every row needs it",
                "编号列或引用列不能设为可空:每一行都必须填写",
            )
        bounds: dict[str, int | Decimal | None] = {"minimum": None, "maximum": None}
        relations: dict[str, str | None] = {"minimum": None, "maximum": None}
        for key in ("minimum", "maximum"):
            value = getattr(c, key)
            if value is None:
                continue
            if kind not in ("int", "number"):
                bad(
                    "constraints",
                    f"'{key}' is for integer and number fields; '{f.name}' is {f.type}",
                    f"'{key}' 只用于 integer 和 number 字段;'{f.name}' 是 {f.type} 字段",
                )
                continue
            if isinstance(value, str) and not _is_number(value):
                other = mine.get(value)
                if other is None and (table.name, value) in self.broken:
                    continue  # that field's own problem is reported; nothing more to say here
                if other is None:
                    bad(
                        "constraints",
                        f"{key}: '{value}' is neither a number nor a field of {table.name}"
                        f"{_nearest(value, mine)}",
                        f"{key}:'{value}' 既不是数字,也不是表 {table.name} 的字段{_nearest_zh(value, mine)}",
                    )
                elif other.type not in ("integer", "number") or other.constraints.enum:
                    bad(
                        "constraints",
                        f"{key}: '{value}' is {other.type}; a bound must be a number field",
                        f"{key}:'{value}' 是 {other.type} 字段;上下限只能是数值字段",
                    )
                elif value == f.name:
                    bad(
                        "constraints",
                        f"{key}: a field cannot be bounded by itself",
                        f"{key}:字段不能以自身为上下限",
                    )
                else:
                    relations[key] = value
                continue
            number = _decimal(value)
            if number is None or (kind == "int" and number != number.to_integral_value()):
                bad(
                    "constraints",
                    f"{key}: '{value}' is not a {'whole number' if kind == 'int' else 'number'}",
                    f"{key}:'{value}' 不是{'整数' if kind == 'int' else '数字'}",
                )
                continue
            if abs(number) >= 10**MAX_DIGITS:
                bad(
                    "constraints",
                    f"{key}: numbers in data have at most {MAX_DIGITS} digits",
                    f"{key}:数据中的数字最多 {MAX_DIGITS} 位",
                )
                continue
            bounds[key] = int(number) if kind == "int" else number
        low, high = bounds["minimum"], bounds["maximum"]
        if low is not None and high is not None and low > high:
            bad(
                "constraints",
                f"minimum {low} is above maximum {high}",
                f"下限 minimum {low} 大于上限 maximum {high}",
            )
        if kind == "int" and low is not None and low < 0:
            bad(
                "constraints",
                "whole numbers in data are never negative (digits only); use minimum: 0 or more",
                "数据中的整数不会是负数(只由数字组成);请写 minimum: 0 或更大的值",
            )
        if c.enum is not None and f.type != "string":
            bad("constraints", "'enum' is for string fields", "'enum' 只用于 string 字段")
        choices: dict[str, str] = {}
        if kind == "choice":
            for value in c.enum or []:
                choices[value.strip().lower()] = value
            for value, words in f.enumAliases.items():
                if value not in (c.enum or []):
                    listed = ", ".join(c.enum or [])
                    bad(
                        "enumAliases",
                        f"'{value}' is not one of the enum values: {listed}",
                        f"'{value}' 不是 enum 中的取值;enum 的取值有:{listed}",
                    )
                for word in words:
                    key = word.strip().lower()
                    if choices.get(key, value) != value:
                        bad(
                            "enumAliases",
                            f"'{word}' already spells '{choices[key]}'",
                            f"'{word}' 已经是取值 '{choices[key]}' 的写法",
                        )
                    choices[key] = value
        elif f.enumAliases:
            bad(
                "enumAliases",
                "'enumAliases' is for fields with an enum",
                "'enumAliases' 只用于有 enum 的字段",
            )
        trues = tuple(_words(f.trueValues)) if f.trueValues is not None else defaults[0]
        falses = tuple(_words(f.falseValues)) if f.falseValues is not None else defaults[1]
        if kind != "bool" and (f.trueValues is not None or f.falseValues is not None):
            bad(
                "trueValues",
                "'trueValues' and 'falseValues' are for boolean fields",
                "'trueValues' 和 'falseValues' 只用于 boolean 字段",
            )
        elif set(trues) & set(falses):
            both = ", ".join(sorted(set(trues) & set(falses)))
            bad(
                "trueValues",
                f"a word cannot be both true and false: {both}",
                f"同一个词不能既表示真(trueValues)又表示假(falseValues):{both}",
            )
        places = 0
        if f.decimalPlaces is not None and kind != "number":
            bad("decimalPlaces", "'decimalPlaces' is for number fields", "'decimalPlaces' 只用于 number 字段")
        elif kind == "number":
            places = 2 if f.decimalPlaces is None else f.decimalPlaces
            if not 0 <= places <= MAX_DECIMAL_PLACES:
                bad(
                    "decimalPlaces",
                    f"expected 0 to {MAX_DECIMAL_PLACES} decimal places",
                    f"小数位数应为 0 到 {MAX_DECIMAL_PLACES} 位",
                )
        if f.multiline and kind != "text":
            bad(
                "multiline",
                "'multiline' is for string fields: only text may hold line breaks",
                "'multiline' 只用于 string 字段:只有文本可以含换行",
            )
        tally = self._tally(table, f, kind, here, declared, fields_of)
        return ColumnSpec(
            name=f.name,
            zh=f.title,
            kind=kind,
            doc=f.description,
            aliases=tuple(f.aliases),
            minimum=low,
            maximum=high,
            at_least=relations["minimum"],
            at_most=relations["maximum"],
            unique=c.unique or f.name == table.primaryKey,
            references=refs.get(f.name),
            optional=not c.required,
            personal=f.personal,
            multiline=f.multiline and kind == "text",
            choices=choices,
            values=tuple(c.enum or ()),
            true_words=trues,
            false_words=falses,
            places=places,
            tally=tally,
            sample=dict(f.sample),
        )

    def _tally(
        self,
        table: _Table,
        f: _Field,
        kind: Kind,
        here: tuple[str | int, ...],
        declared: dict[str, _Table],
        fields_of: dict[str, dict[str, _Field]],
    ) -> Tally | None:
        t = f.tally
        if t is None:
            return None

        def bad(note: str, zh: str) -> None:
            self.problem((*here, "tally"), note, zh, table.name, f.name)

        if kind not in ("int", "number") or f.personal:
            bad(
                "'tally' is for integer and number fields that are not personal data",
                "'tally' 只用于 integer 和 number 字段(且不是个人信息)",
            )
            return None
        child = declared.get(t.table)
        if child is None or child.parent != table.name:
            bad(
                f"'{t.table}' is not a table whose parent is {table.name}",
                f"'{t.table}' 不是下级表:它的 parent 不是 {table.name}",
            )
            return None
        if (t.count is None) == (t.sum is None):
            bad(
                "give either 'count: rows' or 'sum: <a column of the child table>'",
                "请写 'count: rows' 或 'sum: <下级表的列>',二者只写其一",
            )
            return None
        if t.sum is not None:
            other = fields_of[t.table].get(t.sum)
            if other is None or other.type not in ("integer", "number") or other.personal:
                known = fields_of[t.table] if other is None else {}  # a near name, for one that is not there
                bad(
                    f"'{t.sum}' is not a number field of {t.table}{_nearest(t.sum, known)}",
                    f"'{t.sum}' 不是表 {t.table} 的数值字段{_nearest_zh(t.sum, known)}",
                )
                return None
        match = _PERCENT.match(t.tolerance)
        if not match or Fraction(match.group(1)) > 100:
            bad(
                "tolerance: expected a percentage from 0% to 100% (at most two decimals), "
                f"found '{t.tolerance}'",
                f"tolerance:应为 0% 到 100% 之间的百分比(最多两位小数),而这里是 '{t.tolerance}'",
            )
            return None
        return Tally(table=t.table, sum=t.sum, tolerance=Fraction(match.group(1)) / 100)

    def _town(self, town: str | None, tables: list[TableSpec]) -> tuple[str, str] | None:
        if town is None:
            return None
        table_name, _, column = town.partition(".")
        spec = next((t for t in tables if t.name == table_name), None)
        if spec is None or not spec.has(column):
            self.problem(
                ("town",),
                f"'{town}' is not a table.column of this contract (e.g. sites.township)",
                f"'{town}' 不是本数据约定中的 表.列(例如 sites.township)",
            )
            return None
        if spec.column(column).kind != "text" or spec.column(column).personal:
            self.problem(
                ("town",),
                f"'{town}' must be a string field naming the town (not personal data)",
                f"'{town}' 必须是写镇名的 string 字段(且不是个人信息)",
            )
            return None
        if spec.column(column).optional:
            note = f"'{town}' names each unit's town and cannot be empty: remove required: false from it"
            zh = f"'{town}' 写明每个单位所属的镇,不能为空:请去掉它的 required: false"
            self.problem(("town",), note, zh)
            return None
        return table_name, column

    def _cycles(self, tables: list[TableSpec]) -> None:
        """Each circle of parents once (a table that is its own parent is one too)."""
        parents = {t.name: t.parent for t in tables}
        index = {t.name: i for i, t in enumerate(tables)}
        reported: set[frozenset[str]] = set()
        for start in parents:
            path = [start]
            current = parents.get(start)
            while current is not None and current not in path and current in parents:
                path.append(current)
                current = parents.get(current)
            if current is None or current not in path:
                continue
            circle = path[path.index(current) :]
            if frozenset(circle) in reported:
                continue
            reported.add(frozenset(circle))
            shown = " → ".join([*circle, circle[0]])
            self.problem(
                ("tables", index[circle[0]], "parent"),
                f"the parents go round in a circle: {shown}",
                f"parent 关系绕成了一个圈:{shown}",
                circle[0],
                "parent",
            )


def _load_order(tables: list[TableSpec]) -> tuple[TableSpec, ...]:
    """Referenced tables before the tables that reference them; otherwise the file's order."""
    done: list[TableSpec] = []
    names: set[str] = set()
    pending = list(tables)
    while pending:
        for spec in pending:
            needs = {c.references[0] for c in spec.columns if c.references} - {spec.name}
            if needs <= names:
                done.append(spec)
                names.add(spec.name)
                pending.remove(spec)
                break
        else:  # references in a circle: keep the file's order (each reference checks what it can)
            done.extend(pending)
            break
    return tuple(done)


def _words(words: list[str]) -> list[str]:
    return [str(w).strip().lower() for w in words]


def _is_number(text: str) -> bool:
    return _decimal(text) is not None


def _decimal(value: int | float | str) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _closest(name: str, known: dict[str, Any]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def _nearest(name: str, known: dict[str, Any]) -> str:
    close = _closest(name, known)
    return f"; did you mean '{close}'?" if close else ""


def _nearest_zh(name: str, known: dict[str, Any]) -> str:
    close = _closest(name, known)
    return f";是否应为 '{close}'?" if close else ""


def _field_name(value: Any, loc: tuple[Any, ...]) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return str(value["name"])
    return next((str(p) for p in loc if isinstance(p, str)), None)
