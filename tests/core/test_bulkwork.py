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
    # Every row wanted: left to itself the planner may well read the whole table (whether it
    # does depends on the statistics of the moment, so only the forced plan is asserted).
    wanted = "SELECT id FROM registry_person WHERE id = ANY(ARRAY[1, 2, 3]) OR id > 0"
    with transaction.atomic():
        with by_key():
            assert "Seq Scan" not in plan(wanted)
            assert settings() == ["off", "off", "off"]
        assert settings() == ["on", "on", "on"]


def settings() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_hashjoin'),"
            " current_setting('enable_mergejoin')"
        )
        return list(cursor.fetchone())


def test_outside_postgresql_or_a_transaction_nothing_changes() -> None:
    with by_key(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
