"""``count``: how many units in scope do *not* meet ``condition`` — a count of failures.

Example — no household without anyone in work::

    kind: count
    scope: labor_count >= 1
    condition: employed_count >= 1
    target: "== 0"

Failing units: those counted. A target such as ``>= 90`` would ask for failures and is
refused; to count the units that pass, use ``passing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from houfu_check.kinds.base import Measured, MeasureKind, example_of, never_fails, scope_of

if TYPE_CHECKING:
    from houfu_check.rules.model import Rule, RuleSpec, Target


def _measure(rule: Rule, fig: dict[str, Any], failing: int) -> Measured:
    return Measured(failing if scope_of(fig) else None)


def _check(spec: RuleSpec, target: Target) -> str | None:
    if never_fails(target):
        return f"a count is never below 0, so '{spec.target}' can never fail; write a target such as '== 0'"
    if target.op in (">=", ">") and target.value > 0 and not spec.annual:
        return (
            f"a count rule counts the units that fail its condition, so '{spec.target}' asks for failures; "
            "write the condition a unit must meet and a target such as '== 0' or '<= 5' "
            "(or use kind: passing to count the units that meet it)"
        )
    return None


KIND = MeasureKind(
    name="count",
    summary="how many units in scope do not meet `condition`",
    failing="the units counted",
    example=example_of(__doc__),
    fields={"condition": True},
    measure=_measure,
    target=lambda spec: "whole",
    display=lambda rule: "number",
    check=_check,
)
