"""The monthly payment run (待遇发放): every grant's due months — the month itself and any
arrears (a grant approved late, a suspension paid for on resumption) — and the one-off grants
not paid yet, as append-only payment rows; the pension's account part is taken from the
personal account. Beneficiaries are taken in units (``QUANYI_PAY_UNIT``, default 5,000), each
committed on its own, so a run stopped half-way leaves whole persons paid and the next run pays
the rest; a month is never paid twice (one row per grant, month and kind). The bank file is
written from what is stored for the run, so a resumed run still writes it whole."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from quanyi.access.policy import authorize
from quanyi.benefits.models import ONE_OFF, Grant, Kind, Payment, PaymentKind
from quanyi.benefits.queries import steps_by_grant, this_month
from quanyi.benefits.services import _write_payments
from quanyi.benefits.state import GrantState
from quanyi.core import crypto, regions
from quanyi.core.bulkwork import among, by_key, chunks, without_collector
from quanyi.core.errors import InvalidInput
from quanyi.core.filemodes import private_dir
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
    for chunk in chunks(person_ids, max(settings.QUANYI_PAY_UNIT, 1)):
        with transaction.atomic():
            # Lock the unit's grants' payments by taking them again inside the transaction:
            # a second run at the same time finds them paid, or waits.
            written = _pay_unit(principal, chunk, month, outcome)
        done += len(chunk)
        if progress:
            progress(done, total)
        if stop_after is not None and written and outcome.persons >= stop_after:
            return outcome
    outcome.bank_file = str(write_bank_file(month))
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
        _write_payments(principal, rows)
        accounts.withdraw(principal, withdrawals, month.year)
    outcome.persons += len(paid_persons)
    outcome.payments += len(rows)
    outcome.amount_fen += sum(int(r[5]) for r in rows)  # type: ignore[call-overload]
    outcome.account_fen += sum(w.amount_fen for w in withdrawals)
    return len(rows)


GrantRow = tuple[int, int, str, str, str, int, int]


def _unit_grants(person_ids: list[int], through: str) -> list[GrantRow]:
    """(id, person, kind, start, end, monthly, account part) of the persons' grants started by
    ``through``, by person and id."""
    where, params = among("person_id", person_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, person_id, kind, start_month, end_month, monthly_fen, account_fen"
            f" FROM {Grant._meta.db_table} WHERE {where} AND start_month <= %s"
            " ORDER BY person_id, id",
            [*params, through],
        )
        return cursor.fetchall()


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


BANK_COLUMNS = ("id_number", "name", "amount_yuan", "payments", "months", "paid_in")


def bank_file_path(month: YearMonth) -> Path:
    folder = Path(settings.QUANYI_DATA_DIR) / "benefits"
    private_dir(folder)
    return folder / f"payments-{month}.csv"


def bank_rows(month: YearMonth) -> Iterator[tuple[str, ...]]:
    """One transfer per beneficiary for everything the run of ``month`` paid (arrears and
    one-off grants included; a recovery is a claim, not a transfer), by person."""
    with connection.cursor() as cursor:
        # One read joining the persons, in person order: the run's payments are few per person
        # (one, or a few with arrears), so repeating the person's columns costs less than a
        # second look-up of every beneficiary.
        cursor.execute(
            "SELECT pay.person_id, pay.month, pay.amount_fen, person.id_number, person.name"
            f" FROM {Payment._meta.db_table} pay"
            f" JOIN {Person._meta.db_table} person ON person.id = pay.person_id"
            " WHERE pay.paid_in = %s AND pay.kind <> %s ORDER BY pay.person_id, pay.month",
            [str(month), PaymentKind.RECOVERY.value],
        )
        found = cursor.fetchall()
    # (first row, rows) per person; the id numbers opened in one loop, one per person.
    spans: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(found) + 1):
        if index == len(found) or found[index][0] != found[start][0]:
            spans.append((start, index))
            start = index
    numbers = crypto.open_values(found[first][3] for first, _ in spans)
    paid_in = str(month)
    for (first, end), id_number in zip(spans, numbers, strict=True):
        rows = found[first:end]
        amount = sum(row[2] for row in rows)
        yield (
            id_number or "",
            rows[0][4],
            f"{amount // 100}.{amount % 100:02d}",
            str(len(rows)),
            " ".join(sorted({row[1] for row in rows})),
            paid_in,
        )


def write_bank_file(month: YearMonth) -> Path:
    """The bank's payment file for the run (CSV, readable by the service account only: it
    holds full id numbers, as the bank needs them)."""
    path = bank_file_path(month)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as out:
        temporary.chmod(0o600)
        writer = csv.writer(out)
        writer.writerow(BANK_COLUMNS)
        writer.writerows(bank_rows(month))
    temporary.replace(path)
    return path
