"""勾稽校验 (004 part 1 art. 36): related records must agree. Each check reports every mismatch.

- every line names a bill and a person that exist (its references, decision 0007);
- each bill's due total = the sum of its lines, and its line count = its lines;
- each bill's paid total = its payments less its refunds, and its status follows from the two;
- each account balance = the sum of its ledger entries, year by year;
- contribution months = the distinct paid months of the lines.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, Sum

from quanyi.access.policy import authorize
from quanyi.contributions.models import Bill, Line, Payment, Refund
from quanyi.contributions.payments import status_of
from quanyi.core.principal import Principal


def check(principal: Principal) -> list[str]:
    from quanyi.personal_accounts.rebuild import compare

    authorize(principal, "accounts.close")
    problems: list[str] = []
    lines = {
        row["bill_id"]: row
        for row in Line.objects.values("bill_id").annotate(
            n=Count("id"), employer=Sum("employer_fen"), employee=Sum("employee_fen")
        )
    }
    paid: dict[int, int] = defaultdict(int)
    for bill_id, amount in Payment.objects.values_list("bill_id", "amount_fen"):
        paid[bill_id] += amount
    for bill_id, amount in Refund.objects.values_list("bill_id", "amount_fen"):
        paid[bill_id] -= amount
    for bill in Bill.objects.order_by("pk").iterator(chunk_size=5000):
        summed = lines.get(bill.pk, {"n": 0, "employer": 0, "employee": 0})
        total = (summed["employer"] or 0) + (summed["employee"] or 0)
        if total != bill.due_fen or summed["n"] != bill.lines:
            problems.append(
                f"bill {bill.pk}: due {bill.due_fen} over {bill.lines} lines,"
                f" lines sum to {total} over {summed['n']}"
            )
        if paid[bill.pk] != bill.paid_fen:
            problems.append(
                f"bill {bill.pk}: paid {bill.paid_fen},"
                f" payments less refunds sum to {paid[bill.pk]}"
            )
        expected = status_of(bill.due_fen, bill.paid_fen)
        if bill.status != expected:
            problems.append(f"bill {bill.pk}: status {bill.status}, amounts say {expected}")
    problems += _orphan_lines()
    problems += compare().differences
    return problems


def _orphan_lines() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.id, l.bill_id, l.person_id FROM contributions_line l"
            " LEFT JOIN contributions_bill b ON b.id = l.bill_id"
            " LEFT JOIN registry_person p ON p.id = l.person_id"
            " WHERE b.id IS NULL OR p.id IS NULL ORDER BY l.id"
        )
        return [
            f"line {pk}: names bill {bill} and person {person}, one of which does not exist"
            for pk, bill, person in cursor.fetchall()
        ]
