"""Benchmark the legacy import (``quanyi import legacy``) against the machine's own limit.

    .venv/bin/python bench/legacy_import.py [--persons 5000] [--years 4]
                                            [--database-url postgres://…/empty_db]

Builds a fresh instance, writes legacy files for ``--persons`` persons of one employer paying
all five insurances every month of ``--years`` years (persons × years × 60 contribution rows),
then times the two steps an import case takes: validation at intake, and the load at the final
approval (which validates again, computes every amount, writes bills, lines, payments and the
accounts, and closes the years). In the same run it writes the same number of rows the fastest
plain way the database offers (binary ``COPY`` / ``executemany`` into an unindexed table).
"""

from __future__ import annotations

import argparse
import functools
import resource
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import instance


def files(persons: int, years: int) -> dict[str, str]:
    import random

    from quanyi.demo import identities

    rng = random.Random(1)
    uscc = identities.credit_code(rng, "110105", set())
    used: set[str] = set()
    numbers = [
        identities.id_number(rng, "110105", date(1970, 1, 1) + timedelta(days=n % 7000), True, used)
        for n in range(persons)
    ]
    first = 2024 - years + 1
    months = [f"{y}-{m:02d}" for y in range(first, 2025) for m in range(1, 13)]
    insurances = ("pension", "medical", "unemployment", "injury", "maternity")
    return {
        "employers.csv": f"uscc,name,region,injury_class\n{uscc},迁移单位,110105,1\n",
        "persons.csv": "id_number,name,phone,hukou_region,residence_region,category\n"
        + "".join(f"{n},迁移人员,13800138000,110105,110105,employee\n" for n in numbers),
        "relations.csv": "id_number,uscc,insurance,start_month,end_month\n"
        + "".join(
            f"{n},{uscc},{i},{months[0]},{months[-1]}\n" for n in numbers for i in insurances
        ),
        "contributions.csv": "id_number,uscc,insurance,month,base_fen,paid_month\n"
        + "".join(
            f"{n},{uscc},{i},{m},{600000 + 1000 * (int(m[:4]) - first)},{m}\n"
            for n in numbers
            for m in months
            for i in insurances
        ),
    }


STEPS = {
    "validate again": ("quanyi.contributions.legacy", None, "validate"),
    "persons written (bulk_create)": ("quanyi.registry.models", "Person.objects", "bulk_create"),
    "bills, lines, payments": ("quanyi.contributions.services", None, "write_history"),
    "… of which the lines (COPY and leaves)": ("quanyi.contributions.bulk", None, "write_lines"),
    "paid pension lines as credits": ("quanyi.personal_accounts.flows", None, "credits_by_year"),
    "account credits (entries and year balances)": (
        "quanyi.personal_accounts.services",
        None,
        "credit",
    ),
    "yearly interest of the closed years": (
        "quanyi.personal_accounts.services",
        None,
        "credit_interest",
    ),
    "contribution months": ("quanyi.personal_accounts.services", None, "recount_months"),
}


def timed_steps() -> dict[str, float]:
    """Wrap the load's main steps so each reports its total time (instrumentation for this
    benchmark only). Returns the dict the times accumulate in."""
    import importlib

    spent: dict[str, float] = {}
    for label, (module_name, class_name, name) in STEPS.items():
        module = importlib.import_module(module_name)
        owner = functools.reduce(getattr, class_name.split("."), module) if class_name else module
        original = getattr(owner, name)

        setattr(owner, name, _timer(spent, label, original))
    return spent


def _timer(spent: dict[str, float], label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

    return timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=5_000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    instance.fresh(args.database_url)
    from django.db import connection, transaction

    steps = timed_steps()

    from quanyi import initialise as setup
    from quanyi.access import applying
    from quanyi.contributions import legacy, services
    from quanyi.core.principal import Principal

    setup.initialise()
    texts = files(args.persons, args.years)
    rows = texts["contributions.csv"].count("\n") - 1
    clerk = Principal(actor="bench", source="batch", region="110000", roles=frozenset({"operator"}))
    approver = Principal(
        actor="bench-approver", source="batch", region="110000", roles=frozenset({"approver"})
    )
    started = time.perf_counter()
    legacy.validate(clerk, texts)
    validate_seconds = time.perf_counter() - started
    steps.clear()  # what follows is the load's own
    started = time.perf_counter()
    with transaction.atomic(), applying.granted(approver, 1) as applier:
        counts = services.load_legacy(applier, texts)
    load_seconds = time.perf_counter() - started
    assert counts["contributions"] == rows, counts

    baseline, baseline_seconds = instance.plain_line_write(rows, "2024-01")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"\n{connection.vendor}: {args.persons:,} persons × {args.years} years × 5 insurances"
        f" = {rows:,} contribution rows\n"
    )
    print("| step | seconds | rows/s | × baseline |")
    print("|---|---|---|---|")
    for label, seconds in (
        ("validate (intake)", validate_seconds),
        ("load at approval (validates again, writes, closes years)", load_seconds),
        ("whole import (validate + load)", validate_seconds + load_seconds),
        (f"baseline: {baseline}", baseline_seconds),
    ):
        print(
            f"| {label} | {seconds:.2f} | {rows / seconds:,.0f} |"
            f" {seconds / baseline_seconds:.1f} |"
        )
    print(f"\npeak memory {peak_mb:,.0f} MB\n")
    print("| inside the load at approval | seconds | rows/s |")
    print("|---|---|---|")
    for label, seconds in steps.items():
        print(f"| {label} | {seconds:.2f} | {rows / seconds:,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
