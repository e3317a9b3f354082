"""``passing``: how many units in scope meet ``condition``.

Example — at least 90 communities have a service centre::

    kind: passing
    condition: service_center
    target: ">= 90"

Failing units: those in scope that do not meet it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from houfu_check.kinds.base import Measured, MeasureKind, example_of, never_fails, scope_of

if TYPE_CHECKING:
    from houfu_check.rules.model import Rule, RuleSpec, Target


def _measure(rule: Rule, fig: dict[str, Any], failing: int) -> Measured:
    scope = scope_of(fig)
    return Measured(scope - failing if scope else None)


def _check(spec: RuleSpec, target: Target) -> str | None:
    if never_fails(target):
        return f"a count is never below 0, so '{spec.target}' can never fail; write a target such as '>= 5'"
    return None


KIND = MeasureKind(
    name="passing",
    summary="how many units in scope meet `condition`",
    failing="the units that do not meet `condition`",
    example=example_of(__doc__),
    fields={"condition": True},
    measure=_measure,
    target=lambda spec: "whole",
    display=lambda rule: "number",
    check=_check,
)
