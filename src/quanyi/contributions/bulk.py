"""Writing contribution lines in bulk, for ``services`` alone (posting, back-payment, history):
explicit ids, ``executemany`` on SQLite and binary ``COPY`` on PostgreSQL, and each row's audit
leaf computed from the values written — the same canonical JSON ``audit.tracking.leaf``
produces (a test holds them equal), built from a fixed template because every field is an
integer or a plain ASCII code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, connection

from quanyi.audit.bulk import next_ids
from quanyi.core.bulkwork import chunks

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
    "row_digest",
)
TYPES = [
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
    "bytea",
]
TEMPLATE = (
    '{{"account_fen":{7},"base_fen":{4},"bill_id":{0},"employee_fen":{6},"employer_fen":{5},'
    '"id":{9},"insurance":"{2}","kind":"{8}","month":"{3}","person_id":{1},"type":"line"}}'
)


def line_leaf(pk: int, row: LineRow) -> bytes:
    return hashlib.sha256(TEMPLATE.format(*row, pk).encode()).digest()


def write_lines(
    rows: Sequence[LineRow], seq: int, persons_from_relations: bool = False
) -> tuple[int, list[bytes]]:
    """Insert the rows with fresh ids stamped with ``seq`` and each with its leaf in
    ``row_digest`` (the first id, then one more per row, in order); return the first id and
    the rows' leaf digests in id order.
    ``persons_from_relations``: the caller read the person ids from insurance relations in this
    transaction, whose foreign key to the person the database enforces, so only the bills are
    looked up (decision 0007). On PostgreSQL each leaf is computed while the server takes the
    rows before it, so the two overlap; the row carries its leaf (decision 0009)."""
    if not rows:
        return 0, []
    check_references(
        {row[0] for row in rows}, () if persons_from_relations else {row[1] for row in rows}
    )
    first = next_ids("contributions_line", len(rows))
    template = TEMPLATE.format
    sha256 = hashlib.sha256
    leaves: list[bytes] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY contributions_line ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(TYPES)
                write = copy.write_row
                append = leaves.append
                for pk, row in enumerate(rows, start=first):
                    leaf = sha256(template(*row, pk).encode()).digest()
                    write((pk, *row, seq, leaf))
                    append(leaf)
        else:
            leaves = [
                sha256(template(*row, pk).encode()).digest()
                for pk, row in enumerate(rows, start=first)
            ]
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO contributions_line ({', '.join(COLUMNS)}) VALUES ({marks})",
                [
                    (pk, *row, seq, leaf)
                    for (pk, row), leaf in zip(enumerate(rows, start=first), leaves, strict=True)
                ],
            )
    return first, leaves


def check_references(bill_ids: Iterable[int], person_ids: Iterable[int]) -> None:
    """The bills and persons a unit's lines name all exist: one indexed look-up of the unit's
    distinct references instead of a foreign-key trigger per row (decision 0007)."""
    for table, wanted in (
        ("contributions_bill", set(bill_ids)),
        ("registry_person", set(person_ids)),
    ):
        missing = wanted - _existing(table, sorted(wanted))
        if missing:
            raise IntegrityError(
                f"contribution lines name {table} ids that do not exist: {sorted(missing)[:10]}"
            )


def _existing(table: str, ids: list[int]) -> set[int]:
    found: set[int] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter, not thousands
            cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s)", [ids])
            return {pk for (pk,) in cursor.fetchall()}
        for chunk in chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
            found.update(pk for (pk,) in cursor.fetchall())
    return found
