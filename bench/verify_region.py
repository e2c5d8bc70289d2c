"""How long a full ``audit verify`` of a region takes, step by step, against the machine's floor.

    .venv/bin/python bench/verify_region.py [--persons 1000000] [--employers 20000]
                                            [--database-url postgres://…/empty_db]

Builds a fresh instance (SQLite unless the URL of an empty database is given): the demo register
without history, then last month posted (bills and contribution lines) as a working region's
latest month is. Runs a full verify and, in the same run, the floor it cannot beat: a plain
SELECT of every table verify reads. Prints rows per second per step, so a region's 40 years can
be extrapolated from its row counts (docs/performance.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime

import instance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--employers", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    instance.fresh(args.database_url)
    from django.db import connection

    from quanyi.audit import checkpoints, tracking
    from quanyi.audit.verify import verify

    bench_started = datetime.now(UTC)
    demo_seconds, month, posted, post_seconds = instance.demo_with_last_month(
        args.persons, args.employers
    )
    checkpoints.write(started=bench_started)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    report = verify()
    if not report.ok:
        print(f"verify failed: {report.problem}", file=sys.stderr)
        return 1

    tables = ["audit_auditevent"] + [
        model._meta.db_table for model in tracking.tracked_models().values()
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            while cursor.fetchmany(10_000):
                pass
    select_seconds = time.perf_counter() - started

    total = report.events + report.rows
    print(
        f"\naudit verify — {connection.vendor}, {args.persons:,} persons,"
        f" {args.employers:,} employers; demo {demo_seconds:.0f} s, {month} posted in"
        f" {post_seconds:.0f} s ({posted.lines:,} lines)\n"
    )
    print("| step | seconds | rows | rows/s |")
    print("|---|---|---|---|")
    print(
        f"| chain (hash + link) | {report.step_seconds['chain']:.2f} | {report.events:,} events"
        f" | {report.events / max(report.step_seconds['chain'], 1e-9):,.0f} |"
    )
    for step in ("checkpoints", "rows", "triggers", "domain checks"):
        seconds = report.step_seconds.get(step, 0.0)
        count = report.rows if step == "rows" else 0
        rate = f"{count / seconds:,.0f}" if count and seconds else ""
        print(f"| {step} | {seconds:.2f} | {count:,} | {rate} |")
    print(
        f"| **whole verify** | {report.seconds:.2f} | {total:,} | {total / report.seconds:,.0f} |"
    )
    print(
        f"| floor: plain SELECT of the same {len(tables)} tables | {select_seconds:.2f} |"
        f" {total:,} | {total / select_seconds:,.0f} |"
    )
    print(f"\nverify / floor = {report.seconds / select_seconds:.1f} ×")
    print("rows by type: " + ", ".join(f"{k} {v:,}" for k, v in report.rows_by_type.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
