"""Payload checks of contributions' cases: base declarations (缴费基数申报, 004 part 5 art.
5-6), refunds of overpayments (退费), back-payments (补缴) and corrections of posted lines
(更正, 003 §5). Each ``clean_*`` reports every
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
from quanyi.contributions.models import (
    REASON_MAX,
    Bill,
    Declaration,
    Line,
    LineCorrection,
    Payment,
)
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


# --- corrections of posted lines (record.correct, object "contribution") ----------------------

CORRECTION_FIELDS: tuple[str, ...] = (
    "insurance",
    "month",
    "uscc",
    "base_fen",
    "month_to",
    "paid_month",
)
CORRECTION_KINDS = ("base_fen", "month_to", "paid_month")


@dataclass(frozen=True)
class CleanLineCorrection:
    """A line to correct and the line as it should have been, priced by the rules of its
    month: ``paid_on`` is the day the corrected line counts as paid when the correction says
    so (``paid_month``), ``owed`` when it says the payment was never made."""

    person: Person
    employer: Employer
    line: Line
    bill: Bill
    kind: str  # base_fen | month_to | paid_month
    month: str
    base_fen: int
    clamped: str
    employer_fen: int
    employee_fen: int
    account_fen: int
    paid_on: date | None
    owed: bool
    recorded_paid_month: str | None  # the month the reversed line's bill was paid in full

    def changed(self) -> dict[str, Any]:
        """The payload's ``changes`` as intake keeps them."""
        found: dict[str, Any] = {
            "insurance": self.line.insurance,
            "month": self.line.month,
            "uscc": self.employer.uscc,
        }
        if self.kind == "base_fen":
            found["base_fen"] = self.base_fen
        elif self.kind == "month_to":
            found["month_to"] = self.month
        else:
            found["paid_month"] = "" if self.owed else str(YearMonth.of(self.paid_on))  # type: ignore[arg-type]
        return found


def reversed_line_ids(line_ids: Any) -> set[int]:
    """Those of these lines a correction has reversed."""
    return set(
        LineCorrection.objects.filter(old_line_id__in=list(line_ids)).values_list(
            "old_line_id", flat=True
        )
    )


def live_lines(person: Person, insurance: str, month: str) -> list[Line]:
    """The person's lines of an insurance and month that stand: no reversal, none reversed."""
    lines = list(
        Line.objects.select_related("bill__employer")
        .filter(person=person, insurance=insurance, month=month)
        .exclude(kind="reversal")
        .order_by("pk")
    )
    gone = reversed_line_ids(line.pk for line in lines)
    return [line for line in lines if line.pk not in gone]


def paid_month_of(bill: Bill) -> str | None:
    """The month a paid bill received its last payment (the one that paid it in full)."""
    if bill.status != "paid":
        return None
    last = (
        Payment.objects.filter(bill=bill, amount_fen__gt=0)
        .order_by("-paid_on")
        .values_list("paid_on", flat=True)
        .first()
    )
    return str(YearMonth.of(last)) if last else None


def _month_field(errors: list[FieldError], value: Any, field: str) -> YearMonth | None:
    try:
        return YearMonth.parse(str(value if value is not None else ""), field)
    except InvalidInput as refused:
        errors += refused.errors
        return None


