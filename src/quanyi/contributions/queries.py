"""Reading contributions for the record and for arrears."""

from __future__ import annotations

from typing import Any

from quanyi.contributions.models import BillStatus, Line


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
