"""What writing contribution lines costs before quanyi does anything: the floor under posting.

    .venv/bin/python bench/line_write_floor.py --database-url postgres://…/any_db [--rows 358000]

Writes the same synthetic lines by binary ``COPY`` into a scratch table without indexes (the
issue's baseline), then into one with the indexes ``contributions_line`` has, and times the
Python side every unit of posting also pays: each row's SHA-256 leaf over its canonical JSON
and the Merkle root of the leaves. Prints a table; drops its scratch tables.
"""

from __future__ import annotations

import argparse
import hashlib
import time

import psycopg

TYPES = ["int8", "int8", "int8", "text", "text", "int8", "int8", "int8", "int8", "text", "int8"]
INDEXES = {
    "no index (the baseline)": [],
    "the four indexes of contributions_line": [
        "ALTER TABLE floor_lines ADD PRIMARY KEY (id)",
        "CREATE INDEX ON floor_lines (person_id, month)",
        "CREATE INDEX ON floor_lines (bill_id)",
        "CREATE INDEX ON floor_lines (audit_seq)",
    ],
    "the same with audit_seq as BRIN": [
        "ALTER TABLE floor_lines ADD PRIMARY KEY (id)",
        "CREATE INDEX ON floor_lines (person_id, month)",
        "CREATE INDEX ON floor_lines (bill_id)",
        "CREATE INDEX ON floor_lines USING brin (audit_seq)",
    ],
}
INSURANCES = ["pension", "medical", "injury", "unemployment", "maternity"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=358_000)
    args = parser.parse_args()

    rows = [
        (i // 180, i // 5, INSURANCES[i % 5], "2026-07", 1000000, 160000, 80000, 80000, "due")
        for i in range(args.rows)
    ]
    timings: list[tuple[str, float]] = []
    with psycopg.connect(args.database_url) as conn:
        for label, statements in INDEXES.items():
            with conn.transaction():
                conn.execute(
                    "CREATE TABLE floor_lines (id int8, bill_id int8, person_id int8,"
                    " insurance varchar(20), month varchar(7), base_fen int8, employer_fen int8,"
                    " employee_fen int8, account_fen int8, kind varchar(8), audit_seq int8)"
                )
                for statement in statements:
                    conn.execute(statement)  # type: ignore[arg-type]
            started = time.perf_counter()
            copying = conn.cursor().copy("COPY floor_lines FROM STDIN WITH (FORMAT BINARY)")
            with conn.transaction(), copying as copy:
                copy.set_types(TYPES)
                for pk, row in enumerate(rows, start=1):
                    copy.write_row((pk, *row, 7))
            timings.append((f"binary COPY, {label}", time.perf_counter() - started))
            with conn.transaction():
                conn.execute("DROP TABLE floor_lines")

    from quanyi.contributions.bulk import TEMPLATE
    from quanyi.core.canonical import merkle_root_of_digests

    sha256 = hashlib.sha256
    started = time.perf_counter()
    digests = [sha256(TEMPLATE.format(*row, pk).encode()).digest() for pk, row in enumerate(rows)]
    timings.append(
        ("SHA-256 leaves of the rows (canonical JSON), Python", time.perf_counter() - started)
    )
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