def clean_line_correction(
    principal: Principal, key: Any, changes: Mapping[str, Any], today: date | None = None
) -> CleanLineCorrection:
    """Every reason at once, nothing written: the person, the line (by insurance, month and,
    where the person had more than one employer that month, the credit code) and exactly one
    correction — a base, the right month, or the month it was paid in (or "" for never)."""
    today = today or date.today()
    this_month = YearMonth.of(today)
    errors: list[FieldError] = [
        FieldError(f"changes.{name}", "unknown_field", "未知字段", "unknown field")
        for name in sorted(set(changes) - set(CORRECTION_FIELDS))
    ]
    person: Person | None = None
    try:
        person = registry.person_by_id_number(principal, str(key or ""))
    except QuanyiError as exc:
        errors.append(exc.at("key"))
    insurance = str(changes.get("insurance") or "")
    if insurance not in EMPLOYEE_INSURANCES:
        errors.append(
            FieldError(
                "changes.insurance",
                "bad_insurance",
                "须为职工险种（pension、medical、unemployment、injury、maternity）",
                "an employee insurance (pension, medical, unemployment, injury, maternity)",
            )
        )
    month = _month_field(errors, changes.get("month"), "changes.month")
    given = [name for name in CORRECTION_KINDS if name in changes]
    if len(given) != 1:
        errors.append(
            FieldError(
                "changes",
                "one_correction",
                "须且只能填写 base_fen、month_to、paid_month 其中之一",
                "give exactly one of base_fen, month_to and paid_month",
            )
        )
    kind = given[0] if len(given) == 1 else ""
    new_base = 0
    new_month: YearMonth | None = None
    paid_in: YearMonth | None = None
    owed = False
    if kind == "base_fen":
        new_base = _positive_fen(errors, changes.get("base_fen"), "changes.base_fen", "base")
    elif kind == "month_to":
        new_month = _month_field(errors, changes.get("month_to"), "changes.month_to")
        if new_month is not None and new_month > this_month:
            errors.append(
                FieldError(
                    "changes.month_to",
                    "not_begun",
                    "该月尚未开始",
                    "that month has not begun",
                )
            )
            new_month = None
    elif kind == "paid_month":
        text = changes.get("paid_month")
        if text == "":
            owed = True
        else:
            paid_in = _month_field(errors, text, "changes.paid_month")
            if paid_in is not None and paid_in > this_month:
                errors.append(
                    FieldError(
                        "changes.paid_month",
                        "in_future",
                        "缴费年月不能晚于本月",
                        "the month paid cannot be after this month",
                    )
                )
                paid_in = None
            if paid_in is not None and month is not None and paid_in < month:
                errors.append(
                    FieldError(
                        "changes.paid_month",
                        "before_month",
                        "缴费年月不能早于费款所属期",
                        "the month paid cannot precede the contribution month",
                    )
                )
                paid_in = None
    if errors or person is None or month is None:
        raise InvalidInput(errors)
    lines = live_lines(person, insurance, str(month))
    uscc = str(changes.get("uscc") or "").strip().upper()
    if uscc:
        lines = [line for line in lines if line.bill.employer.uscc == uscc]
    if not lines:
        raise InvalidInput.one(
            "changes.month",
            "no_line",
            f"该人员 {month} 没有{'该单位的' if uscc else ''}此险种缴费记录，无可更正",
            f"the person has no {insurance} line for {month}"
            + (" with that employer" if uscc else "")
            + ": nothing to correct",
        )
    if len(lines) > 1:
        raise InvalidInput.one(
            "changes.uscc",
            "several_employers",
            f"该人员 {month} 有多个单位的缴费记录，须填写统一社会信用代码（uscc）",
            f"the person has lines of several employers for {month}: give the uscc",
        )
    line = lines[0]
    bill = line.bill
    employer = bill.employer
    recorded = paid_month_of(bill)
    target = month
    base = line.base_fen
    clamped = ""
    paid_on: date | None = None
    if kind == "month_to":
        assert new_month is not None
        problem = _month_to_problem(person, employer, line, new_month)
        if problem is not None:
            raise InvalidInput([problem])
        target = new_month
    if kind == "paid_month":
        if owed and recorded is None:
            raise _no_change(
                "changes.paid_month", "该笔缴费已记为欠缴", "the line is recorded as owed already"
            )
        if paid_in is not None and str(paid_in) == recorded:
            raise _no_change(
                "changes.paid_month",
                f"该笔缴费已记为 {recorded} 缴纳",
                f"the line is recorded as paid in {recorded} already",
            )
        paid_on = paid_in.first_day() if paid_in is not None else None
    book = Rulebook.load()
    region = employer.agency_region
    if kind == "base_fen":
        lower = book.find("base.lower", region, month.first_day())
        upper = book.find("base.upper", region, month.first_day())
        if lower is not None and upper is not None:
            bounded = calc.bounded_base(new_base, int(lower[0]), int(upper[0]))
            base, clamped = bounded.base_fen, bounded.clamped
        else:
            base = new_base
        if base == line.base_fen:
            raise _no_change(
                "changes.base_fen",
                f"缴费基数已是 {base} 分（按该月上下限）",
                f"the base is {base} fen already (within that month's bounds)",
            )
    try:
        rates = calc.Rates.of(book, region, target, EMPLOYEE_INSURANCES)
        er, ee, ac = rates.amounts(insurance, base, employer.injury_class)
    except QuanyiError as exc:
        field = "changes.month_to" if kind == "month_to" else "changes.month"
        raise InvalidInput([exc.at(field)]) from None
    return CleanLineCorrection(
        person=person,
        employer=employer,
        line=line,
        bill=bill,
        kind=kind,
        month=str(target),
        base_fen=base,
        clamped=clamped,
        employer_fen=er,
        employee_fen=ee,
        account_fen=ac,
        paid_on=paid_on,
        owed=owed,
        recorded_paid_month=recorded,
    )


def _no_change(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput.one(
        field, "no_change", f"没有需要更正的内容：{zh}", f"nothing to correct: {en}"
    )


def _month_to_problem(
    person: Person, employer: Employer, line: Line, month: YearMonth
) -> FieldError | None:
    text = str(month)
    if text == line.month:
        return FieldError(
            "changes.month_to",
            "no_change",
            "没有需要更正的内容：与原费款所属期相同",
            "nothing to correct: the same month as recorded",
        )
    covered = InsuranceRelation.objects.filter(
        Q(end_month__isnull=True) | Q(end_month__gte=text),
        person=person,
        employer=employer,
        insurance=line.insurance,
        start_month__lte=text,
    ).exists()
    if not covered:
        return FieldError(
            "changes.month_to",
            "no_relation",
            f"{text} 没有与该单位的此险种参保关系",
            f"no relation with this employer covers {text} for this insurance",
        )
    if any(
        other.bill.employer_id == employer.pk for other in live_lines(person, line.insurance, text)
    ):
        return FieldError(
            "changes.month_to",
            "billed",
            f"{text} 已有该单位的此险种缴费记录",
            f"{text} has a line of this insurance with this employer already",
        )
    return None
