"""The rule file's shape (pydantic, unknown keys refused) and the checked rules built from it.

A rule file is YAML::

    version: 1
    contract: contract.yaml           # the pack's data contract, beside this file
    plan: {title: ..., document: 汉后扶办字〔2022〕4号, year: 2022}   # year: due dates fall in it
    parts: [{id: leye, zh: 乐业, en: Employment and livelihoods}, ...]
    constants:                        # numbers the plan compares against: plan.NAME in rules
      province_income: {value: 15704, title: {zh: ..., en: ...}, source: ...}
    rules:
      - id: stars.five_share          # stable; reports and CI jobs key on it
        clause: "16"                  # the plan's clause number
        part: anju                    # one of parts[].id
        title: {zh: ..., en: ...}     # short title for reports (without en: the Chinese)
        text: "...“五星级”达到40%以上..."   # quoted plan text
        lead: [县发改局]                # 牵头单位
        partners: [各镇人民政府]         # 责任单位
        table: communities            # the units judged: a table of the contract, or towns
        scope: households >= 100      # which units the rule looks at (default: all)
        kind: share                   # share | ratio | total | count | passing | growth
        condition: star_rating == 5   # when a unit passes
        target: ">= 40%"              # comparison and number (or >= plan.NAME)
        warn: ">= 50%"                # optional band: between target and warn, the rule warns
        severity: fail                # fail | warn (warn for 力争 "strive" targets)
        annual: false                 # a yearly target: before Q4 judged on its share due
        due: 2022-06-30               # optional deadline: before it, "not yet due", never failed
        rate_per: 1000                # a ratio per 1,000 (doctors per 1,000 people)
        basis: stated                 # stated (the plan gives the number) | interpretation
        note: {zh: ..., en: ...}      # how the plan's words are read (required for interpretation)

The kinds of measure (``kind:``) are the registry of :mod:`houfu_check.kinds`, one module each.

A ``warn`` target makes a band: ``target: ">= 95%"`` and ``warn: ">= 98%"`` fail below 95%, warn
from 95% up to 98%, and pass from 98%. ``due: 2022-06-30``: in a round whose period ends before
it, the rule shows its value as "not yet due" and never fails.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from houfu_check.pack.contract import Contract
from houfu_check.period import Period
from houfu_check.rules.expr import Compiled

Severity = Literal["fail", "warn"]
Basis = Literal["stated", "interpretation"]

_TARGET = re.compile(r"^\s*(>=|<=|==|=|>|<|≥|≤)\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$")  # ASCII digits only
_CONSTANT_TARGET = re.compile(r"^\s*(>=|<=|==|=|>|<|≥|≤)\s*plan\.([a-z][a-z0-9_]*)\s*$")
_OPS = {"=": "==", "≥": ">=", "≤": "<="}
_COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Bilingual(_Strict):
    """A label in both languages. ``en`` may be left out by a county that writes its pack in
    Chinese only: English reports then show the Chinese."""

    zh: str
    en: str = ""

    @model_validator(mode="after")
    def _english_or_chinese(self) -> _Bilingual:
        if not self.en.strip():
            object.__setattr__(self, "en", self.zh)
        return self


class Text(_Bilingual):
    """A label in both languages (``en`` optional)."""


class PartSpec(_Bilingual):
    """A part of the plan that rules are grouped under in reports (``en`` optional)."""

    id: str


class PlanSpec(_Strict):
    """Which plan the rules encode."""

    title: str
    document: str = ""
    issued: str = ""
    issuer: str = ""
    year: int | None = None  # the plan's year: due dates must fall in it


_CONSTANT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CONSTANT_VALUE = re.compile(r"^\s*([0-9]{1,13}(?:\.[0-9]{1,6})?)\s*(%?)\s*$")


def constant_value(value: object) -> Fraction:
    """A constant's value, exact: ``15704``, ``15704.5`` or ``'85%'``; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a yes/no (true, false, yes, no) is not a number; write a number such as 15704")
    if value is None or value == "":
        raise ValueError("the value is empty; write a number such as 15704, 15704.5 or '85%'")
    written = str(value) if isinstance(value, int | float | str) else ""
    match = _CONSTANT_VALUE.match(written)
    if not match:
        raise ValueError(
            f"'{value}' is not a number; write a constant as 15704, 15704.5 or '85%' (at most 6 decimals)"
        )
    number = Fraction(match.group(1)) / (100 if match.group(2) else 1)
    if number > 10**12:
        raise ValueError(f"'{value}' is too large; constants go up to 1,000,000,000,000")
    return number


