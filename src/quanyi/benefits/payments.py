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
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum

from quanyi.access.policy import authorize
from quanyi.benefits.models import ONE_OFF, Grant, Kind, Payment, PaymentKind
from quanyi.benefits.queries import state_of, steps_by_grant, this_month
from quanyi.benefits.services import _write_payments
from quanyi.core import regions
from quanyi.core.bulkwork import chunks
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
    grants = list(
        Grant.objects.filter(person_id__in=person_ids, start_month__lte=str(month)).order_by(
            "person_id", "pk"
        )
    )
    steps = steps_by_grant(g.pk for g in grants)
    paid: dict[int, set[YearMonth]] = defaultdict(set)
    last_paid: dict[int, YearMonth] = {}
    for grant_id, latest in (
        Payment.objects.filter(grant_id__in=[g.pk for g in grants], kind__in=("monthly", "once"))
        .values("grant_id")
        .annotate(latest=Max("month"))
        .values_list("grant_id", "latest")
    ):
        last_paid[grant_id] = YearMonth.parse(latest)
    interrupted = {g.pk for g in grants if state_of(g, steps.get(g.pk, [])).interrupted}
    for grant_id, paid_month in Payment.objects.filter(
        grant_id__in=interrupted, kind=PaymentKind.MONTHLY
    ).values_list("grant_id", "month"):
        paid[grant_id].add(YearMonth.parse(paid_month))
    balances = dict(
        Entry.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("person_id", "total")
    )
    rows: list[tuple[object, ...]] = []
    withdrawals: list[accounts.Withdrawal] = []
    paid_persons: set[int] = set()
    now = str(month)
    for grant in grants:
        if grant.kind in ONE_OFF:
            if grant.pk in last_paid:
                continue
            account = grant.account_fen if grant.kind == Kind.ACCOUNT_HEIRS else 0
            account = min(account, max(balances.get(grant.person_id, 0), 0))
            balances[grant.person_id] = balances.get(grant.person_id, 0) - account
            rows.append(
                (
                    grant.pk,
                    grant.person_id,
                    grant.start_month,
                    now,
                    PaymentKind.ONE_OFF,
                    grant.monthly_fen,
                    account,
                )
            )
            if account:
                withdrawals.append(accounts.Withdrawal(grant.person_id, grant.start_month, account))
            outcome.one_off += 1
            paid_persons.add(grant.person_id)
            continue
        state = state_of(grant, steps.get(grant.pk, []))
        since = (
            None
            if grant.pk in interrupted
            else (last_paid[grant.pk].add(1) if grant.pk in last_paid else None)
        )
        for due in state.due_months(month, paid.get(grant.pk, set()), since):
            amount = state.amount(due)
            # The account pays its part while it lasts; the pooled fund pays the rest.
            account = min(grant.account_fen, max(balances.get(grant.person_id, 0), 0))
            balances[grant.person_id] = balances.get(grant.person_id, 0) - account
            rows.append(
                (grant.pk, grant.person_id, str(due), now, PaymentKind.MONTHLY, amount, account)
            )
            if account:
                withdrawals.append(accounts.Withdrawal(grant.person_id, str(due), account))
            if due < month:
                outcome.arrears += 1
            paid_persons.add(grant.person_id)
    if rows:
        _write_payments(principal, rows)
        accounts.withdraw(principal, withdrawals, month.year)
    outcome.persons += len(paid_persons)
    outcome.payments += len(rows)
    outcome.amount_fen += sum(int(r[5]) for r in rows)  # type: ignore[call-overload]
    outcome.account_fen += sum(w.amount_fen for w in withdrawals)
    return len(rows)


BANK_COLUMNS = ("id_number", "name", "amount_yuan", "payments", "months", "paid_in")


def bank_file_path(month: YearMonth) -> Path:
    folder = Path(settings.QUANYI_DATA_DIR) / "benefits"
    private_dir(folder)
    return folder / f"payments-{month}.csv"


@dataclass
class Transfer:
    amount_fen: int = 0
    payments: int = 0
    months: set[str] = field(default_factory=set)


def bank_rows(month: YearMonth) -> Iterator[tuple[str, ...]]:
    """One transfer per beneficiary for everything the run of ``month`` paid (arrears and
    one-off grants included; a recovery is a claim, not a transfer)."""
    totals: dict[int, Transfer] = defaultdict(Transfer)
    for person_id, benefit_month, amount in (
        Payment.objects.filter(paid_in=str(month))
        .exclude(kind=PaymentKind.RECOVERY)
        .order_by("person_id", "month")
        .values_list("person_id", "month", "amount_fen")
    ):
        transfer = totals[person_id]
        transfer.amount_fen += amount
        transfer.payments += 1
        transfer.months.add(benefit_month)
    for chunk in chunks(sorted(totals)):
        for pk, id_number, name in (
            Person.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "id_number", "name")
        ):
            transfer = totals[pk]
            yield (
                id_number,
                name,
                f"{transfer.amount_fen // 100}.{transfer.amount_fen % 100:02d}",
                str(transfer.payments),
                " ".join(sorted(transfer.months)),
                str(month),
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
