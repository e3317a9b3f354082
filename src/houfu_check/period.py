"""Reporting periods (``2022-Q3``) and the pro-rata share of an annual target."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

_PERIOD = re.compile(r"^\s*((?:19|20|21)[0-9]{2})\s*-?\s*[Qq]([1-4])\s*$")  # ASCII, 1900–2199


@dataclass(frozen=True, order=True)
class Period:
    """A quarter of a year."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2022-Q3`` (also ``2022Q3``, ``2022-q3``); ValueError otherwise."""
        match = _PERIOD.match(str(text))
        if not match:
            raise ValueError(f"'{text}' is not a period; expected a year and quarter such as 2022-Q3")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def share_of_year(self) -> Fraction:
        """The part of the year gone by at the quarter's end: 3/4 for Q3."""
        return Fraction(self.quarter, 4)

    @property
    def is_year_end(self) -> bool:
        return self.quarter == 4

    @property
    def start(self) -> dt.date:
        """The quarter's first day."""
        return dt.date(self.year, self.quarter * 3 - 2, 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day."""
        month = self.quarter * 3
        first_of_next = dt.date(self.year + month // 12, month % 12 + 1, 1)
        return first_of_next - dt.timedelta(days=1)

    def pro_rata(self, per_year: int) -> int:
        """The share of ``per_year`` due by the quarter's end, rounded up: 2 × 3/4 → 2."""
        return -(-per_year * self.quarter // 4)

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"
