"""Reading payments (实缴) as they arrive: a bank result file (bill id, amount, day paid, bank
reference; CSV, or Excel read by ``core.tables``) or a counter receipt, into typed rows. Every
bad field is reported with its place; nothing is returned on error. Checking the rows against
the bills and writing them is ``services.record_payments``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from quanyi.contributions.models import BANK_REF_MAX
from quanyi.core.bounds import parse_id
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.money import parse_fen

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


def parse_counter(values: Mapping[str, str]) -> PaymentRow:
    """A payment taken at the counter (the receipt number as ``bank_ref``), checked like a bank
    file's row."""
    errors: list[FieldError] = []
    row = parse_row(values, "", errors)
    if errors:
        raise InvalidInput(errors)
    return row


def parse_row(raw: Mapping[str, str | None], where: str, errors: list[FieldError]) -> PaymentRow:
    """One payment's fields; each bad one is added to ``errors`` as ``{where}field``."""
    try:
        bill_id = parse_id(raw.get("bill_id"), f"{where}bill_id")
    except InvalidInput as refused:
        errors += refused.errors
        bill_id = 0
    try:
        amount = parse_fen(raw.get("amount_fen"), f"{where}amount_fen", code="bad_amount")
    except InvalidInput as refused:
        errors += refused.errors
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
    if not ref or len(ref) > BANK_REF_MAX:
        errors.append(_bad_ref(f"{where}bank_ref"))
    return PaymentRow(bill_id, amount, paid_on, ref)


def _bad_ref(field: str) -> FieldError:
    return FieldError(
        field,
        "bad_ref",
        "流水号（票据号）缺失、过长或重复",
        "the reference is missing, too long or repeated",
    )
