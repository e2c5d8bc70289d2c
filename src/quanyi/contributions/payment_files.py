"""Reading payments (实缴) as they arrive: a bank result file (bill id, amount, day paid, bank
reference; CSV, or Excel read by ``core.tables``, streamed) or a counter receipt, into typed
rows. Every
bad field is reported with its place; nothing is returned on error. Checking the rows against
the bills and writing them is ``services.record_payments``.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from quanyi.contributions.models import BANK_REF_MAX
from quanyi.core.bounds import parse_id
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.money import parse_fen, yuan_to_fen
from quanyi.core.report import RowReport
from quanyi.core.tables import stream

COLUMNS = ("bill_id", "amount_fen", "paid_at", "bank_ref")
# Contributions by employers and employees began with the 1991 reform (国发〔1991〕33号): a
# payment dated before it is a typing error (1900-01-01 was taken at the counter).
EARLIEST_PAYMENT = date(1991, 1, 1)
# Payments taken in one transaction, checked against their bills as one: a bank's daily file
# for a region's employers fits with room to spare.
MAX_ROWS = 100_000


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


@dataclass
class BankFile:
    """The payments of a bank file, with the line each came from; ``read`` counts its rows."""

    name: str
    rows: list[PaymentRow] = field(default_factory=list)
    lines: array[int] = field(default_factory=lambda: array("q"))
    read: int = 0

    def line_of(self, row: int) -> int:
        """The file's line of ``rows[row]`` (counted from 1)."""
        return self.lines[row - 1]


def read_bank_file(path: str | Path, report: RowReport) -> BankFile:
    """A bank result file of any size, one row at a time (DESIGN.md invariant 8): every bad
    field goes to ``report``, the good rows are kept up to ``MAX_ROWS`` (a larger file is
    split: it is checked against the bills and written as one)."""
    found = BankFile(Path(path).name)
    name = found.name
    refs: set[str] = set()
    with stream(path) as (header, raws):
        if report.missing_columns(name, header, COLUMNS):
            return found
        for line, raw in raws:
            found.read += 1
            errors: list[FieldError] = []
            row = parse_row(raw, "", errors)
            if found.read <= MAX_ROWS:
                if row.bank_ref in refs:
                    errors.append(_bad_ref("bank_ref"))
                refs.add(row.bank_ref)
            for error in errors:
                report.add(name, line, error)
            if not errors and found.read <= MAX_ROWS:
                found.rows.append(row)
                found.lines.append(line)
    if found.read > MAX_ROWS:
        report.add(
            name,
            "",
            FieldError(
                "rows",
                "too_many",
                f"共 {found.read} 行，一个文件最多 {MAX_ROWS} 行，请分成多个文件",
                f"{found.read} rows; a file holds at most {MAX_ROWS}: split it",
            ),
        )
    return found


def parse_counter(values: Mapping[str, str]) -> PaymentRow:
    """A payment taken at the counter (the receipt number as ``bank_ref``), checked like a bank
    file's row. A screen types the amount in yuan (``amount``, two decimals at most); the
    command line gives whole fen (``amount_fen``)."""
    errors: list[FieldError] = []
    if "amount" in values:
        try:
            fen = positive_yuan(values["amount"], "amount")
        except InvalidInput as refused:
            errors += refused.errors
            fen = 0
        values = {**values, "amount_fen": str(fen or 1)}  # refused above, not twice
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
    if date.min < paid_on < EARLIEST_PAYMENT:
        errors.append(
            FieldError(
                f"{where}paid_at",
                "too_early",
                f"缴费日期不能早于 {EARLIEST_PAYMENT.isoformat()}",
                f"a payment is not before {EARLIEST_PAYMENT.isoformat()}",
            )
        )
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


def positive_yuan(text: str | None, field: str) -> int:
    """An amount typed in yuan (``"71905.78"``) as fen, more than zero and within the bound."""
    fen = yuan_to_fen(text or "", field)
    if fen <= 0:
        raise InvalidInput(
            [FieldError(field, "not_positive", "金额须大于 0 元", "more than 0 yuan")]
        )
    return fen


def _bad_ref(field: str) -> FieldError:
    return FieldError(
        field,
        "bad_ref",
        "流水号（票据号）缺失、过长或重复",
        "the reference is missing, too long or repeated",
    )
