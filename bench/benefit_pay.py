"""Benchmark the monthly benefit payment run (``quanyi benefits pay``) against the machine's floor.

    .venv/bin/python bench/benefit_pay.py [--persons 300000] [--profile FILE] [--verify]
                                          [--database-url postgres://…/empty_db]

Builds a fresh instance (SQLite unless the URL of an empty database is given) holding N
pensioners, written by the application's own bulk paths: persons by the registry's bulk service
(as an approved case applies them), one pension grant each by the bulk writer with its audit
batch event, and an account balance each from three credited months (``personal_accounts``'
credit service, entries and year balances). Every grant starts last month, and last month is
paid already (its payments and withdrawals written in bulk with the setup, as last month's run
left them), so this month's run is an ordinary month: one payment each, the grant's account part
taken from the account while it lasts (one person in ten has nothing left after last month, so
the pooled fund pays all). With ``--arrears`` nothing has been paid, so the run pays each person
two months — last month as arrears and this month — and one person in ten runs short in the
second. Then it times ``pay_month`` for this month, the bank file
alone, and ``quanyi benefits pay`` through the command line run again (everything is paid: what a
resumed run costs, with the process's start and login). In the same run it measures the floor:
the same payment rows and account entries written by binary ``COPY`` (``executemany`` in one
transaction on SQLite) into fresh copies of their tables with the same indexes. Prints a table.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import instance

PASSWORD = "Quanyi-bench-2026!"
UNIT = 10_000  # persons per setup transaction
BASIC_FEN, ACCOUNT_FEN, TRANSITIONAL_FEN = 260_000, 90_000, 40_000  # a pension's three parts
CREDIT_FEN = 100_000  # each of the three credited months
SHORT_EVERY = 10  # every tenth person's account holds exactly one month's account part
SHORT_FEN = ACCOUNT_FEN // 3  # what each of the three months credits to those


def id_numbers(count: int) -> list[tuple[str, str, Any]]:
    """Distinct valid id numbers of persons born 1940-1964: (number, sex, birth date)."""
    from datetime import date, timedelta

    from stdnum.cn import ric

    found = []
    day, sequence = date(1940, 1, 1), 0
    while len(found) < count:
        sequence += 1
        if sequence == 1000:
            day, sequence = day + timedelta(days=1), 1
            if day.year > 1964:
                day = date(1940, 1, 1)  # not reached below about 4 million persons
        body = f"110105{day:%Y%m%d}{sequence:03d}"
        found.append((body + ric.calc_check_digit(body + "0"), "M" if sequence % 2 else "F", day))
    return found


def seed(persons: int, month: Any, arrears: bool) -> tuple[float, int]:
    """N pensioners with a grant and an account each, last month paid unless ``arrears``;
    returns (seconds, grants)."""
    from datetime import date

    from django.conf import settings
    from django.db import connection, transaction

    from quanyi.access import applying
    from quanyi.access import services as access
    from quanyi.audit import bulk
    from quanyi.audit import services as audit
    from quanyi.benefits.models import Grant, Kind, PaymentKind
    from quanyi.benefits.services import _write_payments
    from quanyi.core.principal import Principal
    from quanyi.personal_accounts import services as accounts
    from quanyi.registry import services as registry
    from quanyi.registry.models import Person

    region = settings.QUANYI_REGION
    system = Principal(actor="system:bench", source="cli", region=region)
    with transaction.atomic():
        access.create_account(
            system,
            access.NewAccount(
                username="bench", password=PASSWORD, roles=("operator",), region=region
            ),
        )
    approver = Principal(
        actor="bench", source="batch", region=region, roles=frozenset({"approver"})
    )
    started = time.perf_counter()
    numbers = id_numbers(persons)
    start = str(month.add(-1))
    credited = [str(month.add(-k)) for k in (4, 3, 2)]
    grants = 0
    for first in range(0, persons, UNIT):
        unit = numbers[first : first + UNIT]
        with transaction.atomic(), applying.granted(approver, 0) as applier:
            registry.register_persons_bulk(
                applier,
                [
                    registry.NewPerson(
                        number, f"退休{first + i}", sex, birth, "", "110105", "110105", "employee"
                    )
                    for i, (number, sex, birth) in enumerate(unit)
                ],
            )
            ids = list(
                Person.objects.filter(audit_seq=audit.head()[0])
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            assert len(ids) == len(unit)
            seq = audit.reserve_seq()
            rows = [
                (pk, Kind.PENSION.value, "pension", start, "", BASIC_FEN, ACCOUNT_FEN,
                 TRANSITIONAL_FEN, BASIC_FEN + ACCOUNT_FEN + TRANSITIONAL_FEN, None, "{}")
                for pk in ids
            ]  # fmt: skip
            first_grant, digests = bulk.write_rows(Grant, rows, seq)
            audit.record_batch_leaves(applier, "benefit.grant", Grant, seq, digests)
            grants += len(rows)
            accounts.credit(
                applier,
                [
                    accounts.Credit(
                        pk, m, CREDIT_FEN if pk % SHORT_EVERY else SHORT_FEN, None, region
                    )  # type: ignore[arg-type]
                    for pk in ids
                    for m in credited
                ],
                date.fromisoformat(f"{credited[-1]}-28"),
            )
            if not arrears:
                # Last month's run, as it left things: a payment and a withdrawal each (every
                # balance covers one month's account part).
                _write_payments(
                    applier,
                    [
                        (grant, pk, start, start, PaymentKind.MONTHLY, row[8], ACCOUNT_FEN)
                        for grant, pk, row in zip(
                            range(first_grant, first_grant + len(rows)), ids, rows, strict=True
                        )
                    ],
                )
                accounts.withdraw(
                    applier,
                    [accounts.Withdrawal(pk, start, ACCOUNT_FEN) for pk in ids],
                    month.add(-1).year,
                )
    with connection.cursor() as cursor:
        # What autovacuum would have done after a load this size (the demo does the same).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started, grants


def floor(table: str, where: str, params: list[Any]) -> tuple[int, float]:
    """Rows of ``table`` matching ``where``, written again the plainest fast way into a fresh
    copy of the table with its indexes (no foreign keys: ``LIKE`` does not copy them); returns
    (rows, seconds)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY id", params)
        rows = cursor.fetchall()
        scratch = f"floor_{table}"
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT udt_name FROM information_schema.columns WHERE table_name = %s"
                " ORDER BY ordinal_position",
                [table],
            )
            types = [name for (name,) in cursor.fetchall()]
            cursor.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            binary = f"COPY {scratch} FROM STDIN WITH (FORMAT BINARY)"
            with transaction.atomic(), cursor.cursor.copy(binary) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL"
                " AND type IN ('table', 'index') ORDER BY type DESC",  # the table first
                [table],
            )
            statements = [
                sql.replace(f'"{table}"', f'"{scratch}"').replace('INDEX "', 'INDEX "floor_')
                for (sql,) in cursor.fetchall()
            ]
            for statement in statements:
                cursor.execute(statement)
            marks = ", ".join(["%s"] * len(rows[0]))
            started = time.perf_counter()
            with transaction.atomic():
                cursor.executemany(f"INSERT INTO {scratch} VALUES ({marks})", rows)
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {scratch}")
    return len(rows), seconds


