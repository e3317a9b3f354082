"""``total``: Σ ``sum`` over the units in scope.

Example — at least 20 community factories in operation::

    kind: total
    sum: factories_operating
    target: ">= 20"

Failing units: those not meeting ``condition``, when one is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from houfu_check.kinds.base import Measured, MeasureKind, TargetForm, example_of, number, scope_of

if TYPE_CHECKING:
    from houfu_check.rules.model import Rule, RuleSpec


def _measure(rule: Rule, fig: dict[str, Any], failing: int) -> Measured:
    return Measured(number(fig["sum"]) if scope_of(fig) else None)


def _target(spec: RuleSpec) -> TargetForm:
    return "number" if "plan." in spec.target else "whole"


KIND = MeasureKind(
    name="total",
    summary="Σ `sum` over the units in scope",
    failing="the units that do not meet `condition` (optional)",
    example=example_of(__doc__),
    fields={"sum": True, "condition": False},
    measure=_measure,
    target=_target,
    display=lambda rule: "number",
)
