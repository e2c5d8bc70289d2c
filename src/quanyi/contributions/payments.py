"""Payments (实缴): a bank result file (bill id, amount, day paid, bank reference) or a counter
payment. A bill fully paid credits the personal accounts of its pension lines and counts the
month toward each person's contribution months; a bill short of payment stays owed (欠缴),
and its late fee (滞纳金) runs from the 16th of the month after it is due.

Money paid beyond a bill — the same bill paid twice, or too much — is recorded as the bank
reported it and shows as overpaid until a ``contribution.refund`` case returns it (退费).

A bank file is a batch of facts reported by the bank, not a change decided by staff, so it is
imported without a case: validated whole (every bad row named, nothing written on error),
then written in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db import connection

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.contributions.models import Bill, BillStatus, Line, Payment
from quanyi.core import regions
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.personal_accounts import services as accounts
from quanyi.registry.models import Person
from quanyi.rulebook import calc

COLUMNS = ("bill_id", "amount_fen", "paid_at", "bank_ref")


@dataclass(frozen=True)
class PaymentRow:
    bill_id: int
    amount_fen: int
    paid_on: date
    bank_ref: str


def parse_bank_file(text: str, file_name: str = "payments.csv") -> list[PaymentRow]:
    """Every bad row reported as ``file:line field reason``; nothing returned on error."""
    reader = csv.DictReader(io.StringIO(text))
    raws = list(reader)
    return parse_bank_rows(list(reader.fieldnames or []), raws, file_name)


def parse_bank_rows(
    columns: list[str], raws: list[dict[str, str]], file_name: str
) -> list[PaymentRow]:
    """A bank result file already read (CSV or Excel, ``core.tables``), checked the same way."""
    errors: list[FieldError] = []
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise InvalidInput.one(
            file_name, "columns", f"缺少列：{', '.join(missing)}", f"missing columns: {missing}"
        )
    rows: list[PaymentRow] = []
    refs: set[str] = set()
    for line, raw in enumerate(raws, start=2):
        row = parse_row(raw, f"{file_name}:{line} ", errors)
        if row.bank_ref in refs:
            errors.append(_bad_ref(f"{file_name}:{line} bank_ref"))
        refs.add(row.bank_ref)
        rows.append(row)
    if errors:
        raise InvalidInput(errors)
    return rows


def take_at_counter(principal: Principal, values: Mapping[str, str]) -> int:
    """Record a payment taken at the counter (bill_id, amount_fen, paid_at, the receipt number
    as bank_ref), checked like a bank file's row; returns payments written."""
    errors: list[FieldError] = []
    row = parse_row(values, "", errors)
    if errors:
        raise InvalidInput(errors)
    return record_payments(principal, [row], channel="counter")


def parse_row(raw: Mapping[str, str | None], where: str, errors: list[FieldError]) -> PaymentRow:
    """One payment's fields; each bad one is added to ``errors`` as ``{where}field``."""
    try:
        bill_id = int(raw.get("bill_id") or "")
    except ValueError:
        errors.append(
            FieldError(f"{where}bill_id", "bad_id", "账单号须为整数", "the bill id is a number")
        )
        bill_id = 0
    try:
        amount = int(raw.get("amount_fen") or "")
        if amount <= 0:
            raise ValueError
    except ValueError:
        errors.append(
            FieldError(
                f"{where}amount_fen",
                "bad_amount",
                "金额须为正整数（分）",
                "the amount is a positive whole number of fen",
            )
        )
        amount = 0
    try:
        paid_on = date.fromisoformat((raw.get("paid_at") or "")[:10])
    except ValueError:
        errors.append(
            FieldError(
                f"{where}paid_at", "bad_date", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"
            )
        )
        paid_on = date.min
    if paid_on > date.today():
        errors.append(
            FieldError(
                f"{where}paid_at",
                "future",
                "缴费日期不能晚于今天",
                "a payment is not in the future",
            )
        )
    ref = (raw.get("bank_ref") or "").strip()
    if not ref or len(ref) > 64:
        errors.append(_bad_ref(f"{where}bank_ref"))
    return PaymentRow(bill_id, amount, paid_on, ref)


def _bad_ref(field: str) -> FieldError:
    return FieldError(
        field,
        "bad_ref",
        "流水号（票据号）缺失、过长或重复",
        "the reference is missing, too long or repeated",
    )


