"""Back-payment (补缴, 004 part 5): contributions for past months that were never billed, paid
now through a ``contribution.backpay`` case (intake → review → re-check → approval).

Each month gets a bill of kind ``backpay`` with its lines, paid at once at the counter. The
pension share is credited in the year it is paid; for months of closed years the account also
gets the interest they would have earned (补记利息), computed with those years' rates by the
region's method — the case shows that calculation, and the late fee owed to the fund.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.contributions import bulk
from quanyi.contributions.flows import Rates
from quanyi.contributions.models import Bill, BillStatus, Line, Payment
from quanyi.contributions.payments import due_date
from quanyi.core.errors import FieldError, InvalidInput, QuanyiError
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth, month_range
from quanyi.registry import services as registry
from quanyi.registry.models import EMPLOYEE_INSURANCES, Employer, InsuranceRelation, Person
from quanyi.rulebook import calc
from quanyi.rulebook.queries import Rulebook

FIELDS = ("uscc", "id_number", "from_month", "to_month", "base_fen", "insurances", "reason")


@dataclass(frozen=True)
class BackpayLine:
    month: str
    insurance: str
    base_fen: int
    clamped: str
    employer_fen: int
    employee_fen: int
    account_fen: int
    late_interest_fen: int
    late_fee_fen: int


@dataclass(frozen=True)
class CleanBackpay:
    employer: Employer
    person: Person
    lines: list[BackpayLine]


def clean(
    principal: Principal, payload: Mapping[str, Any], today: date | None = None
) -> CleanBackpay:
    """Every reason at once; nothing is written."""
    from quanyi.personal_accounts.services import closed_years, late_placement

    today = today or date.today()
    errors: list[FieldError] = [
        FieldError(name, "unknown_field", "未知字段", "unknown field")
        for name in sorted(set(payload) - set(FIELDS))
    ]
    employer = person = None
    try:
        employer = registry.employer_by_uscc(principal, str(payload.get("uscc", "")))
    except QuanyiError as exc:
        errors.append(exc.at("uscc"))
    try:
        person = registry.person_by_id_number(principal, str(payload.get("id_number", "")))
    except QuanyiError as exc:
        errors.append(exc.at("id_number"))
    months: list[YearMonth] = []
    try:
        first = YearMonth.parse(str(payload.get("from_month", "")), "from_month")
        last = YearMonth.parse(str(payload.get("to_month", "")), "to_month")
        if last < first:
            errors.append(
                FieldError(
                    "to_month",
                    "before_start",
                    "终止年月早于起始年月",
                    "the last month precedes the first",
                )
            )
        elif last >= YearMonth.of(today):
            errors.append(
                FieldError(
                    "to_month",
                    "not_past",
                    "补缴只适用于以前月份",
                    "back-payment is for past months",
                )
            )
        else:
            months = list(month_range(first, last))
    except InvalidInput as exc:
        errors += exc.errors
    try:
        wage = int(str(payload.get("base_fen", "")))
        if wage <= 0:
            raise ValueError
    except ValueError:
        errors.append(
            FieldError(
                "base_fen",
                "bad_base",
                "缴费基数须为正整数（分）",
                "the base is a positive whole number of fen",
            )
        )
        wage = 0
    wanted = payload.get("insurances") or sorted(EMPLOYEE_INSURANCES)
    if not isinstance(wanted, list) or set(wanted) - EMPLOYEE_INSURANCES:
        errors.append(
            FieldError(
                "insurances", "bad_insurance", "须为职工险种列表", "a list of employee insurances"
            )
        )
        wanted = []
    if not str(payload.get("reason", "")).strip():
        errors.append(FieldError("reason", "required", "须写明补缴原因", "state the reason"))
    if employer is None or person is None:  # nothing to check the months against
        raise InvalidInput(errors)
    book = Rulebook.load()
    closed = closed_years(person.agency_region)
    relations = list(
        InsuranceRelation.objects.filter(person=person, employer=employer).values_list(
            "insurance", "start_month", "end_month"
        )
    )
    billed = set(
        Line.objects.filter(person=person, month__in=[str(m) for m in months]).values_list(
            "insurance", "month"
        )
    )
    lines: list[BackpayLine] = []
    for month in months:
        text = str(month)
        rates = Rates.of(book, employer.agency_region, month)
        lower = rates.lower_fen
        upper = book.find("base.upper", employer.agency_region, month.first_day())
        base = (
            calc.bounded_base(wage, lower, int(upper[0]))
            if lower is not None and upper is not None
            else calc.Base(wage, "")
        )
        for insurance in sorted(wanted):
            covered = any(
                i == insurance and s <= text and (e is None or text <= e) for i, s, e in relations
            )
            if not covered:
                errors.append(
                    FieldError(
                        f"{text} {insurance}",
                        "no_relation",
                        "该月没有与该单位的参保关系",
                        "no relation with this employer covers the month",
                    )
                )
                continue
            if (insurance, text) in billed:
                errors.append(
                    FieldError(
                        f"{text} {insurance}",
                        "billed",
                        "该月已记账，不能补缴",
                        "this month is billed already",
                    )
                )
                continue
            er, ee, ac = rates.amounts(insurance, base.base_fen, employer.injury_class)
            _, late = late_placement(book, person.agency_region, text, ac, today.year, closed)
            days = (today - due_date(text)).days
            lines.append(
                BackpayLine(
                    text,
                    insurance,
                    base.base_fen,
                    base.clamped,
                    er,
                    ee,
                    ac,
                    late,
                    calc.late_fee(er + ee, days),
                )
            )
    if errors:
        raise InvalidInput(errors)  # every reason: the frame's and each month's
    if not lines:
        raise InvalidInput.one("from_month", "nothing", "没有可补缴的月份", "no month to pay")
    return CleanBackpay(employer, person, lines)


def apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    """Applied by the approved case: bills, lines, the counter payment, the account credits."""
    from quanyi.personal_accounts import services as accounts

    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "registry.write")
    cleaned = clean(principal, payload)
    today = date.today()
    by_month: dict[str, list[BackpayLine]] = {}
    for line in cleaned.lines:
        by_month.setdefault(line.month, []).append(line)
    credits = []
    for month, lines in sorted(by_month.items()):
        due = sum(item.employer_fen + item.employee_fen for item in lines)
        bill = Bill.objects.create(
            employer=cleaned.employer,
            month=month,
            kind="backpay",
            due_fen=due,
            paid_fen=due,
            lines=len(lines),
            status=BillStatus.PAID,
        )
        audit.record_row(principal, "contribution.backpay_bill", bill)
        seq = audit.reserve_seq()
        rows = [
            Line(
                bill=bill,
                person=cleaned.person,
                insurance=item.insurance,
                month=month,
                base_fen=item.base_fen,
                employer_fen=item.employer_fen,
                employee_fen=item.employee_fen,
                account_fen=item.account_fen,
                kind="backpay",
            )
            for item in lines
        ]
        audit.stamp_rows(rows, seq)
        Line.objects.bulk_create(rows)
        bulk.check_references([bill.pk], [cleaned.person.pk])
        audit.record_batch(principal, "contribution.lines", Line, seq)
        audit.create_entry(
            principal,
            "contribution.payment",
            Payment,
            bill=bill,
            amount_fen=due,
            paid_on=today,
            bank_ref=f"backpay:{principal.case_id}:{bill.pk}",
            channel="counter",
        )
        credits += [
            accounts.Credit(
                cleaned.person.pk, month, row.account_fen, row.pk, cleaned.person.agency_region
            )
            for row in rows
            if row.insurance == "pension"
        ]
    accounts.credit(principal, credits, today)
    accounts.recount_months([cleaned.person.pk])
    return f"backpay {len(cleaned.lines)} lines"
