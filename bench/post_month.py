"""Benchmark posting one month (``quanyi contributions post``) against the machine's own limit.

    .venv/bin/python bench/post_month.py [--persons 100000] [--employers 2000]
                                         [--database-url postgres://…/empty_db]

Builds a fresh instance (temporary data dir; SQLite unless the URL of an empty database is
given), loads the demo, posts last month, then — in the same run — writes the same number of
rows of the same shape the fastest plain way the database offers: ``executemany`` in one
transaction into an unindexed table on SQLite, binary ``COPY`` on PostgreSQL. Prints a table
with the ratio and the peak memory.
"""

from __future__ import annotations

import argparse
import resource

import instance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--employers", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    instance.fresh(args.database_url)
    from django.db import connection

    from quanyi.contributions.models import Line

    demo_seconds, month, outcome, post_seconds = instance.demo_with_last_month(
        args.persons, args.employers
    )
    baseline, baseline_seconds = instance.plain_line_write(outcome.lines, month)
    assert Line.objects.count() == outcome.lines
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ratio = post_seconds / baseline_seconds if baseline_seconds else float("inf")
    print(
        f"\n{connection.vendor}: {args.persons:,} persons, {args.employers:,} employers;"
        f" demo built in {demo_seconds:.1f} s\n"
    )
    print("| step | seconds | rows | rows/s | × baseline |")
    print("|---|---|---|---|---|")
    print(
        f"| contributions post {month} ({outcome.bills:,} bills) | {post_seconds:.2f} |"
        f" {outcome.lines:,} | {outcome.lines / post_seconds:,.0f} | {ratio:.1f} |"
    )
    print(
        f"| baseline: {baseline} | {baseline_seconds:.2f} | {outcome.lines:,} |"
        f" {outcome.lines / baseline_seconds:,.0f} | 1.0 |"
    )
    print(f"\npeak memory {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
