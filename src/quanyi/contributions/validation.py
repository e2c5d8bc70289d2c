"""Payload checks of contributions' cases: base declarations (缴费基数申报, 004 part 5 art.
5-6), refunds of overpayments (退费) and back-payments (补缴). Each ``clean_*`` reports every
reason at once and writes nothing, so intake can refuse a bad payload and the final approval
checks it again before ``services`` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from quanyi.contributions import events
from quanyi.contributions.calc import fee_days, overpaid
from quanyi.contributions.models import REASON_MAX, Bill, Declaration, Line
from quanyi.core import regions
from quanyi.core.bounds import parse_id
from quanyi.core.errors import FieldError, InvalidInput, QuanyiError
from quanyi.core.events import publish
from quanyi.core.identifiers import parse_id_number
from quanyi.core.money import parse_fen
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth, month_range
from quanyi.registry import services as registry
from quanyi.registry.models import EMPLOYEE_INSURANCES, Employer, InsuranceRelation, Person
from quanyi.rulebook import calc
from quanyi.rulebook.queries import Rulebook


def _positive_fen(errors: list[FieldError], value: Any, field: str, what: str) -> int:
    """A whole number of fen within ``MAX_FEN`` (``money.parse_fen``), or 0 with the reason
    added to ``errors``."""
    try:
        return parse_fen(value, field, code=f"bad_{what}")
    except InvalidInput as refused:
        errors += refused.errors
        return 0


def _too_long(field: str) -> FieldError:
    return FieldError(
        field, "too_long", f"最多 {REASON_MAX} 个字符", f"at most {REASON_MAX} characters"
    )


# --- base declarations (contribution.declare) -------------------------------------------------


@dataclass(frozen=True)
class DeclaredRow:
    person: Person
    wage_fen: int
    base: calc.Base


@dataclass(frozen=True)
class CleanDeclaration:
    employer: Employer
    valid_from: str
    rows: list[DeclaredRow]

    @property
    def clamped(self) -> list[DeclaredRow]:
        return [row for row in self.rows if row.base.clamped]


def clean_declaration(principal: Principal, payload: Mapping[str, Any]) -> CleanDeclaration:
    """Every bad row is reported (``rows[N].field``), nothing is kept on error."""
    errors: list[FieldError] = []
    unknown = sorted(set(payload) - {"uscc", "valid_from", "rows"})
    errors += [FieldError(name, "unknown_field", "未知字段", "unknown field") for name in unknown]
    employer: Employer | None = None
    try:
        employer = registry.employer_by_uscc(principal, str(payload.get("uscc", "")))
    except InvalidInput as exc:
        errors += exc.errors
    except QuanyiError as exc:  # not found, or another region's
        errors.append(exc.at("uscc"))
    valid_from = ""
    try:
        valid_from = str(YearMonth.parse(str(payload.get("valid_from", "")), "valid_from"))
    except InvalidInput as exc:
        errors += exc.errors
    raw_rows = payload.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        errors.append(FieldError("rows", "required", "须至少申报一人", "declare at least one row"))
        raw_rows = []
    bounds = None
    if employer is not None and valid_from:
        book = Rulebook.load()
        on = YearMonth.parse(valid_from).first_day()
        try:
            bounds = (
                book.fen("base.lower", employer.agency_region, on),
                book.fen("base.upper", employer.agency_region, on),
            )
        except QuanyiError as exc:
            errors.append(exc.at("valid_from", "no_bounds"))
    numbers = []
    parsed: list[tuple[int, str, int]] = []
    for index, row in enumerate(raw_rows, start=1):
        where = f"rows[{index}]"
        if not isinstance(row, Mapping):
            errors.append(FieldError(where, "not_object", "每行须为对象", "each row is an object"))
            continue
        number = ""
        try:
            number = parse_id_number(row.get("id_number"), f"{where}.id_number").number
        except InvalidInput as exc:
            errors += exc.errors
        wage = _positive_fen(errors, row.get("wage_fen"), f"{where}.wage_fen", "wage")
        if number and number in numbers:
            errors.append(
                FieldError(
                    f"{where}.id_number",
                    "duplicate",
                    "同一人重复申报",
                    "this person is declared twice",
                )
            )
        numbers.append(number)
        parsed.append((index, number, wage))
    persons = {p.id_number: p for p in Person.objects.filter(id_number__in=numbers)}
    rows: list[DeclaredRow] = []
    indexes: list[int] = []  # each kept row's place in the payload, to name it by
    for index, number, wage in parsed:
        person = persons.get(number)
        if number and person is None:
            errors.append(
                FieldError(
                    f"rows[{index}].id_number",
                    "not_registered",
                    "该人员尚未登记",
                    "this person is not registered",
                )
            )
        if person is not None and wage and bounds is not None:
            rows.append(DeclaredRow(person, wage, calc.bounded_base(wage, *bounds)))
            indexes.append(index)
    if employer is not None and valid_from and rows:
        # A base is declared by the employer a person works for: one with no relation with it
        # running at or after the month is not its to declare (a clerk's slip of a row).
        employed = set(
            InsuranceRelation.objects.filter(employer=employer, person__in=[r.person for r in rows])
            .filter(Q(end_month__isnull=True) | Q(end_month__gte=valid_from))
            .values_list("person_id", flat=True)
        )
        for index, row in zip(indexes, rows, strict=True):
            if row.person.pk not in employed:
                errors.append(
                    FieldError(
                        f"rows[{index}].id_number",
                        "not_employed",
                        f"该人员自 {valid_from} 起未在 {employer.name} 参保",
                        f"this person is not insured with {employer.name} from {valid_from}",
                    )
                )
        taken = set(
            Declaration.objects.filter(
                employer=employer, valid_from=valid_from, person__in=[r.person for r in rows]
            ).values_list("person_id", flat=True)
        )
        for index, row in zip(indexes, rows, strict=True):
            if row.person.pk in taken:
                errors.append(
                    FieldError(
                        f"rows[{index}].id_number",
                        "declared",
                        "该月起的缴费基数已申报",
                        "already declared from that month",
                    )
                )
    if errors:
        raise InvalidInput(errors)
    assert employer is not None
    return CleanDeclaration(employer, valid_from, rows)


# --- refunds of overpayments (contribution.refund) --------------------------------------------

REFUND_FIELDS = ("bill_id", "amount_fen", "reason")


@dataclass(frozen=True)
class CleanRefund:
    bill: Bill
    amount_fen: int
    reason: str


def clean_refund(principal: Principal, payload: Mapping[str, Any]) -> CleanRefund:
    """Every reason at once; nothing is written. Checked again at approval, when the bill may
    have changed."""
    errors = [
        FieldError(name, "unknown_field", "未知字段", "unknown field")
        for name in sorted(set(payload) - set(REFUND_FIELDS))
    ]
    bill = None
    with suppress(InvalidInput, Bill.DoesNotExist):
        bill = Bill.objects.select_related("employer").get(pk=parse_id(payload.get("bill_id")))
    if bill is None or not regions.covers(principal.region, bill.employer.agency_region):
        errors.append(FieldError("bill_id", "no_bill", "没有该账单", "no such bill"))
        bill = None
    amount = _positive_fen(errors, payload.get("amount_fen"), "amount_fen", "amount")
    if bill is not None and amount > 0 and amount > overpaid(bill):
        errors.append(
            FieldError(
                "amount_fen",
                "beyond_overpaid",
                f"超过该账单多缴金额 {overpaid(bill)} 分",
                f"more than the {overpaid(bill)} fen paid beyond the bill",
            )
        )
    reason = str(payload.get("reason", "")).strip()
    if not reason:
        errors.append(FieldError("reason", "required", "须写明退费原因", "give the reason"))
    elif len(reason) > REASON_MAX:
        errors.append(_too_long("reason"))
    if errors:
        raise InvalidInput(errors)
    assert bill is not None
    return CleanRefund(bill, amount, reason)


# --- back-payments (contribution.backpay) ------------------------------------------------------

BACKPAY_FIELDS = ("uscc", "id_number", "from_month", "to_month", "base_fen", "insurances", "reason")


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


def clean_backpay(
    principal: Principal, payload: Mapping[str, Any], today: date | None = None
) -> CleanBackpay:
    """Every reason at once; nothing is written. The late interest each line would bring the
    account is the account's to say (``events.BackpayPriced``)."""
    today = today or date.today()
    errors: list[FieldError] = [
        FieldError(name, "unknown_field", "未知字段", "unknown field")
        for name in sorted(set(payload) - set(BACKPAY_FIELDS))
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
    wage = _positive_fen(errors, payload.get("base_fen"), "base_fen", "base")
    wanted = payload.get("insurances") or sorted(EMPLOYEE_INSURANCES)
    if not isinstance(wanted, list) or set(wanted) - EMPLOYEE_INSURANCES:
        errors.append(
            FieldError(
                "insurances", "bad_insurance", "须为职工险种列表", "a list of employee insurances"
            )
        )
        wanted = []
    reason = str(payload.get("reason", "")).strip()
    if not reason:
        errors.append(FieldError("reason", "required", "须写明补缴原因", "state the reason"))
    elif len(reason) > REASON_MAX:
        errors.append(_too_long("reason"))
    if employer is None or person is None:  # nothing to check the months against
        raise InvalidInput(errors)
    book = Rulebook.load()
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
    priced: list[tuple[str, str, int, str, int, int, int, int]] = []
    for month in months:
        text = str(month)
        rates = calc.Rates.of(book, employer.agency_region, month, EMPLOYEE_INSURANCES)
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
            days = fee_days(text, today)
            priced.append(
                (
                    text,
                    insurance,
                    base.base_fen,
                    base.clamped,
                    er,
                    ee,
                    ac,
                    calc.late_fee(er + ee, days),
                )
            )
    if errors:
        raise InvalidInput(errors)  # every reason: the frame's and each month's
    if not priced:
        raise InvalidInput.one("from_month", "nothing", "没有可补缴的月份", "no month to pay")
    answers = publish(
        events.BACKPAY_PRICED,
        events.BackpayPriced(
            person.agency_region, today.year, tuple((row[0], row[6]) for row in priced)
        ),
    )
    late = [sum(added) for added in zip(*answers, strict=True)] if answers else [0] * len(priced)
    lines = [
        BackpayLine(month, insurance, base_fen, clamped, er, ee, ac, interest, fee)
        for (month, insurance, base_fen, clamped, er, ee, ac, fee), interest in zip(
            priced, late, strict=True
        )
    ]
    return CleanBackpay(employer, person, lines)