def constant_name_ok(name: str) -> bool:
    """Whether ``name`` can be written ``plan.NAME`` in a rule."""
    return bool(_CONSTANT_NAME.match(name))


class ConstantSpec(_Strict):
    """A number the plan compares against that is not in the data (a province's average
    income), named once and used in rules as ``plan.NAME``::

        constants:
          province_rural_income:
            value: 15704
            title: {zh: 全省农村居民人均可支配收入（元）, en: province rural income per person (yuan)}
            source: 省统计局2021年统计公报

    ``submission.yaml`` may give a newer value under ``constants:`` (the figure of the round's year).
    """

    value: Any  # a number, or text such as '85%'; checked by constant_value (yes/no refused)
    title: Text
    source: str = ""


class RuleSpec(_Strict):
    """One rule as written in the file, before its expressions are checked."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", max_length=64)
    clause: str
    part: str
    title: Text
    text: str = Field(min_length=1)
    lead: list[str] = Field(min_length=1)
    partners: list[str] = []
    table: str
    scope: str = "true"
    kind: str  # a measure kind of the registry (houfu_check.kinds)
    condition: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    sum: str | None = None
    target: str
    warn: str | None = None  # a warning band: below this (but meeting target) the rule warns
    rate_per: int | None = Field(default=None, ge=1, le=1_000_000, strict=True)  # a ratio per 1,000
    severity: Severity = "fail"
    annual: bool = False  # a yearly target: before Q4 judged on its pro-rata share (per_year)
    basis: Basis = "stated"  # whether the plan states the number, or the pack reads it into words
    note: Text | None = None  # the reading, one line in each language (required for an interpretation)
    due: dt.date | None = None  # a deadline: before it, the rule shows its value and is "not yet due"

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        from houfu_check.kinds import KINDS

        if value not in KINDS:
            raise ValueError(f"'{value}' is not a kind of measure; the kinds are: {', '.join(KINDS)}")
        return value

    @field_validator("clause", mode="before")
    @classmethod
    def _clause_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("scope", "condition", "numerator", "denominator", "sum", mode="before")
    @classmethod
    def _number_text(cls, value: object) -> object:
        """``denominator: 1`` is an expression too (YAML reads it as a number)."""
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class ContinuitySpec(_Strict):
    """Between two rounds (``houfu-check compare``): per column of ``table``, the largest
    plausible change of one unit's value; a larger jump is listed for a second look::

        continuity: {table: households, max_change: {members: 3, labor_count: 3}}
    """

    table: str | None = None
    max_change: dict[str, int] = {}


class RuleFileSpec(_Strict):
    """The whole rule file. Each item of ``rules`` is checked as a :class:`RuleSpec` on its
    own, so that one run reports the problems of every rule."""

    version: Literal[1]
    contract: str | None = None  # the contract file, beside the rule file (default: the shipped one)
    plan: PlanSpec
    parts: list[PartSpec] = Field(min_length=1)
    rules: list[Any] = Field(min_length=1)
    continuity: ContinuitySpec = field(default_factory=ContinuitySpec)
    constants: dict[str, ConstantSpec] = {}


@dataclass(frozen=True)
class Target:
    """A comparison and a number, exact: ``>= 40%`` is ``(">=", Fraction(2, 5), percent)``."""

    op: str
    value: Fraction
    percent: bool
    constant: str | None = None  # the plan constant it was written as (``>= plan.province_income``)

    @classmethod
    def parse(cls, text: str, constants: dict[str, Fraction] | None = None) -> Target:
        """Read ``>= 40%``, ``== 0``, ``≥ 20``, ``>= plan.NAME``; raise ValueError otherwise."""
        named = _CONSTANT_TARGET.match(text)
        if named:
            op, name = named.groups()
            if name not in (constants or {}):
                known = ", ".join(f"plan.{k}" for k in constants or {}) or "none (add constants: to the pack)"
                raise ValueError(f"'plan.{name}' is not a constant of the plan; constants: {known}")
            return cls(_OPS.get(op, op), (constants or {})[name], False, name)
        match = _TARGET.match(text)
        if not match:
            raise ValueError(
                f"'{text}' is not a target; expected a comparison and a number, e.g. '>= 40%', '== 0' "
                "or '>= plan.NAME'"
            )
        op, number, percent = match.groups()
        value = Fraction(number)
        if percent:
            value /= 100
        return cls(_OPS.get(op, op), value, bool(percent))

    def met_by(self, actual: Fraction | int) -> bool:
        """Whether ``actual`` meets the target, compared exactly."""
        return bool(_COMPARE[self.op](actual, self.value))  # int and Fraction compare exactly

    @property
    def number(self) -> float | int:
        """The target as JSON shows it: a fraction 0–1 for percentages, else the number."""
        if self.value.denominator == 1 and not self.percent:
            return int(self.value)
        return float(self.value)

    def __str__(self) -> str:
        shown = self.value * 100 if self.percent else self.value
        number = _exact_text(shown)
        symbol = {">=": "≥", "<=": "≤", "==": "="}.get(self.op, self.op)
        named = f" (plan.{self.constant})" if self.constant else ""
        return f"{symbol} {number}{'%' if self.percent else ''}{named}"


def _exact_text(value: Fraction) -> str:
    """A target's number as written: ``40``, ``12.5``, ``13,406.25`` (thousands separated from
    10,000 on), never rounded; a fraction that no decimal ends (1/3) to 6 places."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 40
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = f"{exact:f}" if _ends(value) else f"{exact:.6f}"
    whole, _, part = text.partition(".")
    part = part.rstrip("0")
    grouped = f"{int(whole):,}" if abs(int(whole)) >= 10_000 else whole
    return grouped + (f".{part}" if part else "")


