"""Writing contribution history that arrives whole — bills already paid or not, with their lines
and payments — by the bulk writers, then crediting the paid pension lines to the accounts:
the legacy import and the demo's history both come this way.

Each table gets one batch event carrying the Merkle root of its rows' leaves (computed while
writing), so nothing is read back; the caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from quanyi.audit import bulk as audit_bulk
from quanyi.audit import services as audit
from quanyi.contributions import bulk
from quanyi.contributions.models import Bill, BillStatus, Line, Payment
from quanyi.core.principal import Principal
from quanyi.personal_accounts import services as accounts

Amounts = tuple[
    int, str, int, int, int, int
]  # person, insurance, base, employer, employee, account


@dataclass(frozen=True)
class PastBill:
    employer_id: int
    month: str
    kind: str  # monthly | legacy
    lines: list[Amounts]
    paid_on: date | None  # paid in full that day, or still owed


@dataclass(frozen=True)
class Written:
    rows: list[bulk.LineRow]
    first_line: int
    paid_on: dict[int, date]  # bill id → the day it was paid

    def credits_by_year(self, region_of: Callable[[int], str]) -> dict[int, list[accounts.Credit]]:
        """The paid pension lines as account credits, by the year they were paid."""
        found: dict[int, list[accounts.Credit]] = defaultdict(list)
        for offset, (bill_id, person_id, insurance, month, *_, account_fen, _) in enumerate(
            self.rows
        ):
            on = self.paid_on.get(bill_id)
            if on is None or insurance != "pension":
                continue
            found[on.year].append(
                accounts.Credit(
                    person_id, month, account_fen, self.first_line + offset, region_of(person_id)
                )
            )
        return found

    def paid_months(self) -> list[tuple[int, str]]:
        """(person, insurance) once per paid line: what counts toward contribution months."""
        return [(row[1], row[2]) for row in self.rows if row[0] in self.paid_on]


def write(
    principal: Principal,
    bills: list[PastBill],
    channel: str,
    reference: Callable[[int], str],
    persons_from_relations: bool = False,
) -> Written:
    """Bills, lines and payments (``reference(bill_id)`` is each payment's bank reference)."""
    if not bills:
        return Written([], 0, {})
    first_bill = audit_bulk.next_ids("contributions_bill", len(bills))
    ids = range(first_bill, first_bill + len(bills))
    dues = [sum(line[3] + line[4] for line in bill.lines) for bill in bills]
    seq = audit.reserve_seq()
    _, leaves = audit_bulk.write_rows(
        Bill,
        [
            bill_values(
                bill.employer_id, bill.month, bill.kind, due, len(bill.lines), bool(bill.paid_on)
            )
            for bill, due in zip(bills, dues, strict=True)
        ],
        seq,
        first=first_bill,
    )
    audit.record_batch_leaves(principal, f"contribution.{bills[0].kind}_bills", Bill, seq, leaves)
    rows: list[bulk.LineRow] = [
        (bill_id, p, i, bill.month, b, er, ee, ac, "due")
        for bill_id, bill in zip(ids, bills, strict=True)
        for p, i, b, er, ee, ac in bill.lines
    ]
    seq = audit.reserve_seq()
    first_line, leaves = bulk.write_lines(rows, seq, persons_from_relations)
    audit.record_batch_leaves(principal, "contribution.lines", Line, seq, leaves)
    paid_on = {
        bill_id: bill.paid_on
        for bill_id, bill in zip(ids, bills, strict=True)
        if bill.paid_on is not None
    }
    if paid_on:
        due_of = dict(zip(ids, dues, strict=True))
        seq = audit.reserve_seq()
        _, leaves = audit_bulk.write_rows(
            Payment,
            [
                (bill_id, due_of[bill_id], on.isoformat(), reference(bill_id), channel)
                for bill_id, on in paid_on.items()
            ],
            seq,
        )
        audit.record_batch_leaves(principal, "contribution.payment", Payment, seq, leaves)
    return Written(rows, first_line, paid_on)


def bill_values(
    employer_id: int, month: str, kind: str, due_fen: int, lines: int, paid: bool
) -> tuple[int, str, str, int, int, int, str]:
    """A new bill's values in ``Bill``'s audit-field order, for the bulk writer: unpaid, or
    paid in full."""
    status = BillStatus.PAID if paid else BillStatus.OWED
    return (employer_id, month, kind, due_fen, due_fen if paid else 0, lines, status.value)
