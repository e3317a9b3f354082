"""The registry of measure kinds: ``kind:`` in a rule names one. Each kind is one module here
(its fields, target, measure and display, documented with an example where it is defined)."""

from __future__ import annotations

from houfu_check.kinds import count, growth, passing, ratio, share, total
from houfu_check.kinds.base import Measured, MeasureKind

KINDS: dict[str, MeasureKind] = {
    kind.KIND.name: kind.KIND for kind in (share, ratio, total, count, passing, growth)
}

__all__ = ["KINDS", "MeasureKind", "Measured"]
