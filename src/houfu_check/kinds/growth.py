"""``growth``: the change of a ratio (``numerator`` / ``denominator``) or a total (``sum``)
since the previous round — ``--previous DIR``, or ``previous:`` in submission.yaml.

Example — income per person grows by at least 8%::

    kind: growth
    numerator: income
    denominator: members
    target: ">= 8%"

From 4 to 5 is exactly +25%. Without a previous round, or with a previous figure of 0, the
rule is n/a and says why (a previous figure below 0 too: growth from it has no meaning). No
failing units: it is a figure of the whole.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from houfu_check.kinds.base import Measured, MeasureKind, Number, example_of, number, scope_of

if TYPE_CHECKING:
    from houfu_check.rules.model import Rule, RuleSpec, Target


def figure(rule: Rule, fig: dict[str, Any] | None) -> Number | None:
    """The rule's figure in one round: its ratio or total (None: nothing in scope)."""
    if fig is None or not scope_of(fig):
        return None
    if rule.sum is not None:
        return number(fig["sum"])
    bottom = number(fig["den"])
    return Fraction(number(fig["num"])) / bottom if bottom else None


def _measure(rule: Rule, fig: dict[str, Any], failing: int) -> Measured:
    now, then = figure(rule, fig), figure(rule, fig.get("prev"))
    # growth is measured from a figure above 0: from 0 it is undefined, from below 0 its sign lies
    grew = Fraction(now) / then - 1 if now is not None and then is not None and then > 0 else None
    return Measured(grew, now, then)


def _check(spec: RuleSpec, target: Target) -> str | None:
    if spec.annual:
        return "a growth rule compares two rounds; it cannot be annual (remove annual: true)"
    if (spec.sum is None) == (spec.numerator is None or spec.denominator is None):
        return (
            "a growth rule compares a ratio (numerator and denominator) or a total (sum) with the "
            "previous round: give one of the two"
        )
    return None


KIND = MeasureKind(
    name="growth",
    summary="the change since the previous round of Σ `numerator` ÷ Σ `denominator`, or of Σ `sum`",
    failing="none (a figure of the whole)",
    example=example_of(__doc__),
    fields={"numerator": False, "denominator": False, "sum": False},
    measure=_measure,
    target=lambda spec: "percent",
    display=lambda rule: "change",
    check=_check,
)
