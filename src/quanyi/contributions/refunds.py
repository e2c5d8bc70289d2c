"""Refunds of duplicate or excess payments (退费, 004 part 5): money paid beyond a bill goes
back to the employer only through a ``contribution.refund`` case — taken in by one person,
reviewed and approved by others — and never more than the bill's overpaid amount."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.contributions.models import Bill, Refund
from quanyi.contributions.payments import move_paid, overpaid
from quanyi.core import regions
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.principal import Principal

FIELDS = ("bill_id", "amount_fen", "reason")


@dataclass(frozen=True)
class CleanRefund:
    bill: Bill
    amount_fen: int
    reason: str


def clean(principal: Principal, payload: Mapping[str, Any]) -> CleanRefund:
    """Every reason at once; nothing is written. Checked again at approval, when the bill may
    have changed."""
    errors = [
        FieldError(name, "unknown_field", "未知字段", "unknown field")
        for name in sorted(set(payload) - set(FIELDS))
    ]
    bill = None
    with suppress(TypeError, ValueError, Bill.DoesNotExist):
        bill = Bill.objects.select_related("employer").get(pk=int(payload.get("bill_id", "")))
    if bill is None or not regions.covers(principal.region, bill.employer.agency_region):
        errors.append(FieldError("bill_id", "no_bill", "没有该账单", "no such bill"))
        bill = None
    amount = 0
    try:
        amount = int(str(payload.get("amount_fen", "")))
        if amount <= 0:
            raise ValueError
    except ValueError:
        errors.append(
            FieldError(
                "amount_fen",
                "bad_amount",
                "金额须为正整数（分）",
                "the amount is a positive whole number of fen",
            )
        )
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
    elif len(reason) > 200:
        errors.append(FieldError("reason", "too_long", "原因过长（至多200字）", "at most 200"))
    if errors:
        raise InvalidInput(errors)
    assert bill is not None
    return CleanRefund(bill, amount, reason)


def apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    """Write the refund and lower the bill's paid total (the case's approval transaction)."""
    authorize(principal, "registry.write")  # only a case's approval gets here
    cleaned = clean(principal, payload)
    bill = Bill.objects.select_for_update().get(pk=cleaned.bill.pk)
    refund = audit.create_entry(
        principal,
        "contribution.refund",
        Refund,
        bill=bill,
        amount_fen=cleaned.amount_fen,
        refunded_on=date.today(),
        reason=cleaned.reason,
        case_id=principal.case_id,
    )
    move_paid(principal, "contribution.bill_refunded", bill, -cleaned.amount_fen)
    return f"refund {refund.pk} bill {bill.pk} {cleaned.amount_fen}"
