"""Writing many rows of an append-only, tracked table as one unit: explicit ids, one
``executemany`` (SQLite) or ``COPY`` (PostgreSQL), and each row's leaf digest computed from the
values written — the same canonical JSON ``tracking.leaf`` gives (a test holds them equal) —
so nothing is read back for the unit's Merkle root.

The hottest table, contribution lines, has its own fixed-template writer
(``contributions.bulk``); this one serves the other ledgers (account entries, payments).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from quanyi.audit import tracking


def next_ids(table: str, count: int) -> int:
    """The first of ``count`` fresh ids. The caller holds the audit chain lock (every writer of
    tracked tables does), so no one else takes ids meanwhile. On PostgreSQL ids start past the
    table's sequence as well: a row another transaction inserted the ORM's way (``nextval``)
    and has not committed is invisible to ``MAX(id)`` but has its id already."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT GREATEST(COALESCE(MAX(id), 0), COALESCE(pg_sequence_last_value("
                f"pg_get_serial_sequence(%s, 'id')::regclass), 0)) FROM {table}",
                [table],
            )
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = int(cursor.fetchone()[0]) + 1
        if connection.vendor == "postgresql" and count:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
            )
    return first


def write_rows(
    model: type[Model], rows: Sequence[Sequence[Any]], seq: int, first: int | None = None
) -> tuple[int, list[bytes]]:
    """Insert ``rows`` (values in the model's audit-field order: integers, plain strings or
    None) with fresh ids — from ``first`` if the caller took them with ``next_ids`` — stamped
    with ``seq`` and each with its leaf digest in ``row_digest``; return the first id and the
    digests."""
    if not rows:
        return 0, []
    fields = tracking.fields_of(model)
    table = model._meta.db_table
    columns = [
        "id",
        *(_column(model, name) for name in fields),
        "audit_seq",
        tracking.DIGEST_COLUMN,
    ]
    if first is None:
        first = next_ids(table, len(rows))
    kinds = _kinds(rows, len(fields))
    template = _template(fields, tracking.object_type_of(model), kinds).format
    sha256 = hashlib.sha256
    loose = [index for index, kind in enumerate(kinds) if kind == "any"]
    # Rare: a column mixing None with values, or text JSON must escape.
    quoted = (
        [
            [_json(value) if index in loose else value for index, value in enumerate(row)]
            for row in rows
        ]
        if loose
        else rows
    )
    digests = [
        sha256(template(*row, pk).encode()).digest() for pk, row in enumerate(quoted, start=first)
    ]
    insert_rows(
        table,
        columns,
        [
            (pk, *row, seq, digest)
            for (pk, row), digest in zip(enumerate(rows, start=first), digests, strict=True)
        ],
    )
    return first, digests


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Plain rows into ``table``: ``COPY`` on PostgreSQL, one ``executemany`` on SQLite."""
    if not rows:
        return
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _kinds(rows: Sequence[Sequence[Any]], width: int) -> list[str]:
    """How each column goes into the canonical JSON: ``int`` (as written), ``text`` (quoted as
    is: nothing in it JSON escapes) or ``any`` (each value through ``_json``). Deciding once per
    column keeps the per-row work to one ``format``."""
    kinds = []
    for column in zip(*rows, strict=True):
        types = set(map(type, column))
        if types == {int}:
            kinds.append("int")
        elif types == {str} and not _ESCAPED.search("".join(column)):
            kinds.append("text")
        else:
            kinds.append("any")
    return kinds or ["any"] * width


_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what json.dumps(ensure_ascii=False) escapes


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)  # accepts a foreign key's attname (person_id)
    return str(getattr(field, "column", name))


def _template(fields: Sequence[str], object_type: str, kinds: Sequence[str]) -> str:
    """The canonical JSON of a row with a slot per value (sorted keys, no spaces), quoted for
    ``text`` columns; the last slot is the id."""
    slots = {
        name: f'"{{{index}}}"' if kind == "text" else f"{{{index}}}"
        for index, (name, kind) in enumerate(zip(fields, kinds, strict=True))
    }
    slots["id"] = f"{{{len(fields)}}}"
    slots["type"] = json.dumps(object_type).replace("{", "{{").replace("}", "}}")
    return "{{" + ",".join(f'"{key}":{slots[key]}' for key in sorted(slots)) + "}}"


def _json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"bulk rows hold integers, strings or None, not {value!r}")
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)
