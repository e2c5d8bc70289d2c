"""Reading parameters as of a day, for a region: the most specific region that has a value
(the region itself, then the codes covering it, then the national default), and of its rows the
latest that has started."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from quanyi.core.errors import NotFound
from quanyi.rulebook.models import Parameter

NATIONAL = "000000"


def covering(region: str) -> list[str]:
    """110105 → [110105, 110100, 110000, 000000]."""
    chain = [region, region[:4] + "00", region[:2] + "0000", NATIONAL]
    return list(dict.fromkeys(chain))


@dataclass
class Rulebook:
    """A snapshot of the parameter table, for calculations that read many values."""

    rows: dict[tuple[str, str], list[tuple[date, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def load(cls) -> Rulebook:
        book = cls()
        for key, region, valid_from, value, pk in Parameter.objects.order_by(
            "valid_from", "pk"
        ).values_list("key", "region", "valid_from", "value", "pk"):
            book.rows[(key, region)].append((valid_from, value, pk))
        return book

    def find(self, key: str, region: str, on: date) -> tuple[str, str, date, int] | None:
        """(value, region it came from, valid_from, row id) or None."""
        for candidate in covering(region):
            best = None
            for valid_from, value, pk in self.rows.get((key, candidate), ()):
                if valid_from <= on:
                    best = (value, candidate, valid_from, pk)
            if best is not None:
                return best
        return None

    def text(self, key: str, region: str, on: date) -> str:
        found = self.find(key, region, on)
        if found is None:
            raise NotFound(
                f"参数 {key} 在 {region} 于 {on} 无取值",
                f"parameter {key} has no value for {region} on {on}",
            )
        return found[0]

    def fraction(self, key: str, region: str, on: date) -> Decimal:
        return Decimal(self.text(key, region, on))

    def fen(self, key: str, region: str, on: date) -> int:
        return int(self.text(key, region, on))
