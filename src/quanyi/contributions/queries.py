"""Reading contributions: for the record, for arrears, and what a posting reads (the relations
active in a month, the declared bases, the bills already posted)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from quanyi.access.errors import Refused
from quanyi.access.policy import authorize
from quanyi.audit.models import AuditEvent
from quanyi.contributions.calc import arrears, fee_from, overpaid
from quanyi.contributions.models import (
    Bill,
    BillStatus,
    Declaration,
    Line,
    LineCorrection,
    LineKind,
    Payment,
    PostedMonth,
)
from quanyi.core import regions
from quanyi.core.bulkwork import chunks
from quanyi.core.identifiers import mask, mask_name
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services as registry
from quanyi.registry.models import EMPLOYEE_INSURANCES, Employer, InsuranceRelation


def record_part(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    """The ``contributions`` part of the record."""
    return {"contributions": contributions_part(person_id)}


def record_parts(person_ids: Sequence[int], items: frozenset[str]) -> dict[int, dict[str, Any]]:
    """``record_part`` for many persons, a chunk of them per query."""
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in person_ids}
    for chunk in chunks(sorted(found)):
        gone = set(
            LineCorrection.objects.filter(person_id__in=chunk).values_list("old_line_id", flat=True)
        )
        rows = (
            Line.objects.filter(person_id__in=chunk)
            .exclude(kind=LineKind.REVERSAL)
            .exclude(pk__in=gone)
            .order_by("person_id", "month", "insurance", "pk")
            .values_list("person_id", *_LINE_COLUMNS)
        )
        for person_id, *row in rows:
            found[person_id].append(_line_row(*row))
    return {pk: {"contributions": lines} for pk, lines in found.items()}


_LINE_COLUMNS = (
    "insurance",
    "month",
    "base_fen",
    "employer_fen",
    "employee_fen",
    "bill__status",
    "bill__employer__uscc",
)


def _line_row(
    insurance: str, month: str, base: int, employer: int, employee: int, status: str, uscc: str
) -> dict[str, Any]:
    return {
        "insurance": insurance,
        "month": month,
        "base_fen": base,
        "employer_fen": employer,
        "employee_fen": employee,
        "status": "paid" if status == BillStatus.PAID else "owed",
        "uscc": uscc or "",
    }


def contributions_part(person_id: int) -> list[dict[str, Any]]:
    """The person's lines as they stand: a line a correction reversed, and its reversal, are
    left out; the corrected line shows in their place."""
    gone = set(
        LineCorrection.objects.filter(person_id=person_id).values_list("old_line_id", flat=True)
    )
    rows = (
        Line.objects.filter(person_id=person_id)
        .exclude(kind=LineKind.REVERSAL)
        .exclude(pk__in=gone)
        .order_by("month", "insurance", "pk")
        .values_list(*_LINE_COLUMNS)
    )
    return [_line_row(*row) for row in rows]


def employer_bills(principal: Principal, uscc: str, on: date | None = None) -> dict[str, Any]:
    """An employer's bills, newest first, with what each still owes (its late fee as of ``on``
    and the day that fee runs from) or has been paid beyond; what the counter clerk sees
    before taking a payment."""
    employer = _employer_for(principal, uscc)
    on = on or date.today()
    found = list(Bill.objects.filter(employer=employer).order_by("-month", "-pk"))
    issued = _issued_on([b.audit_seq for b in found if b.kind == "monthly" and b.audit_seq])
    bills = []
    for bill in found:
        issued_on = issued.get(bill.audit_seq or 0) if bill.kind == "monthly" else None
        owed = arrears(bill, on, issued_on) if bill.paid_fen < bill.due_fen else None
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
                "fee_from": fee_from(bill.month, issued_on) if owed else None,
                "overpaid_fen": overpaid(bill),
            }
        )
    return {
        "employer": {"uscc": employer.uscc, "name": employer.name},
        "on": str(on),
        "bills": bills,
    }


def _employer_for(principal: Principal, uscc: str) -> Employer:
    """The employer whose bills and staff are asked for: any in the region for staff who may
    read records; for an employer's own account, itself and no other (001 art. 16)."""
    if principal.kind == "employer":
        authorize(principal, "contributions.own")
        own = Employer.objects.filter(pk=principal.employer_id or 0).first()
        if own is None or own.uscc != uscc.strip().upper():
            raise Refused(
                "用人单位账户只可查看本单位的账单、缴费和职工（001 第十六条）",
                "refused: an employer's account sees its own bills, payments and staff only"
                " (001 art. 16)",
                "contributions.own",
            )
        return own
    authorize(principal, "record.read")
    return registry.employer_by_uscc(principal, uscc)


def _issued_on(seqs: list[int]) -> dict[int, date]:
    """The local day each posting batch (by its audit seq) wrote its monthly bills: a bill
    posted after its due date runs no late fee for the days before it existed."""
    rows = AuditEvent.objects.filter(seq__in=seqs, action="contribution.bills").values_list(
        "seq", "time"
    )
    return {seq: timezone.localtime(time).date() for seq, time in rows}


STAFF_SHOWN = 500  # a screen, not an export: the largest employers are read in pages elsewhere


