"""A bill's arithmetic (004 part 5): its status from what is due and paid, what is still owed
and its late fee (滞纳金), what was paid beyond it. Pure: no database, no clock."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from quanyi.contributions.models import BillStatus
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook.calc import late_fee


class Owed(Protocol):
    """What the arithmetic reads of a bill."""

    month: str
    due_fen: int
    paid_fen: int


def status_of(due_fen: int, paid_fen: int) -> BillStatus:
    if paid_fen >= due_fen:
        return BillStatus.PAID
    return BillStatus.PARTIAL if paid_fen else BillStatus.OWED


def overpaid(bill: Owed) -> int:
    """Fen paid beyond the bill (a duplicate or excess payment), not yet refunded."""
    return max(0, bill.paid_fen - bill.due_fen)


def due_date(month: str) -> date:
    """Contributions for a month are due by the 15th of the next month."""
    following = YearMonth.parse(month).add(1)
    return date(following.year, following.month, 15)


def arrears(bill: Owed, on: date) -> dict[str, int]:
    """What the bill still owes on ``on`` and the late fee run up since it was due."""
    owed = bill.due_fen - bill.paid_fen
    days = (on - due_date(bill.month)).days
    return {"owed_fen": owed, "late_fee_fen": late_fee(owed, days)}
