"""What a measure kind is: its fields, its target, how it is measured and shown.

A rule's ``kind`` names one :class:`MeasureKind` of the registry (:mod:`houfu_check.kinds`).
Adding a kind is one module beside this one (a ``KIND``) plus its cases in
``tests/rule_language_cases.yaml``; the loader, the engine, the formats and the generated
reference (``docs/writing-a-pack.md``) read it from the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from houfu_check.report import Display
    from houfu_check.rules.model import Rule, RuleSpec, Target

#: what a target of the kind is written as: a percentage, a whole number, or any number
TargetForm = Literal["percent", "whole", "number"]
Number = Fraction | int


@dataclass(frozen=True)
class Measured:
    """A rule's figure in one round: its value, and what it is made of (shown beside it)."""

    actual: Number | None  # None: nothing to judge (n/a)
    numerator: Number | None = None
    denominator: Number | None = None


@dataclass(frozen=True)
class MeasureKind:
    """One kind of measure."""

    name: str
    summary: str  # one line: what is measured
    failing: str  # one line: which units are listed as failing
    example: str  # a rule's kind-specific lines, as YAML
    fields: dict[str, bool]  # expression field → required (True) or optional (False); others refused
    measure: Callable[[Rule, dict[str, Any], int], Measured]  # figures, failing count → value
    target: Callable[[RuleSpec], TargetForm]  # what its target must be written as
    display: Callable[[Rule], Display] = lambda rule: "percent"  # percent | change | rate | number
    check: Callable[[RuleSpec, Target], str | None] = lambda spec, target: None  # a contradiction
    annual_needs_per_year: bool = False  # an annual rule must say per_year(N) (its figure is a rate)


def example_of(doc: str | None) -> str:
    """The example of a kind's docstring: the indented lines after its ``::``."""
    text = (doc or "").split("::", 1)[-1]
    block: list[str] = []
    for line in text.splitlines()[1:]:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block).strip("\n")


def never_fails(target: Target) -> bool:
    """Whether a target every value of 0 or more meets (``>= 0``): a rule that can never fail."""
    return target.op == ">=" and target.value == 0


def number(value: Any) -> Number:
    """A sum as an exact number: whole numbers stay int, decimals become fractions."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    exact = Fraction(value)  # a Decimal, exactly
    return int(exact) if exact.denominator == 1 else exact


def scope_of(fig: dict[str, Any]) -> int:
    """How many units the rule looked at."""
    return int(fig["scope"] or 0)
