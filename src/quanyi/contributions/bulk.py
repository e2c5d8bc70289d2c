"""Writing contribution lines in bulk: explicit ids, ``executemany`` on SQLite and binary
``COPY`` on PostgreSQL, and each row's audit leaf computed from the values written — the
same canonical JSON ``audit.tracking.leaf`` produces (a test holds them equal), built from a
fixed template because every field is an integer or a plain ASCII code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import connection

LineRow = tuple[int, int, str, str, int, int, int, int, str]  # bill, person, … kind
COLUMNS = (
    "id",
    "bill_id",
    "person_id",
    "insurance",
    "month",
    "base_fen",
    "employer_fen",
    "employee_fen",
    "account_fen",
    "kind",
    "audit_seq",
)
TEMPLATE = (
    '{{"account_fen":{7},"base_fen":{4},"bill_id":{0},"employee_fen":{6},"employer_fen":{5},'
    '"id":{9},"insurance":"{2}","kind":"{8}","month":"{3}","person_id":{1},"type":"line"}}'
)


def line_leaf(pk: int, row: LineRow) -> str:
    return hashlib.sha256(TEMPLATE.format(*row, pk).encode()).hexdigest()


def next_ids(table: str, count: int) -> int:
    """The first of ``count`` fresh ids. The caller holds the audit chain lock (every writer of
    these tables does), so no one else takes ids meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = int(cursor.fetchone()[0]) + 1
        if connection.vendor == "postgresql" and count:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
            )
    return first


def write_lines(rows: Sequence[LineRow], seq: int) -> tuple[int, list[str]]:
    """Insert the rows with fresh ids stamped with ``seq`` (the first id, then one more per
    row, in order); return the first id and the rows' leaves in id order."""
    if not rows:
        return 0, []
    first = next_ids("contributions_line", len(rows))
    records = [(first + i, *row, seq) for i, row in enumerate(rows)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY contributions_line ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(
                    [
                        "int8",
                        "int8",
                        "int8",
                        "text",
                        "text",
                        "int8",
                        "int8",
                        "int8",
                        "int8",
                        "text",
                        "int8",
                    ]
                )
                for record in records:
                    copy.write_row(record)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO contributions_line ({', '.join(COLUMNS)}) VALUES ({marks})",
                records,
            )
    return first, [line_leaf(first + i, row) for i, row in enumerate(rows)]