def record_payments(principal: Principal, rows: list[PaymentRow], channel: str = "bank") -> int:
    """Check every row against the bills, then write them all; returns payments written.
    A reference already recorded is refused, so the same file taken twice pays nothing twice."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "contributions.pay")
    bills = {
        b.pk: b
        for b in Bill.objects.select_related("employer").filter(pk__in=[r.bill_id for r in rows])
    }
    seen = set(
        Payment.objects.filter(bank_ref__in=[r.bank_ref for r in rows]).values_list(
            "bank_ref", flat=True
        )
    )
    errors: list[FieldError] = []
    for index, row in enumerate(rows, start=1):
        bill = bills.get(row.bill_id)
        where = f"rows[{index}]"
        if bill is None or not regions.covers(principal.region, bill.employer.agency_region):
            errors.append(FieldError(f"{where}.bill_id", "no_bill", "没有该账单", "no such bill"))
            continue
        if row.bank_ref in seen:
            errors.append(
                FieldError(
                    f"{where}.bank_ref",
                    "duplicate",
                    "该笔银行流水已入账",
                    "this bank reference is recorded already",
                )
            )
    if errors:
        raise InvalidInput(errors)
    for row in rows:
        _pay(principal, bills[row.bill_id], row, channel)
    return len(rows)


def _pay(principal: Principal, bill: Bill, row: PaymentRow, channel: str) -> None:
    audit.create_entry(
        principal,
        "contribution.payment",
        Payment,
        bill=bill,
        amount_fen=row.amount_fen,
        paid_on=row.paid_on,
        bank_ref=row.bank_ref,
        channel=channel,
    )
    was_paid = bill.status == BillStatus.PAID
    move_paid(principal, "contribution.bill_paid", bill, row.amount_fen)
    # A bill is credited once, when it first becomes paid; money beyond it is an overpayment
    # that waits for a refund case (退费), it does not pay anything twice.
    if bill.status == BillStatus.PAID and not was_paid:
        _credit(principal, bill, row.paid_on)


def move_paid(principal: Principal, action: str, bill: Bill, by_fen: int) -> None:
    """Change a bill's paid total (a payment, or a refund when negative) and its status."""
    paid = bill.paid_fen + by_fen
    audit.update_row(principal, action, bill, paid_fen=paid, status=status_of(bill.due_fen, paid))


def status_of(due_fen: int, paid_fen: int) -> BillStatus:
    if paid_fen >= due_fen:
        return BillStatus.PAID
    return BillStatus.PARTIAL if paid_fen else BillStatus.OWED


def overpaid(bill: Bill) -> int:
    """Fen paid beyond the bill (a duplicate or excess payment), not yet refunded."""
    return max(0, bill.paid_fen - bill.due_fen)


def _credit(principal: Principal, bill: Bill, paid_on: date) -> None:
    lines = list(
        Line.objects.filter(bill=bill).values_list(
            "pk", "person_id", "insurance", "month", "account_fen"
        )
    )
    region_of = dict(
        Person.objects.filter(pk__in={p for _, p, _, _, _ in lines}).values_list(
            "pk", "agency_region"
        )
    )
    accounts.credit(
        principal,
        [
            accounts.Credit(person_id, month, amount, pk, region_of[person_id])
            for pk, person_id, insurance, month, amount in lines
            if insurance == "pension"
        ],
        paid_on,
    )
    already = set(
        Line.objects.filter(person_id__in=region_of, month=bill.month, bill__status=BillStatus.PAID)
        .exclude(bill=bill)
        .values_list("person_id", "insurance")
    )
    accounts.count_paid_months(
        (person_id, insurance)
        for _, person_id, insurance, _, _ in lines
        if (person_id, insurance) not in already
    )


def due_date(month: str) -> date:
    """Contributions for a month are due by the 15th of the next month."""
    following = YearMonth.parse(month).add(1)
    return date(following.year, following.month, 15)


def arrears(bill: Bill, on: date) -> Mapping[str, int]:
    owed = bill.due_fen - bill.paid_fen
    days = (on - due_date(bill.month)).days
    return {"owed_fen": owed, "late_fee_fen": calc.late_fee(owed, days)}
