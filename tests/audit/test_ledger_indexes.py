"""On PostgreSQL every ledger's ``audit_seq`` index is kept without B-tree deduplication, so a
batch's tens of thousands of equal keys are appended rather than merged (audit/ledger_indexes)."""

from __future__ import annotations

import pytest
from django.db import connection

from quanyi.audit.appendonly import registered_tables
from quanyi.audit.ledger_indexes import audit_seq_indexes

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index option")
def test_every_ledgers_audit_seq_index_is_not_deduplicated() -> None:
    with connection.cursor() as cursor:
        tables = [
            table
            for table in registered_tables()
            if "audit_seq"
            in {c.name for c in connection.introspection.get_table_description(cursor, table)}
        ]
        assert {"contributions_line", "personal_accounts_entry"} <= set(tables)
        for table in tables:
            names = audit_seq_indexes(connection, table)
            assert names, table
            for name in names:
                cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [name])
                assert cursor.fetchone()[0] == ["deduplicate_items=off"], name
