"""``share``: the share of units in scope that meet ``condition``.

Example — at least 40% of communities are five-star::

    kind: share
    condition: star_rating == 5
    target: ">= 40%"

2 of 5 is exactly 40% and passes. Failing units: those in scope that do not meet it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from houfu_check.kinds.base import Measured, MeasureKind, example_of, never_fails, scope_of

if TYPE_CHECKING:
    from houfu_check.rules.model import Rule, RuleSpec, Target


def _measure(rule: Rule, fig: dict[str, Any], failing: int) -> Measured:
    scope = scope_of(fig)
    return Measured(Fraction(scope - failing, scope) if scope else None, scope - failing, scope)


def _check(spec: RuleSpec, target: Target) -> str | None:
    if not 0 <= target.value <= 1:
        return f"a share lies between 0% and 100%, found '{spec.target}'"
    if never_fails(target) or (target.op == "<=" and target.value == 1):
        return f"a share lies between 0% and 100%, so '{spec.target}' can never fail"
    return None


KIND = MeasureKind(
    name="share",
    summary="the share of units in scope that meet `condition`",
    failing="the units that do not meet `condition`",
    example=example_of(__doc__),
    fields={"condition": True},
    measure=_measure,
    target=lambda spec: "percent",
    check=_check,
    annual_needs_per_year=True,
)
