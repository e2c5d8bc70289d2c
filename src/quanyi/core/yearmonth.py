"""Year-months (e.g. contribution months) as a small ordered value type, stored as ``YYYY-MM``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from quanyi.core.errors import FieldError, InvalidInput

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class YearMonth:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if not 1900 <= self.year <= 2200:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str, field: str = "month") -> YearMonth:
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match:
            try:
                return cls(int(match.group(1)), int(match.group(2)))
            except ValueError:
                pass
        raise InvalidInput(
            [
                FieldError(
                    field,
                    "bad_month",
                    f"年月格式应为 YYYY-MM，收到 {_shown(text)}",
                    f"expected a month as YYYY-MM, got {_shown(text)}",
                )
            ]
        )

    @classmethod
    def of(cls, day: date) -> YearMonth:
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        """Months since year 0: differences of indexes count months."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> YearMonth:
        return cls(index // 12, index % 12 + 1)

    def add(self, months: int) -> YearMonth:
        return YearMonth.from_index(self.index + months)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _shown(text: object) -> str:
    """What was typed, cut short: a refusal never echoes a huge value back."""
    shown = repr(text)
    return shown if len(shown) <= 24 else shown[:20] + "…"


def month_range(start: YearMonth, end: YearMonth) -> Iterator[YearMonth]:
    """Every month from ``start`` to ``end`` inclusive."""
    for index in range(start.index, end.index + 1):
        yield YearMonth.from_index(index)


def months_between(start: YearMonth, end: YearMonth) -> int:
    """Number of months from ``start`` to ``end`` inclusive (0 if end precedes start)."""
    return max(0, end.index - start.index + 1)
