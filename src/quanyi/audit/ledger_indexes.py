"""The ``audit_seq`` index of each append-only ledger on PostgreSQL, kept without deduplication.

A batch stamps every row of its unit with the same ``audit_seq``, so the index takes tens of
thousands of equal keys at a time. With B-tree deduplication (PostgreSQL 13+) each such key
rewrites a growing posting list; without it the new entries go to the rightmost page in heap
order. Measured on 480,000 contribution lines with one ``audit_seq``: the index cost 1.0 s
with deduplication and 0.1 s without (bench/line_write_floor.py), for a somewhat larger index.
Applied after every ``migrate`` (like the append-only triggers), so each ledger gets it.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from quanyi.audit.appendonly import registered_tables


def audit_seq_indexes(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    """Names of the B-tree indexes on exactly ``(audit_seq)`` of ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = %s AND indexdef LIKE %s",
            [table, "%USING btree (audit_seq)%"],
        )
        return [name for (name,) in cursor.fetchall()]


def deduplication_off(using: str = "default", **_: Any) -> None:
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return  # SQLite's B-trees have no posting lists
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in registered_tables():
            if table not in existing:
                continue
            for name in audit_seq_indexes(connection, table):
                cursor.execute(f'ALTER INDEX "{name}" SET (deduplicate_items = off)')
