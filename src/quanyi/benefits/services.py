"""Writing benefits, each from the final approval of its case (001 art. 6): a grant, its
changes (adjustment, suspension, resumption, end), the consequences of a death, and the
eligibility verifications recorded at the counter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, connection

from quanyi.access.policy import authorize
from quanyi.audit import bulk
from quanyi.audit import services as audit
from quanyi.benefits.models import (
    Action,
    Grant,
    GrantChange,
    Kind,
    Payment,
    PaymentKind,
    Reason,
    Verification,
)
from quanyi.benefits.pension import balance_of
from quanyi.benefits.queries import held_by, monthly_held
from quanyi.core.bulkwork import missing_ids
from quanyi.core.canonical import canonical_json
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.personal_accounts import services as accounts
from quanyi.registry import services as registry
from quanyi.registry.models import Person


def _writing(principal: Principal, person: Person) -> None:
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "benefits.write", person)


def add_grant(
    principal: Principal,
    person: Person,
    kind: str,
    insurance: str,
    start: YearMonth,
    monthly_fen: int,
    *,
    end: YearMonth | None = None,
    basic_fen: int = 0,
    account_fen: int = 0,
    transitional_fen: int = 0,
    explained: dict[str, Any] | None = None,
) -> Grant:
    _writing(principal, person)
    return audit.create_entry(
        principal,
        "benefit.grant",
        Grant,
        person=person,
        kind=kind,
        insurance=insurance,
        start_month=str(start),
        end_month=str(end) if end else "",
        basic_fen=basic_fen,
        account_fen=account_fen,
        transitional_fen=transitional_fen,
        monthly_fen=monthly_fen,
        case_id=principal.case_id,
        explained=canonical_json(explained or {}).decode(),
    )


def change(
    principal: Principal,
    person: Person,
    grants: Iterable[Grant],
    action: Action,
    month: YearMonth,
    reason: Reason,
    amount_fen: int = 0,
) -> int:
    _writing(principal, person)
    written = 0
    for grant in grants:
        audit.create_entry(
            principal,
            f"benefit.{action.value}",
            GrantChange,
            grant=grant,
            kind=action,
            month=str(month),
            amount_fen=amount_fen,
            reason=reason,
            case_id=principal.case_id,
        )
        written += 1
    return written


def suspend(principal: Principal, person: Person, month: YearMonth, reason: Reason) -> int:
    held = [h for h in monthly_held(person.pk, month) if h.state.suspension(month) is None]
    if not held:
        raise nothing_to(person, "suspend")
    return change(principal, person, [h.grant for h in held], Action.SUSPEND, month, reason)


def resume(principal: Principal, person: Person, month: YearMonth, reason: Reason) -> int:
    held = [h for h in monthly_held(person.pk, month) if h.state.suspension(month) is not None]
    if not held:
        raise nothing_to(person, "resume")
    return change(principal, person, [h.grant for h in held], Action.RESUME, month, reason)


def nothing_to(person: Person, action: str) -> InvalidInput:
    if action == "suspend":
        zh, en = "没有正在发放的待遇可暂停", "no benefit in payment to suspend"
    else:
        zh, en = "没有暂停发放的待遇可恢复", "no suspended benefit to resume"
    return InvalidInput.one("id_number", f"nothing_to_{action}", f"{person.name}：{zh}", en)


def overpaid(person_id: int, died: YearMonth) -> list[tuple[int, str, int, int]]:
    """(grant, month, amount, account part) of every monthly payment for a month after the
    death, not recovered yet."""
    recovered = set(
        Payment.objects.filter(person_id=person_id, kind=PaymentKind.RECOVERY).values_list(
            "grant_id", "month"
        )
    )
    return [
        row
        for row in Payment.objects.filter(
            person_id=person_id, kind=PaymentKind.MONTHLY, month__gt=str(died)
        )
        .order_by("month", "grant_id")
        .values_list("grant_id", "month", "amount_fen", "account_fen")
        if (row[0], row[1]) not in recovered
    ]


def record_death(
    principal: Principal,
    person: Person,
    died_on: date,
    funeral_fen: int,
    survivor_fen: int,
) -> dict[str, int]:
    """Death (004 part 4): payment stops after the month of death; what was paid for later
    months is recovered (the account part put back into the account); the funeral grant and
    the survivors' grant are granted, and the account's remaining balance paid to the heirs;
    the registration is closed, the record kept."""
    _writing(principal, person)
    died = YearMonth.of(died_on)
    stopped = change(
        principal,
        person,
        [h.grant for h in monthly_held(person.pk, died.add(1))],
        Action.END,
        died.add(1),
        Reason.DEATH,
    )
    this = YearMonth.of(date.today())
    recoveries = overpaid(person.pk, died)
    if recoveries:
        _write_payments(
            principal,
            [
                (grant_id, person.pk, month, str(this), PaymentKind.RECOVERY, -amount, -account)
                for grant_id, month, amount, account in recoveries
            ],
        )
        accounts.withdraw(
            principal,
            [accounts.Withdrawal(person.pk, m, a) for _, m, _, a in recoveries],
            this.year,
            back=True,
        )
    heirs = balance_of(person.pk)
    start = died.add(1)
    for kind, amount in (
        (Kind.FUNERAL, funeral_fen),
        (Kind.SURVIVOR, survivor_fen),
        (Kind.ACCOUNT_HEIRS, heirs),
    ):
        if amount > 0:
            add_grant(
                principal,
                person,
                kind,
                "pension",
                start,
                amount,
                account_fen=amount if kind == Kind.ACCOUNT_HEIRS else 0,
            )
    registry.cancel_person(principal, person.id_number, deceased_date=died_on)
    return {
        "stopped": stopped,
        "recovered_fen": sum(r[2] for r in recoveries),
        "heirs_fen": heirs,
        "funeral_fen": funeral_fen,
        "survivor_fen": survivor_fen,
    }


def _write_payments(
    principal: Principal, rows: list[tuple[Any, ...]], references_read: bool = False
) -> None:
    """Payment rows (``Payment``'s audit-field order) in one batch event, after checking the
    grants and persons they name exist — the table has no foreign-key triggers (decision
    0019): a missing one raises ``IntegrityError`` and the unit rolls back. The payment run
    says ``references_read`` when it took both from one join of grants and persons in this
    transaction, which has made that check already."""
    for model, position in () if references_read else ((Grant, 0), (Person, 1)):
        missing = missing_ids(model._meta.db_table, (row[position] for row in rows))
        if missing:
            raise IntegrityError(
                f"benefit payments name {model._meta.db_table} ids that do not exist:"
                f" {sorted(missing)[:10]}"
            )
    seq = audit.reserve_seq()
    _, digests = bulk.write_rows(Payment, [(*r[:4], str(r[4]), *r[5:]) for r in rows], seq)
    audit.record_batch_leaves(principal, "benefit.pay", Payment, seq, digests)


def verify(
    principal: Principal,
    person: Person,
    verified_on: date,
    channel: str,
    result: str,
    note: str = "",
) -> Verification:
    """Record one eligibility verification (领取待遇资格认证) of a beneficiary."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "benefits.verify", person)
    if not any(not h.one_off for h in held_by(person.pk)):
        raise InvalidInput.one(
            "id_number",
            "no_benefit",
            f"{person.name} 未领取按月待遇，无需资格认证",
            "the person receives no monthly benefit to verify",
        )
    if verified_on > date.today():
        raise InvalidInput.one(
            "verified_on", "future", "认证日期不能晚于今天", "the date is in the future"
        )
    return audit.create_entry(
        principal,
        "benefit.verify",
        Verification,
        person=person,
        verified_on=verified_on,
        channel=channel,
        result=result,
        by=principal.actor,
        note=note,
    )