def cli_again(month: str) -> tuple[int, float, int]:
    """``quanyi benefits pay`` in a child process: (exit status, seconds, peak RSS MB)."""
    quanyi = str(Path(sys.executable).with_name("quanyi"))
    argv = [quanyi, "benefits", "pay", "--month", month, "--as", "bench"]
    env = {**os.environ, "QUANYI_PASSWORD": PASSWORD, "QUANYI_LANG": "en"}
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the payment run into FILE")
    parser.add_argument("--verify", action="store_true", help="audit verify at the end")
    parser.add_argument(
        "--arrears",
        action="store_true",
        help="nothing paid before: the run pays last month as arrears and this month",
    )
    args = parser.parse_args()

    instance.fresh(args.database_url)
    from django.conf import settings
    from django.db import connection

    from quanyi import initialise as setup
    from quanyi.audit import checkpoints
    from quanyi.benefits import bank_file, payments
    from quanyi.benefits.models import Payment
    from quanyi.benefits.queries import this_month
    from quanyi.core.principal import Principal
    from quanyi.personal_accounts.models import Entry, EntryKind

    begun = datetime.now(UTC)
    setup.initialise()
    month = this_month()
    seed_seconds, grants = seed(args.persons, month, args.arrears)
    entries_before = Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # The setup's events signed as the command that wrote them would have (a command refuses
    # to run over unsigned events older than the grace).
    checkpoints.write(source="bench", started=begun)
    operator = Principal(
        actor="bench", source="batch", region=settings.QUANYI_REGION, roles=frozenset({"operator"})
    )

    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    outcome = payments.pay_month(operator, str(month), settings.QUANYI_REGION)
    if profiler:
        profiler.disable()
    checkpoints.write(source="bench", started=begun)  # as the command signs its run
    pay_seconds = time.perf_counter() - started
    print(f"pay_month: {pay_seconds:.2f} s, {outcome}", file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    entries = Entry.objects.filter(kind=EntryKind.WITHDRAWAL, pk__gt=entries_before).count()
    months = 2 if args.arrears else 1
    assert outcome.payments == Payment.objects.filter(paid_in=str(month)).count(), outcome
    assert outcome.payments == months * args.persons, outcome
    assert outcome.arrears == (args.persons if args.arrears else 0), outcome

    started = time.perf_counter()
    bank_file.write(month)
    bank_seconds = time.perf_counter() - started
    status, cli_seconds, cli_mb = cli_again(str(month))
    assert status == 0, f"quanyi benefits pay exited with {status}"
    assert Payment.objects.filter(paid_in=str(month)).count() == outcome.payments  # none again

    paid, pay_floor = floor("benefits_payment", "paid_in = %s", [str(month)])
    taken, entry_floor = floor(
        "personal_accounts_entry",
        "kind = %s AND id > %s",
        [EntryKind.WITHDRAWAL.value, entries_before],
    )
    assert (paid, taken) == (outcome.payments, entries)
    floor_seconds = pay_floor + entry_floor
    written = paid + taken

    verified = ""
    if args.verify:
        from quanyi.audit.verify import verify

        report = verify()
        verified = f"; audit verify {'passes' if report.ok else f'FAILS: {report.problem}'}"

    method = "binary COPY" if connection.vendor == "postgresql" else "executemany"
    paid_what = (
        f"each paid {month.add(-1)} as arrears and {month}"
        if args.arrears
        else f"{month.add(-1)} paid already, each paid {month}"
    )
    print(
        f"\n{connection.vendor}: {args.persons:,} pensioners, one pension grant each from"
        f" {month.add(-1)}, run for {month} ({paid_what}); set up in {seed_seconds:.1f} s"
        f"{verified}\n"
    )
    print("| step | seconds | rows | rows/s | × floor |")
    print("|---|---|---|---|---|")

    def line(label: str, seconds: float, rows: int, ratio: bool = True) -> None:
        rate = f"{rows / seconds:,.0f}" if rows else ""
        times = f"{seconds / floor_seconds:.1f}" if ratio else ""
        print(f"| {label} | {seconds:.2f} | {rows:,} | {rate} | {times} |")

    line(
        f"pay_month {month}: {outcome.payments:,} payments + {entries:,} account withdrawals,"
        " bank file, checkpoint signed",
        pay_seconds,
        written,
    )
    line(f"… the bank file alone, written again ({outcome.persons:,} transfers)", bank_seconds, 0)
    line(
        f"`quanyi benefits pay --month {month}` again, all paid (process, login, bank file;"
        f" peak {cli_mb} MB)",
        cli_seconds,
        0,
    )
    line(f"floor: {method} of the payments, same indexes", pay_floor, paid, False)
    line(f"floor: {method} of the withdrawals, same indexes", entry_floor, taken, False)
    line("**floor: both**", floor_seconds, written)
    print(f"\npeak memory {peak_mb:,.0f} MB (grants {grants:,})")
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