def employer_page(principal: Principal, uscc: str, on: date | None = None) -> dict[str, Any]:
    """The employer page (用人单位): its bills as ``employer_bills``, the ones still open to
    pay at the counter, the totals owed and of late fees, its payments, and its staff — the
    persons with a relation open with it, id numbers masked (never with a birth date)."""
    found = employer_bills(principal, uscc, on)
    employer = _employer_for(principal, uscc)
    bills = found["bills"]
    open_bills = [b for b in bills if b["status"] != BillStatus.PAID]
    payments = list(
        Payment.objects.filter(bill__employer=employer)
        .order_by("-paid_on", "-pk")
        .values("bill_id", "bill__month", "amount_fen", "paid_on", "bank_ref", "channel")[:100]
    )
    staff: dict[int, dict[str, Any]] = {}
    relations = (
        InsuranceRelation.objects.filter(employer=employer, end_month__isnull=True)
        .select_related("person")
        .order_by("person__name", "person_id", "insurance")
    )
    for relation in relations:
        person = relation.person
        row = staff.get(person.pk)
        if row is None:
            if len(staff) >= STAFF_SHOWN:
                continue
            row = staff[person.pk] = {
                "person_id": person.pk,  # for an opaque reference on a screen, never shown
                "name": mask_name(person.name),
                "id_number": mask(person.id_number),
                "category": person.category,
                "since": relation.start_month,
                "insurances": [],
            }
        row["insurances"].append(relation.insurance)
        row["since"] = min(row["since"], relation.start_month)
    return {
        **found,
        "employer": {
            "uscc": employer.uscc,
            "name": employer.name,
            "region": employer.region,
            "injury_class": employer.injury_class,
            "status": employer.status,
        },
        "open_bills": open_bills,
        "owed_fen": sum(b["owed_fen"] for b in open_bills),
        "late_fee_fen": sum(b["late_fee_fen"] for b in open_bills),
        "payments": payments,
        "staff": list(staff.values()),
        "staff_total": relations.values("person_id").distinct().count(),
        "former_staff": _former_staff(employer, set(staff)),
    }


def _former_staff(employer: Employer, current: set[int]) -> list[dict[str, Any]]:
    """Persons once insured through the employer and no longer (001 art. 16: their months
    with it stay its to see), masked, with the months they were with it."""
    spans: dict[int, dict[str, Any]] = {}
    ended = (
        InsuranceRelation.objects.filter(employer=employer, end_month__isnull=False)
        .exclude(person_id__in=current)
        .select_related("person")
        .order_by("person__name", "person_id")
    )
    for relation in ended:
        person = relation.person
        row = spans.setdefault(
            person.pk,
            {
                "person_id": person.pk,
                "name": mask_name(person.name),
                "id_number": mask(person.id_number),
                "since": relation.start_month,
                "until": relation.end_month,
            },
        )
        row["since"] = min(row["since"], relation.start_month)
        row["until"] = max(row["until"], relation.end_month or "")
        if len(spans) >= STAFF_SHOWN:
            break
    return list(spans.values())


# --- what a posting reads --------------------------------------------------------------------


def is_posted(month: YearMonth, region: str) -> bool:
    return PostedMonth.objects.filter(month=str(month), region=region).exists()


def billed_employers(month: YearMonth, employer_ids: Iterable[int] | None = None) -> set[int]:
    """The employers (of ``employer_ids``, or all) whose monthly bill for the month exists."""
    bills = Bill.objects.filter(month=str(month), kind="monthly")
    if employer_ids is not None:
        bills = bills.filter(employer_id__in=list(employer_ids))
    return set(bills.values_list("employer_id", flat=True))


def monthly_totals(month: str, employer_ids: list[int] | None = None) -> tuple[int, int]:
    """(bills, lines) of the month's monthly bills (of ``employer_ids``, or all)."""
    bills = Bill.objects.filter(month=month, kind="monthly")
    if employer_ids is not None:
        bills = bills.filter(employer_id__in=employer_ids)
    return bills.count(), sum(bills.values_list("lines", flat=True))


def _active(month: YearMonth) -> Q:
    return Q(
        employer__isnull=False,
        insurance__in=EMPLOYEE_INSURANCES,
        start_month__lte=str(month),
    ) & (Q(end_month__isnull=True) | Q(end_month__gte=str(month)))


def relation_counts(month: YearMonth, region: str) -> dict[int, int]:
    """Employer id → its relations active in the month, for the employers of the region."""
    rows = (
        InsuranceRelation.objects.filter(_active(month))
        .filter(regions.within("employer__agency_region", region))
        .values("employer_id")
        .annotate(n=Count("id"))
        .values_list("employer_id", "n")
    )
    return dict(rows)


def unit_relations(employer_ids: list[int], month: YearMonth) -> list[tuple[Any, ...]]:
    """(employer, person, insurance) of every relation of these employers active in the
    month, in that order."""
    return _fetch(
        InsuranceRelation.objects.filter(_active(month), employer_id__in=employer_ids)
        .order_by("employer_id", "person_id", "insurance")
        .values_list("employer_id", "person_id", "insurance")
    )


def injury_classes(employer_ids: list[int]) -> dict[int, int]:
    return dict(Employer.objects.filter(pk__in=employer_ids).values_list("pk", "injury_class"))


def _fetch(rows: QuerySet[Any, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """A values_list query's rows straight from the cursor: the ORM's per-row conversion is
    most of the cost when a unit reads tens of thousands of plain integers and codes."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def declared_bases(employer_ids: list[int], month: YearMonth) -> dict[tuple[int, int], int]:
    """Each person's latest declared base with each employer that has started by the month."""
    found: dict[tuple[int, int], tuple[str, int]] = {}
    for employer_id, person_id, valid_from, base in Declaration.objects.filter(
        employer_id__in=employer_ids, valid_from__lte=str(month)
    ).values_list("employer_id", "person_id", "valid_from", "base_fen"):
        key = (employer_id, person_id)
        if key not in found or valid_from > found[key][0]:
            found[key] = (valid_from, base)
    return {key: base for key, (_, base) in found.items()}
