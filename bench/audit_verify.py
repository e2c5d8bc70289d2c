"""Benchmark ``quanyi audit verify`` on a demo region, against the machine's own limits.

    .venv/bin/python bench/audit_verify.py [--persons 10000] [--changes 20000]
                                           [--database-url postgres://…/db]

Builds a fresh instance (temporary data dir; SQLite unless a database URL of an empty database is
given), loads the demo, then makes ``--changes`` single-row changes through the services so the
chain holds one event per change as a working agency's does. Prints a table: verify itself, and
in the same run the two things it cannot beat — reading the same rows with a plain SELECT, and
SHA-256 over the same canonical bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from datetime import UTC, datetime

import instance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--employers", type=int, default=300)
    parser.add_argument("--changes", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    instance.fresh(args.database_url)
    from django.db import connection, transaction

    from quanyi import initialise as setup
    from quanyi.audit import checkpoints
    from quanyi.audit.models import AuditEvent
    from quanyi.audit.services import HASHED_FIELDS
    from quanyi.audit.verify import verify
    from quanyi.core.canonical import canonical_json, format_time
    from quanyi.core.principal import Principal
    from quanyi.demo import generate
    from quanyi.registry import services
    from quanyi.registry.models import InsuranceRelation, Person

    bench_started = datetime.now(UTC)
    setup.initialise()
    started = time.perf_counter()
    generate.build(persons=args.persons, employers=args.employers, years=5, seed=1, history=False)
    demo_seconds = time.perf_counter() - started

    # The changes exercise the apply step of approved cases directly (as case 0): the bench
    # measures verify over a realistic chain, not the review workflow.
    operator = Principal(
        actor="bench", source="batch", region="110000", roles=frozenset({"approver"}), case_id=0
    )
    numbers = list(Person.objects.order_by("pk").values_list("id_number", flat=True))
    started = time.perf_counter()
    for start in range(0, args.changes, 1000):
        with transaction.atomic():
            for i in range(start, min(start + 1000, args.changes)):
                phone = f"139{i:08d}"
                services.change_person(operator, numbers[i % len(numbers)], {"phone": phone})
    change_seconds = time.perf_counter() - started
    checkpoints.write(started=bench_started)

    report = verify()
    if not report.ok:
        print(f"verify failed: {report.problem}", file=sys.stderr)
        return 1

    # Baseline 1: read the same events and rows with plain SELECTs, nothing else.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "audit_auditevent",
            "registry_person",
            "registry_employer",
            "registry_insurancerelation",
        ):
            cursor.execute(f"SELECT * FROM {table}")
            while cursor.fetchmany(10_000):
                pass
    select_seconds = time.perf_counter() - started

    # Baseline 2: SHA-256 of the canonical bytes verify hashes (events and rows), no parsing.
    blobs = []
    for event in AuditEvent.objects.values(*HASHED_FIELDS).iterator():
        event["time"] = format_time(event["time"])
        blobs.append(canonical_json(event))
    for model in (Person, InsuranceRelation):
        for row in model.objects.values().iterator():
            blobs.append(canonical_json({k: str(v) for k, v in row.items()}))
    started = time.perf_counter()
    for blob in blobs:
        hashlib.sha256(blob).hexdigest()
    hash_seconds = time.perf_counter() - started

    rows = report.rows
    rows_seconds = report.seconds - report.chain_seconds
    print(
        f"\nquanyi audit verify — {connection.vendor}, {args.persons:,} demo persons,"
        f" {args.changes:,} single-row changes (demo built in {demo_seconds:.1f} s,"
        f" changes in {change_seconds:.1f} s)\n"
    )
    print(f"| {'step':<46} | {'seconds':>7} | {'per second':>10} | {'× SELECT':>8} |")
    print(f"|{'-' * 48}|{'-' * 9}|{'-' * 12}|{'-' * 10}|")

    def line(step: str, seconds: float, count: int, unit: str) -> None:
        print(
            f"| {step:<46} | {seconds:>7.2f} | {count / seconds:>10,.0f} |"
            f" {seconds / select_seconds:>8.1f} |  {count:,} {unit}"
        )

    line("audit verify: chain pass (hash + link)", report.chain_seconds, report.events, "events")
    line("audit verify: rows pass (digests, Merkle roots)", rows_seconds, rows, "rows")
    line("audit verify: whole command", report.seconds, report.events + rows, "events+rows")
    line(
        "baseline: plain SELECT of the same tables",
        select_seconds,
        report.events + rows,
        "events+rows",
    )
    line("baseline: SHA-256 of the same canonical bytes", hash_seconds, len(blobs), "blobs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
