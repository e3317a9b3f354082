"""The data contract of a plan pack, as checked objects: tables, their columns and relations.

This is where a column's type, bounds and headers are decided: :class:`ColumnSpec` holds what
the pack's contract file says of one column (read by :mod:`houfu_check.pack.contract_file`),
:class:`TableSpec` one table, :class:`Contract` all of them. Validation, the rule checker,
header matching, templates, exports, the sample generator and the data package export all ask
these objects; no Python file lists a plan's columns.

Column types (the pack's words are Frictionless Table Schema's):

``string`` (text)      any text; with ``enum`` a *choice* of fixed values, each with its spellings
``integer`` (int)      digits only, at most :data:`MAX_DIGITS` of them
``number`` (number)    a decimal such as ``12.5``: digits, a point, at most ``decimalPlaces``
``boolean`` (bool)     ``trueValues`` / ``falseValues`` (case-insensitive)
``date`` (date)        ``YYYY-MM-DD``
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

Kind = Literal["text", "int", "number", "bool", "choice", "date"]

#: Words read as booleans (after trimming and lower-casing) unless the contract says otherwise.
TRUE_WORDS: tuple[str, ...] = ("true", "1", "yes", "y", "是", "有")
FALSE_WORDS: tuple[str, ...] = ("false", "0", "no", "n", "否", "无")

#: The most digits a whole number (or a decimal's whole part) may have. Counts of people and
#: households never come near 10^9, and so Σ over ~9 billion rows still fits a signed 64-bit
#: integer: no sum can overflow into a wrong verdict.
MAX_DIGITS = 9
#: The most digits after the point a ``number`` column may declare.
MAX_DECIMAL_PLACES = 6

_TYPE_WORDS: dict[Kind, tuple[str, str]] = {
    "text": ("text", "文本"),
    "int": ("whole number", "整数"),
    "number": ("number", "数值"),
    "bool": ("yes/no", "是/否"),
    "choice": ("one of", "取值之一"),
    "date": ("date YYYY-MM-DD", "日期 YYYY-MM-DD"),
}


#: the whole numbers 0, 1, … a count column's cells hold as a rule (see ColumnSpec.usual_texts)
USUAL_WHOLE_NUMBERS = 1000


def spellings(words: tuple[str, ...]) -> list[str]:
    """The words as written most often: lower case, upper case, capitalised."""
    return sorted({form for word in words for form in (word, word.upper(), word.capitalize())})


@dataclass(frozen=True)
class Tally:
    """A column of a parent table that states a figure of its child rows (安置户数 = the count of
    its household rows): a difference beyond ``tolerance`` is a located warning."""

    table: str  # the child table
    sum: str | None  # the child column summed, or None to count the child rows
    tolerance: Fraction  # allowed relative difference, e.g. 1/20 for "5%"


@dataclass(frozen=True)
class ColumnSpec:
    """Everything the tool knows about one column."""

    name: str
    zh: str  # the Chinese header (Table Schema's ``title``)
    kind: Kind
    doc: str = ""
    aliases: tuple[str, ...] = ()  # other accepted headers
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    at_least: str | None = None  # another column of the same row this one may not fall below
    at_most: str | None = None  # another column of the same row this one may not exceed
    unique: bool = False
    references: tuple[str, str] | None = None  # (table, column) that must hold the value
    optional: bool = False  # the column may be absent and its cells empty
    personal: bool = False  # never printed or written by any report
    multiline: bool = False  # a text column whose cells may hold line breaks (quoted)
    choices: dict[str, str] = field(default_factory=dict)  # accepted word (lower case) → value
    values: tuple[str, ...] = ()  # a choice's values, in the contract's order
    true_words: tuple[str, ...] = TRUE_WORDS
    false_words: tuple[str, ...] = FALSE_WORDS
    places: int = 0  # digits after the point of a number column
    tally: Tally | None = None
    sample: dict[str, Any] = field(default_factory=dict)  # hints for `houfu-check sample`
    names_town: bool = False  # the contract's town column: its text names a unit, like an id

    @property
    def lowest(self) -> int:
        """The smallest whole number the column takes (0 unless the contract says otherwise)."""
        return int(self.minimum) if self.minimum is not None else 0

    @property
    def highest(self) -> int:
        """The largest whole number the column takes (at most MAX_DIGITS digits)."""
        return int(self.maximum) if self.maximum is not None else 10**MAX_DIGITS - 1

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "number")

    @property
    def coded(self) -> bool:
        """Whether its cells are read as a dictionary (:mod:`houfu_check.io.coded`): a typed
        column (few distinct values: counts, yes/no, dates, choices) that is no key."""
        key = self.unique or self.names_town or self.references is not None
        return self.kind != "text" and not (self.personal or key)

    @property
    def usual_texts(self) -> tuple[str, ...]:
        """The texts a coded column's cells hold as a rule, each as written most often: whole
        numbers 0 to 999 as plain digits, the yes/no words, the choices' words; () for dates and
        decimals. A large file's column is read as this fixed list first (:mod:`houfu_check.io.coded`:
        a faster parse); a file holding any other text is read again with an open dictionary."""
        if self.kind == "int":
            return tuple(str(n) for n in range(USUAL_WHOLE_NUMBERS))
        if self.kind == "bool":
            return tuple(spellings(self.true_words + self.false_words))
        if self.kind == "choice":
            return tuple(spellings(tuple(self.choices)))
        return ()

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that names this column: its name, Chinese header and aliases."""
        return (self.name, self.zh, *self.aliases)

    def type_text(self, short: bool = False, lang: Literal["en", "zh"] = "en") -> str:
        """The column's type and constraints in words (for the data dictionary and messages)."""
        zh = lang == "zh"
        word = _TYPE_WORDS[self.kind][1 if zh else 0]
        if self.kind == "bool":
            if short:
                return word
            pairs = "/".join(f"{t}/{f}" for t, f in zip(self.true_words, self.false_words, strict=False))
            return f"{word} ({pairs})"
        if self.kind == "choice":
            words = sorted(self.choices, key=lambda w: (self.values.index(self.choices[w]), w))
            return f"{word} " + " / ".join(words)
        if self.kind in ("int", "number"):
            low = "" if self.minimum is None and self.kind == "number" else f"{self.lowest}"
            if self.kind == "number":
                low = "" if self.minimum is None else str(self.minimum)
            high = "" if self.maximum is None else str(self.maximum)
            text = word
            if low and high:
                text += f" {low}–{high}"
            elif low:
                text += f" ≥ {low}"
            elif high:
                text += f" ≤ {high}"
            if self.kind == "number":
                text += f"，最多 {self.places} 位小数" if zh else f", at most {self.places} decimal places"
            if self.at_least:
                text += f", ≥ {self.at_least}"
            if self.at_most:
                text += f", ≤ {self.at_most}"
            return text
        if self.kind == "date":
            return word
        if self.optional:
            return "文本，可为空" if zh else "text, optional column (cells may be empty)"
        text = "文本，不可为空" if zh else "text, non-empty"
        if self.unique:
            text += "，不可重复" if zh else ", unique"
        if self.references:
            ref = f"{self.references[0]}.{self.references[1]}"
            text += f"，须见于 {ref}" if zh else f", must exist in {ref}"
        return text


