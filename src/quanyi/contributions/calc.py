"""A bill's arithmetic (004 part 5): its status from what is due and paid, what is still owed
and its late fee (滞纳金), what was paid beyond it. Pure: no database, no clock."""

from __future__ import annotations

from datetime import date, timedelta
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
    """The last day a month's contributions may be paid without arrears: the end of the month
    after it. The bill for month M is made by the 28th of M, collected in M+1 (bank debits from
    the 2nd, counter payments by the 20th, second debits to the 20th), and what has not arrived
    by the end of M+1 becomes arrears (004 part 5 art. 8, art. 9 一-二, 五-六)."""
    following = YearMonth.parse(month).add(1)
    return following.add(1).first_day() - timedelta(days=1)


def fee_from(month: str, issued_on: date | None = None) -> date:
    """The first day the late fee runs: the day after the due date (自欠缴之日起, 社会保险法
    art. 86; REFERENCE.md "Late fee"), and never before the day after the bill was issued:
    a bill posted after its due date owes nothing for days it did not exist."""
    start = due_date(month)
    if issued_on is not None and issued_on > start:
        start = issued_on
    return start + timedelta(days=1)


def fee_days(month: str, on: date, issued_on: date | None = None) -> int:
    """Days of late fee run up by ``on``, counting the first day and ``on`` itself."""
    return max(0, (on - fee_from(month, issued_on)).days + 1)


def arrears(bill: Owed, on: date, issued_on: date | None = None) -> dict[str, int]:
    """What the bill still owes on ``on`` and the late fee run up since ``fee_from``."""
    owed = bill.due_fen - bill.paid_fen
    return {
        "owed_fen": owed,
        "late_fee_fen": late_fee(owed, fee_days(bill.month, on, issued_on)),
    }
