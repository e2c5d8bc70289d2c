"""``core.bulkwork.by_key``: a unit's look-ups planned by index on PostgreSQL, whatever the
planner estimates, and the settings as they were afterwards (DESIGN.md Scale: a batch unit's
cost must not grow with the region)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from quanyi.core.bulkwork import by_key

pytestmark = pytest.mark.django_db


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def test_a_units_look_ups_are_planned_by_index_and_the_settings_restored() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    # Every row wanted: the planner's own choice is to read the whole table.
    wanted = "SELECT id FROM registry_person WHERE id = ANY(ARRAY[1, 2, 3]) OR id > 0"
    with transaction.atomic():
        assert "Seq Scan" in plan(wanted)
        with by_key():
            assert "Seq Scan" not in plan(wanted)
        assert "Seq Scan" in plan(wanted)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan')")
            assert cursor.fetchone()[0] == "on"


def test_outside_postgresql_or_a_transaction_nothing_changes() -> None:
    with by_key(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
