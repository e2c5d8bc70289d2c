"""The monthly payment run (待遇发放): every grant's due months — the month itself and any
arrears (a grant approved late, a suspension paid for on resumption) — and the one-off grants
not paid yet, as append-only payment rows; the pension's account part is taken from the
personal account. Beneficiaries are taken in units (``QUANYI_PAY_UNIT``, default 5,000), each
committed on its own, so a run stopped half-way leaves whole persons paid and the next run pays
the rest; a month is never paid twice (one row per grant, month and kind). The bank file
(``bank_file``) is written from what is stored for the run, so a resumed run still writes it
whole."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from quanyi.access.policy import authorize
from quanyi.benefits import bank_file
from quanyi.benefits.models import ONE_OFF, Grant, Kind, Payment, PaymentKind
from quanyi.benefits.queries import steps_by_grant, this_month
from quanyi.benefits.services import _write_payments
from quanyi.benefits.state import GrantState
from quanyi.core import regions
from quanyi.core.bulkwork import among, by_key, chunks, without_collector
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.personal_accounts import services as accounts
from quanyi.personal_accounts.models import Entry
from quanyi.registry.models import Person


@dataclass
class PayOutcome:
    month: str
    persons: int = 0
    payments: int = 0
    amount_fen: int = 0
    account_fen: int = 0
    arrears: int = 0
    one_off: int = 0
    bank_file: str = ""
    skipped: int = 0


def payable_month(text: str) -> YearMonth:
    month = YearMonth.parse(text, "month")
    now = this_month()
    if month > now:
        raise InvalidInput.one(
            "month",
            "not_begun",
            f"{month} 尚未开始，不能发放（可发放至 {now}）",
            f"{month} has not begun: months up to {now} may be paid",
        )
    return month


@without_collector  # millions of short-lived tuples, no cycles (core.bulkwork)
def pay_month(
    principal: Principal,
    month_text: str,
    region: str,
    progress: Callable[[int, int], None] | None = None,
    stop_after: int | None = None,
) -> PayOutcome:
    authorize(principal, "benefits.pay")
    month = payable_month(month_text)
    outcome = PayOutcome(str(month))
    person_ids = _beneficiaries(month, region)
    total = len(person_ids)
    done = 0
    if progress:
        progress(done, total)
    bank = bank_file.Writer(month)
    try:
        for chunk in chunks(person_ids, max(settings.QUANYI_PAY_UNIT, 1)):
            with transaction.atomic():
                # Lock the unit's grants' payments by taking them again inside the
                # transaction: a second run at the same time finds them paid, or waits.
                written = _pay_unit(principal, chunk, month, outcome)
            bank.add(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
            if stop_after is not None and written and outcome.persons >= stop_after:
                bank.abandon()
                return outcome
        outcome.bank_file = str(bank.finish())
    finally:
        bank.abandon()
    return outcome


def _beneficiaries(month: YearMonth, region: str) -> list[int]:
    """Persons of the region holding a grant started by ``month``."""
    return sorted(
        set(
            Grant.objects.filter(
                regions.within("person__agency_region", region), start_month__lte=str(month)
            ).values_list("person_id", flat=True)
        )
    )


def _pay_unit(
    principal: Principal, person_ids: list[int], month: YearMonth, outcome: PayOutcome
) -> int:
    now = str(month)
    with by_key():
        grants = _unit_grants(person_ids, now)
        steps = steps_by_grant(g[0] for g in grants)
        last_paid = _last_paid([g[0] for g in grants])
        interrupted = {
            pk
            for pk, _, _, start, end, monthly, account in grants
            if pk in steps and GrantState.of(start, end, monthly, account, steps[pk]).interrupted
        }
        paid: dict[int, set[YearMonth]] = defaultdict(set)
        for grant_id, paid_month in _payments_of(sorted(interrupted)):
            paid[grant_id].add(YearMonth.parse(paid_month))
        # Only a grant with an account part reads the account: the others pay nothing from it.
        balances = _balances(
            sorted(
                {
                    person_id
                    for _, person_id, kind, _, _, _, account in grants
                    if account and (kind not in ONE_OFF or kind == Kind.ACCOUNT_HEIRS)
                }
            )
        )
    rows: list[tuple[object, ...]] = []
    withdrawals: list[accounts.Withdrawal] = []
    paid_persons: set[int] = set()
    names: dict[int, str] = {}  # month strings by index, made once per unit
    indexes: dict[str, int] = {}  # and the other way
    through = month.index
    for pk, person_id, kind, start, end, monthly, account_part in grants:
        if kind in ONE_OFF:
            if pk in last_paid:
                continue
            account = account_part if kind == Kind.ACCOUNT_HEIRS else 0
            account = min(account, max(balances.get(person_id, 0), 0))
            balances[person_id] = balances.get(person_id, 0) - account
            rows.append((pk, person_id, start, now, PaymentKind.ONE_OFF, monthly, account))
            if account:
                withdrawals.append(accounts.Withdrawal(person_id, start, account))
            outcome.one_off += 1
            paid_persons.add(person_id)
            continue
        if pk in steps:
            state = GrantState.of(start, end, monthly, account_part, steps[pk])
            since = None if pk in interrupted else last_paid.get(pk)
            due = [
                (m.index, state.amount(m))
                for m in state.due_months(month, paid.get(pk, set()), since)
            ]
        else:
            # Without changes every month from the start (or the one after the last paid) to
            # the end is due at the grant's own amount: what GrantState gives, without it.
            first = indexes.get(start)
            if first is None:
                first = indexes[start] = YearMonth.parse(start).index
            if pk in last_paid:
                first = max(first, last_paid[pk].index)
            last = min(through, YearMonth.parse(end).index) if end else through
            due = [(index, monthly) for index in range(first, last + 1)]
        for index, amount in due:
            text = names.get(index)
            if text is None:
                text = names[index] = str(YearMonth.from_index(index))
            # The account pays its part while it lasts; the pooled fund pays the rest.
            account = min(account_part, max(balances.get(person_id, 0), 0))
            balances[person_id] = balances.get(person_id, 0) - account
            rows.append((pk, person_id, text, now, PaymentKind.MONTHLY, amount, account))
            if account:
                withdrawals.append(accounts.Withdrawal(person_id, text, account))
            if index < through:
                outcome.arrears += 1
            paid_persons.add(person_id)
    if rows:
        _write_payments(principal, rows, references_read=True)
        accounts.withdraw(principal, withdrawals, month.year)
    outcome.persons += len(paid_persons)
    outcome.payments += len(rows)
    outcome.amount_fen += sum(int(r[5]) for r in rows)  # type: ignore[call-overload]
    outcome.account_fen += sum(w.amount_fen for w in withdrawals)
    return len(rows)


GrantRow = tuple[int, int, str, str, str, int, int]


def _unit_grants(person_ids: list[int], through: str) -> list[GrantRow]:
    """(id, person, kind, start, end, monthly, account part) of the persons' grants started by
    ``through``, by person and id. Each grant's person is joined, so a grant whose person is
    gone (no foreign key holds it, decision 0019) stops the unit here."""
    where, params = among("g.person_id", person_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.id, g.person_id, g.kind, g.start_month, g.end_month, g.monthly_fen,"
            f" g.account_fen, p.id FROM {Grant._meta.db_table} g"
            f" LEFT JOIN {Person._meta.db_table} p ON p.id = g.person_id"
            f" WHERE {where} AND g.start_month <= %s ORDER BY g.person_id, g.id",
            [*params, through],
        )
        found = cursor.fetchall()
    orphans = sorted({row[1] for row in found if row[7] is None})
    if orphans:
        raise IntegrityError(
            f"benefit grants name {Person._meta.db_table} ids that do not exist: {orphans[:10]}"
        )
    return [row[:7] for row in found]


def _last_paid(grant_ids: list[int]) -> dict[int, YearMonth]:
    """The month after the latest paid monthly or once, by grant."""
    if not grant_ids:
        return {}
    where, params = among("grant_id", grant_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT grant_id, MAX(month) FROM {Payment._meta.db_table}"
            f" WHERE {where} AND kind IN (%s, %s) GROUP BY grant_id",
            [*params, PaymentKind.MONTHLY.value, PaymentKind.ONE_OFF.value],
        )
        found = cursor.fetchall()
    after: dict[str, YearMonth] = {}  # a few distinct months among thousands of grants
    for _, latest in found:
        if latest not in after:
            after[latest] = YearMonth.parse(latest).add(1)
    return {pk: after[latest] for pk, latest in found}


def _payments_of(grant_ids: list[int]) -> list[tuple[int, str]]:
    """(grant, month) of every monthly payment of these grants."""
    if not grant_ids:
        return []
    where, params = among("grant_id", grant_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT grant_id, month FROM {Payment._meta.db_table} WHERE {where} AND kind = %s",
            [*params, PaymentKind.MONTHLY.value],
        )
        return cursor.fetchall()


def _balances(person_ids: list[int]) -> dict[int, int]:
    """The account balance of each person given (the sum of the ledger), if they have entries."""
    if not person_ids:
        return {}
    where, params = among("person_id", person_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT person_id, SUM(amount_fen) FROM {Entry._meta.db_table} WHERE {where}"
            " GROUP BY person_id",
            params,
        )
        return {person_id: int(total) for person_id, total in cursor.fetchall()}
