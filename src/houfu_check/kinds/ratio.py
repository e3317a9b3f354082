"""``ratio``: Σ ``numerator`` ÷ Σ ``denominator`` over the units in scope, exactly.

Example — of the people in monitored households, the share in assisted ones::

    kind: ratio
    scope: monitored
    numerator: members if assisted else 0
    denominator: members
    target: ">= 90%"

With ``rate_per: 1000`` the ratio is per 1,000 and its target a number (doctors per 1,000
people: ``target: ">= 1"``); a target of a plan constant (``>= plan.province_income``) is a
number too. Failing units: those not meeting ``condition``, when one is given.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from houfu_check.kinds.base import Measured, MeasureKind, TargetForm, example_of, number, scope_of

if TYPE_CHECKING:
    from houfu_check.rules.model import Rule, RuleSpec


def _measure(rule: Rule, fig: dict[str, Any], failing: int) -> Measured:
    top, bottom = number(fig["num"]), number(fig["den"])
    actual = Fraction(top) / bottom if bottom and scope_of(fig) else None
    if actual is not None and rule.spec.rate_per:
        actual *= rule.spec.rate_per
    return Measured(actual, top, bottom)


def _target(spec: RuleSpec) -> TargetForm:
    return "number" if spec.rate_per or "plan." in spec.target else "percent"


KIND = MeasureKind(
    name="ratio",
    summary="Σ `numerator` ÷ Σ `denominator` over the units in scope (× `rate_per`, if given)",
    failing="the units that do not meet `condition` (optional)",
    example=example_of(__doc__),
    fields={"numerator": True, "denominator": True, "condition": False},
    measure=_measure,
    target=_target,
    display=lambda rule: "rate" if not rule.target.percent else "percent",
    annual_needs_per_year=True,
)
