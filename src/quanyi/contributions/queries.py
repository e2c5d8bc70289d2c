"""Reading contributions for the record and for arrears."""

from __future__ import annotations

from datetime import date
from typing import Any

from quanyi.access.policy import authorize
from quanyi.contributions.models import Bill, BillStatus, Line
from quanyi.core.principal import Principal
from quanyi.registry import services as registry


def record_part(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    """The ``contributions`` part of the record."""
    return {"contributions": contributions_part(person_id)}


def contributions_part(person_id: int) -> list[dict[str, Any]]:
    rows = (
        Line.objects.filter(person_id=person_id)
        .order_by("month", "insurance", "pk")
        .values_list(
            "insurance", "month", "base_fen", "employer_fen", "employee_fen", "bill__status"
        )
    )
    return [
        {
            "insurance": insurance,
            "month": month,
            "base_fen": base,
            "employer_fen": employer,
            "employee_fen": employee,
            "status": "paid" if status == BillStatus.PAID else "owed",
        }
        for insurance, month, base, employer, employee, status in rows
    ]


def employer_bills(principal: Principal, uscc: str, on: date | None = None) -> dict[str, Any]:
    """An employer's bills, newest first, with what each still owes (and its late fee as of
    ``on``) or has been paid beyond; what the counter clerk sees before taking a payment."""
    from quanyi.contributions.payments import arrears, overpaid

    authorize(principal, "record.read")
    employer = registry.employer_by_uscc(principal, uscc)
    on = on or date.today()
    bills = []
    for bill in Bill.objects.filter(employer=employer).order_by("-month", "-pk"):
        owed = arrears(bill, on) if bill.paid_fen < bill.due_fen else None
        bills.append(
            {
                "id": bill.pk,
                "month": bill.month,
                "kind": bill.kind,
                "lines": bill.lines,
                "due_fen": bill.due_fen,
                "paid_fen": bill.paid_fen,
                "status": bill.status,
                "owed_fen": owed["owed_fen"] if owed else 0,
                "late_fee_fen": owed["late_fee_fen"] if owed else 0,
                "overpaid_fen": overpaid(bill),
            }
        )
    return {
        "employer": {"uscc": employer.uscc, "name": employer.name},
        "on": str(on),
        "bills": bills,
    }
