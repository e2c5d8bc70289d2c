"""What writing contribution lines costs before quanyi does anything: the floor under posting
and under the legacy import.

    .venv/bin/python bench/line_write_floor.py --database-url postgres://…/any_db [--rows 360000]

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
SQL_LEAVES = (
    'SELECT sha256(convert_to(format(\'{"account_fen":%s,"base_fen":%s,"bill_id":%s,'
    '"employee_fen":%s,"employer_fen":%s,"id":%s,"insurance":"%s","kind":"%s","month":"%s",'
    '"person_id":%s,"type":"line"}\', account_fen, base_fen, bill_id, employee_fen,'
    " employer_fen, id, insurance, kind, month, person_id), 'UTF8')) FROM floor_lines ORDER BY id"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=360_000)
    args = parser.parse_args()

    persons = max(args.rows // 4, 1)
    rows = [  # a bill per 180 lines; each unit's persons spread over the whole register
        (i // 180, (i // 4) * 7919 % persons, INSURANCES[i % 4], "2026-07", *AMOUNTS)
        for i in range(args.rows)
    ]
    timings: list[tuple[str, float]] = []
    with psycopg.connect(args.database_url) as conn:
        for label, (before, after) in LOADS.items():
            with conn.transaction():
                conn.execute(
                    "CREATE TABLE floor_lines (id int8, bill_id int8, person_id int8,"
                    " insurance varchar(20), month varchar(7), base_fen int8, employer_fen int8,"
                    " employee_fen int8, account_fen int8, kind varchar(8), audit_seq int8)"
                )
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
                    server_leaves = [bytes(d) for (d,) in cursor.fetchall()]
                sql_seconds = time.perf_counter() - started
            with conn.transaction():
                conn.execute("DROP TABLE floor_lines")

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
    assert digests == server_leaves, "PostgreSQL's canonical text differs from Python's"
    timings.append(("the same leaves computed by PostgreSQL and fetched", sql_seconds))
    started = time.perf_counter()
    merkle_root_of_digests(digests)
    timings.append(("Merkle root of the leaves, Python", time.perf_counter() - started))

    baseline = timings[0][1]
    print(f"\n{args.rows:,} lines\n")
    print("| step | seconds | × baseline |")
    print("|---|---|---|")
    for label, seconds in timings:
        print(f"| {label} | {seconds:.2f} | {seconds / baseline:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