def _ends(value: Fraction) -> bool:
    """Whether ``value`` has a finite decimal form (its denominator has no prime but 2 and 5)."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


@dataclass(frozen=True)
class Waiver:
    """An approved exception: ``unit`` is left out of rule ``rule`` until ``until``."""

    rule: str
    unit: str
    reason: str
    approved_by: str
    until: dt.date
    line: int | None = None  # where it is written in the waiver file


@dataclass(frozen=True)
class ProRata:
    """How an annual rule is judged before Q4: on the share of its yearly figure due by then."""

    period: Period
    judged: str  # what was required by the period's end, e.g. "new_young_party_members >= 2"
    year_end: str  # what the year requires, e.g. "new_young_party_members >= 2"


@dataclass(frozen=True)
class Rule:
    """A checked rule: its spec plus compiled expressions, ready for the engine."""

    spec: RuleSpec
    target: Target  # for an annual count or total before Q4: the pro-rata share
    scope: Compiled
    condition: Compiled | None
    numerator: Compiled | None
    denominator: Compiled | None
    sum: Compiled | None
    pro_rata: ProRata | None = None  # an annual rule before the year's last quarter
    waivers: tuple[Waiver, ...] = ()  # units left out of scope, by approved exception
    warn_target: Target | None = None  # the band's upper edge: below it (target met) is a warning

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def columns(self) -> frozenset[str]:
        """Every column of the unit's row the rule reads (an aggregate, by its text)."""
        parts = (self.scope, self.condition, self.numerator, self.denominator, self.sum)
        return frozenset().union(*(p.columns for p in parts if p is not None))

    @property
    def reads(self) -> list[tuple[str, str]]:
        """Every data column the rule reads, as (table, column): its own table's, and those
        its aggregates read in the tables below."""
        parts = [p for p in (self.scope, self.condition, self.numerator, self.denominator, self.sum) if p]
        found = {(self.spec.table, c) for p in parts for c in p.columns if "(" not in c}
        for part in parts:
            for agg in part.aggregates:
                found.update((agg.table, c) for c in (agg.inner.columns if agg.inner else ()))
        return sorted(found)


@dataclass(frozen=True)
class RuleSet:
    """All rules of a file, in file order, with the plan and its parts."""

    plan: PlanSpec
    parts: tuple[PartSpec, ...]
    rules: tuple[Rule, ...]
    source: str  # where it was loaded from (for messages and the report)
    sha256: str
    contract: Contract
    period: Period | None = None  # the period annual rules were compiled for
    continuity: ContinuitySpec = field(default_factory=ContinuitySpec)
    constants: dict[str, Fraction] = field(default_factory=dict)  # plan.NAME → value, as used
    constants_from: dict[str, str] = field(default_factory=dict)  # plan.NAME → where its value is from
