"""Benchmark the projection checks ``audit verify`` runs (year balances, contribution months,
bills), against the machine's own limit: reading the same ledger and projection rows with plain
SELECTs.

    .venv/bin/python bench/verify_projections.py [--persons 20000] [--employers 600]
                                                 [--years 5] [--database-url postgres://…/db]

Builds a fresh instance (temporary data dir; SQLite unless the URL of an empty database is
given), loads the demo with its contribution history, then times each check, a plain SELECT of
the tables it reads, and (in a second pass under tracemalloc) the checks' peak Python memory.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import instance

TABLES = {
    "balances": ("personal_accounts_entry", "personal_accounts_yearbalance", "registry_person"),
    "months": ("contributions_line", "personal_accounts_paidmonths"),
    "bills": (
        "contributions_bill",
        "contributions_line",
        "contributions_payment",
        "contributions_refund",
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--employers", type=int, default=600)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    instance.fresh(args.database_url)
    from django.db import connection

    from quanyi import initialise as setup
    from quanyi.contributions.consistency import bill_differences
    from quanyi.demo import generate
    from quanyi.personal_accounts import projections

    setup.initialise()
    started = time.perf_counter()
    generate.build(
        persons=args.persons, employers=args.employers, years=args.years, seed=1, progress=True
    )
    print(f"demo: {time.perf_counter() - started:.1f} s ({connection.vendor})")

    def count(table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            return int(cursor.fetchone()[0])

    def select(tables: tuple[str, ...]) -> float:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT * FROM {table}")
                while cursor.fetchmany(10_000):
                    pass
        return time.perf_counter() - began

    checks = {
        "balances": projections.balance_differences,
        "months": projections.month_differences,
        "bills": bill_differences,
    }
    rows = {name: sum(count(t) for t in tables) for name, tables in TABLES.items()}
    print("| check | seconds | rows read | rows/s | plain SELECT s | × SELECT | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for name, check in checks.items():
        began = time.perf_counter()
        found = sum(1 for _ in check())
        seconds = time.perf_counter() - began
        assert found == 0, f"{name}: {found} differences on an untouched demo"
        baseline = select(TABLES[name])
        tracemalloc.start()
        sum(1 for _ in check())
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(
            f"| {name} | {seconds:.2f} | {rows[name]:,} | {rows[name] / seconds:,.0f}"
            f" | {baseline:.2f} | {seconds / baseline:.1f} | {peak:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
