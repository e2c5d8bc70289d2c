"""A fresh instance for a benchmark: a temporary data dir, SQLite unless the URL of an empty
database is given, Django set up. Call before importing anything that touches Django."""

from __future__ import annotations

import os
import tempfile
from typing import Any


def fresh(database_url: str | None) -> str:
    """Point quanyi at a new data dir (and database), set Django up; return the data dir."""
    data_dir = tempfile.mkdtemp(prefix="quanyi-bench-")
    os.environ["QUANYI_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "quanyi.settings"
    if database_url:
        os.environ["QUANYI_DATABASE_URL"] = database_url
    else:
        os.environ.pop("QUANYI_DATABASE_URL", None)
    import django

    django.setup()
    return data_dir


def plain_line_write(count: int, month: str) -> tuple[str, float]:
    """The machine's own limit for ``count`` rows shaped like contribution lines: binary COPY
    (PostgreSQL) or executemany in one transaction (SQLite) into an unindexed scratch table,
    dropped afterwards. Returns the method's description and its seconds."""
    import time

    from django.db import connection, transaction

    rows = [(i, i, "pension", month, 1000000, 160000, 80000, 80000, "due", 1) for i in range(count)]
    columns = (
        "bill_id bigint, person_id bigint, insurance text, month text, base_fen bigint,"
        " employer_fen bigint, employee_fen bigint, account_fen bigint, kind text,"
        " audit_seq bigint"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_lines ({columns})")
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_lines FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.set_types(
                    ["int8", "int8", "text", "text", "int8", "int8", "int8", "int8", "text", "int8"]
                )
                for row in rows:
                    copy.write_row(row)
            method = "binary COPY into an unindexed table"
        else:
            cursor.executemany(
                "INSERT INTO bench_lines VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
            )
            method = "executemany in one transaction, unindexed table"
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_lines")
    return method, seconds


def demo_with_last_month(persons: int, employers: int) -> tuple[float, str, Any, float]:
    """``quanyi init``, the demo register without history, then last month posted as a working
    region's latest month is. Returns (demo seconds, month, the posting's outcome, its seconds)."""
    import time
    from datetime import date

    from django.conf import settings

    from quanyi import initialise as setup
    from quanyi.contributions import flows
    from quanyi.core.principal import Principal
    from quanyi.demo import generate

    setup.initialise()
    started = time.perf_counter()
    generate.build(persons=persons, employers=employers, years=2, seed=1, history=False)
    demo_seconds = time.perf_counter() - started
    today = date.today()
    month = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    clerk = Principal(
        actor="bench", source="batch", region=settings.QUANYI_REGION, roles=frozenset({"operator"})
    )
    started = time.perf_counter()
    outcome = flows.post_month(clerk, month, settings.QUANYI_REGION)
    return demo_seconds, month, outcome, time.perf_counter() - started
