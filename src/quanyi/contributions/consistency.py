"""勾稽校验 (004 part 1 art. 36) of contributions: related records must agree. Each check
reports every mismatch.

- every line names a bill and a person that exist (its references, decision 0007);
- each bill's due total = the sum of its lines, and its line count = its lines;
- each bill's paid total = its payments less its refunds, and its status follows from the two.

The bill figures are computed once, here: the operator's ``check consistency`` (with the
account's, ``personal_accounts.consistency``) prints them and ``audit verify`` runs them as a
registered check (001 art. 6 ¶4, 12; DESIGN.md invariant 5).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.db.models import Count, Sum

from quanyi.audit import checks
from quanyi.contributions.calc import status_of
from quanyi.contributions.models import Bill, Line, Payment, Refund
from quanyi.core.projection import Difference, capped, differs, walk

STREAM_CHUNK = 10000
BILLS = Bill._meta.db_table
BILL_FIELDS = ("due_fen", "paid_fen", "lines", "status")


def problems() -> list[str]:
    """Every bill whose figures its ledgers do not give, and every line naming a bill or a
    person that does not exist."""
    return [d.en for d in bill_differences()] + orphan_lines()


def bill_differences() -> Iterator[Difference]:
    """Each bill whose due total, line count, paid total or status its lines, payments and
    refunds do not give — one pass over each, summed by bill in the database."""
    stored = (
        Bill.objects.order_by("pk")
        .values_list("pk", *BILL_FIELDS)
        .iterator(chunk_size=STREAM_CHUNK)
    )
    lines = (
        Line.objects.values("bill_id")
        .annotate(n=Count("id"), employer=Sum("employer_fen"), employee=Sum("employee_fen"))
        .order_by("bill_id")
        .values_list("bill_id", "n", "employer", "employee")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    paid, refunded = (
        model.objects.values("bill_id")
        .annotate(total=Sum("amount_fen"))
        .order_by("bill_id")
        .values_list("bill_id", "total")
        .iterator(chunk_size=STREAM_CHUNK)
        for model in (Payment, Refund)
    )
    for bill_id, (held, summed, payments, refunds) in walk(stored, lines, paid, refunded):
        _, count, employer, employee = summed[0] if summed else (bill_id, 0, 0, 0)
        due = (employer or 0) + (employee or 0)
        paid_fen = (payments[0][1] if payments else 0) - (refunds[0][1] if refunds else 0)
        expected = dict(
            zip(BILL_FIELDS, (due, paid_fen, count, status_of(due, paid_fen).value), strict=True)
        )
        found = differs(
            BILLS,
            f"bill {bill_id}",
            f"账单 {bill_id}",
            dict(zip(BILL_FIELDS, held[0][1:], strict=True)) if held else None,
            expected,
        )
        if found:
            yield found


def verify_check() -> Iterator[checks.Finding]:
    """``audit verify``'s check of the bills' figures (registered in ``apps.py``)."""
    for en, zh in capped(bill_differences()):
        yield checks.Finding(en, zh)


def orphan_lines() -> list[str]:
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