@dataclass(frozen=True)
class TableSpec:
    """One table of a data folder: its file stem, key, parent and columns."""

    name: str
    id_column: str  # the primary key
    unit: str  # what one row is, in English, for messages
    columns: tuple[ColumnSpec, ...]
    zh: str = ""  # what one row is in Chinese; its sheet name in a workbook holding several tables
    required: bool = True  # an optional table may be absent from the data folder
    parent: str | None = None  # the table its rows belong to (households → communities)
    parent_column: str | None = None  # the column holding the parent's key
    label: str | None = None  # a column that names a unit for people (community_name)
    facts: bool = False  # one row of facts, from ``facts:`` in submission.yaml
    doc: str = ""
    sheets: tuple[str, ...] = ()  # other sheet names it may have
    sample: dict[str, Any] = field(default_factory=dict)  # hints for `houfu-check sample`
    words: tuple[str, str, str] = ("", "", "")  # a unit counted: zh (个社区), en one, en many

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """The names its sheet may have in a workbook that holds several tables (any case)."""
        return tuple(dict.fromkeys(n.casefold() for n in (self.zh, self.name, *self.sheets) if n))

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(col.name == name for col in self.columns)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Continuity:
    """Between two rounds (``houfu-check compare``): per column of ``table``, the largest
    plausible change of a unit's value; a larger jump is listed for a second look."""

    table: str | None = None
    limits: dict[str, int] = field(default_factory=dict)


