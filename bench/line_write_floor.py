"""What writing contribution lines costs before quanyi does anything: the floor under posting
and under the legacy import.

    .venv/bin/python bench/line_write_floor.py [--database-url postgres://…/any_db] [--rows 360000]

Writes the same synthetic lines (persons scattered as employers' staff are) by binary ``COPY``
into a scratch table without indexes — the issue's baseline — then into one with the indexes
``contributions_line`` has, then unindexed with the indexes built afterwards. It also times the
per-row work every unit of posting pays for its audit event: each row's SHA-256 leaf over its
canonical JSON, in Python and in PostgreSQL, and the Merkle root of the leaves. Prints a table;
drops its scratch tables.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from typing import Any

import psycopg

TYPES = ["int8", "int8", "int8", "text", "text", "int8", "int8", "int8", "int8", "text", "int8"]
FOUR = [
    "ALTER TABLE floor_lines ADD PRIMARY KEY (id)",
    "CREATE INDEX ON floor_lines (person_id, month)",
    "CREATE INDEX ON floor_lines (bill_id)",
]
AUDIT_SEQ = "CREATE INDEX ON floor_lines (audit_seq)"
LOADS = {
    "no index (the baseline)": ([], []),
    "the four indexes of contributions_line": ([*FOUR, AUDIT_SEQ], []),
    "no index, the four built after the load": ([], [*FOUR, AUDIT_SEQ]),
}
INSURANCES = ["pension", "medical", "injury", "unemployment", "maternity"]
AMOUNTS = (1000000, 160000, 80000, 80000, "due")  # base, employer, employee, account, kind
CREATE = (
    "CREATE TABLE floor_lines (id int8, bill_id int8, person_id int8,"
    " insurance varchar(20), month varchar(7), base_fen int8, employer_fen int8,"
    " employee_fen int8, account_fen int8, kind varchar(8), audit_seq int8)"
)
SQL_LEAVES = (
    'SELECT sha256(convert_to(format(\'{"account_fen":%s,"base_fen":%s,"bill_id":%s,'
    '"employee_fen":%s,"employer_fen":%s,"id":%s,"insurance":"%s","kind":"%s","month":"%s",'
    '"person_id":%s,"type":"line"}\', account_fen, base_fen, bill_id, employee_fen,'
    " employer_fen, id, insurance, kind, month, person_id), 'UTF8')) FROM floor_lines ORDER BY id"
)


def postgresql(
    url: str, rows: list[tuple[Any, ...]]
) -> tuple[list[tuple[str, float]], tuple[float, list[bytes]]]:
    """Binary COPY of the rows under each index arrangement; and the leaves hashed by the
    server (seconds, digests)."""
    timings: list[tuple[str, float]] = []
    leaves: tuple[float, list[bytes]] = (0.0, [])
    with psycopg.connect(url) as conn:
        for label, (before, after) in LOADS.items():
            with conn.transaction():
                conn.execute(CREATE)  # type: ignore[arg-type]
                for statement in before:
                    conn.execute(statement)  # type: ignore[arg-type]
            started = time.perf_counter()
            with conn.transaction():
                with conn.cursor().copy("COPY floor_lines FROM STDIN WITH (FORMAT BINARY)") as copy:
                    copy.set_types(TYPES)
                    for pk, row in enumerate(rows, start=1):
                        copy.write_row((pk, *row, 7))
                for statement in after:
                    conn.execute(statement)  # type: ignore[arg-type]
            timings.append((f"binary COPY, {label}", time.perf_counter() - started))
            if not before and not after:
                started = time.perf_counter()
                with conn.cursor() as cursor:
                    cursor.execute(SQL_LEAVES)  # type: ignore[arg-type]
                    digests = [bytes(d) for (d,) in cursor.fetchall()]
                leaves = (time.perf_counter() - started, digests)
            with conn.transaction():
                conn.execute("DROP TABLE floor_lines")
    return timings, leaves


def sqlite(rows: list[tuple[Any, ...]]) -> list[tuple[str, float]]:
    """executemany of the rows in one transaction into a scratch file, without indexes and with
    the three contributions_line has besides its rowid."""
    import sqlite3
    import tempfile

    timings: list[tuple[str, float]] = []
    arrangements = {
        "no index (the baseline)": [],
        "the three indexes of contributions_line (the id is the rowid)": [
            "CREATE INDEX person_month ON floor_lines (person_id, month)",
            "CREATE INDEX bill ON floor_lines (bill_id)",
            "CREATE INDEX seq ON floor_lines (audit_seq)",
        ],
    }
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(f"{folder}/floor.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")  # as quanyi's settings open it
        conn.execute("PRAGMA synchronous = NORMAL")
        values = [(pk, *row, 7) for pk, row in enumerate(rows, start=1)]
        for label, statements in arrangements.items():
            conn.execute(CREATE.replace("id int8,", "id integer PRIMARY KEY,", 1))
            for statement in statements:
                conn.execute(statement)
            started = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany(f"INSERT INTO floor_lines VALUES ({', '.join(['?'] * 11)})", values)
            conn.execute("COMMIT")
            timings.append((f"executemany, {label}", time.perf_counter() - started))
            conn.execute("DROP TABLE floor_lines")
        conn.close()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="an empty PostgreSQL database; SQLite if absent")
    parser.add_argument("--rows", type=int, default=360_000)
    args = parser.parse_args()

    persons = max(args.rows // 4, 1)
    rows = [  # a bill per 180 lines; each unit's persons spread over the whole register
        (i // 180, (i // 4) * 7919 % persons, INSURANCES[i % 4], "2026-07", *AMOUNTS)
        for i in range(args.rows)
    ]
    if args.database_url:
        timings, server_leaves = postgresql(args.database_url, rows)
    else:
        timings, server_leaves = sqlite(rows), None
    from quanyi.contributions.bulk import TEMPLATE
    from quanyi.core.canonical import merkle_root_of_digests

    sha256 = hashlib.sha256
    started = time.perf_counter()
    digests = [
        sha256(TEMPLATE.format(*row, pk).encode()).digest() for pk, row in enumerate(rows, start=1)
    ]
    timings.append(
        ("SHA-256 leaves of the rows (canonical JSON), Python", time.perf_counter() - started)
    )
    if server_leaves is not None:
        assert digests == server_leaves[1], "PostgreSQL's canonical text differs from Python's"
        timings.append(("the same leaves computed by PostgreSQL and fetched", server_leaves[0]))
    started = time.perf_counter()
    merkle_root_of_digests(digests)
    timings.append(("Merkle root of the leaves, Python", time.perf_counter() - started))

    baseline = timings[0][1]
    print(f"\n{'PostgreSQL' if args.database_url else 'SQLite'}: {args.rows:,} lines\n")
    print("| step | seconds | × baseline |")
    print("|---|---|---|")
    for label, seconds in timings:
        print(f"| {label} | {seconds:.2f} | {seconds / baseline:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