#: The units a rule may judge per town when towns are a column, not a table of their own
#: (``table: towns``): one unit per town named in the contract's ``town`` column.
TOWNS = "towns"


@dataclass(frozen=True)
class Contract:
    """All tables of a pack, referenced tables first, and where a unit's town is named."""

    tables: tuple[TableSpec, ...]
    town: tuple[str, str] | None = None  # (table, column) naming a unit's town
    missing_values: tuple[str, ...] = ("",)
    sample: dict[str, Any] = field(default_factory=dict)  # which table `--rows` counts
    source: str = ""
    sha256: str = ""

    def __iter__(self) -> Iterator[TableSpec]:
        return iter(self.tables)

    def table(self, name: str) -> TableSpec:
        """The table ``name``: a table of the contract, or the towns named in its town column."""
        for spec in self.tables:
            if spec.name == name:
                return spec
        if name == TOWNS and self.towns is not None:
            return self.towns
        raise KeyError(name)

    def has_table(self, name: str) -> bool:
        return any(spec.name == name for spec in self.tables) or (name == TOWNS and self.towns is not None)

    @functools.cached_property
    def towns(self) -> TableSpec | None:
        """The towns as units, when the contract names a town column and has no table of its
        own called ``towns``: one row per town, its key the town's name (not read from a file)."""
        if self.town is None or any(spec.name == TOWNS for spec in self.tables):
            return None
        table, column = self.town
        named = self.table(table).column(column)
        return TableSpec(
            name=TOWNS,
            id_column=column,
            unit="town",
            columns=(ColumnSpec(name=column, zh=named.zh, kind="text", doc=named.doc),),
            zh="镇",
            required=False,
            doc="镇（由社区的所在镇列得出）/ the towns named in the town column",
            words=("个镇", "town", "towns"),
        )

    def below(self, name: str) -> list[TableSpec]:
        """The tables whose rows belong to a unit of ``name`` (households → their community,
        and the community's town): what an aggregate in a rule on ``name`` may read."""
        found = []
        for spec in self.data_tables:
            if name == TOWNS and self.towns is not None:
                if self.town_reachable(spec.name):
                    found.append(spec)
            elif any(a.name == name for a in self.ancestors(spec.name)):
                found.append(spec)
        return found

    @property
    def data_tables(self) -> tuple[TableSpec, ...]:
        """The tables read from data files (not the facts of submission.yaml)."""
        return tuple(spec for spec in self.tables if not spec.facts)

    @property
    def facts(self) -> TableSpec | None:
        """The one-row table of county facts, if the contract has one."""
        return next((spec for spec in self.tables if spec.facts), None)

    def ancestors(self, name: str) -> list[TableSpec]:
        """The tables above ``name``, nearest first (households → [communities, ...])."""
        found: list[TableSpec] = []
        spec = self.table(name)
        while spec.parent is not None and len(found) < len(self.tables):
            spec = self.table(spec.parent)
            found.append(spec)
        return found

    def town_reachable(self, name: str) -> bool:
        """Whether units of table ``name`` have a town (their own column, or a parent's)."""
        if self.town is None:
            return False
        if name == TOWNS and self.towns is not None:
            return True
        return name == self.town[0] or any(a.name == self.town[0] for a in self.ancestors(name))

    @property
    def personal(self) -> frozenset[str]:
        """Every personal column's name (never in any output)."""
        return frozenset(c.name for spec in self.tables for c in spec.columns if c.personal)
