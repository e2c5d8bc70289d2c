"""Append-only tables: triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

A model opts in with the ``@append_only`` class decorator; its migration adds one
``AppendOnly("table")`` operation; ``post_migrate`` re-applies every registered table so a
SQLite table rebuild can never leave a ledger unguarded. Creating the triggers is idempotent.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection as default_connection
from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

M = TypeVar("M", bound=type[Model])

_REGISTERED: set[type[Model]] = set()

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION quanyi_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'quanyi: % on append-only table % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only(model: M) -> M:
    _REGISTERED.add(model)
    return model


def registered_tables() -> list[str]:
    return sorted(model._meta.db_table for model in _REGISTERED)


def trigger_names(table: str) -> list[str]:
    return [f"{table}_no_update", f"{table}_no_delete"] + (
        [f"{table}_no_truncate"] if default_connection.vendor == "postgresql" else []
    )


def _statements(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'quanyi: {op} on append-only table {table} is refused');"
            " END"
            for op in ("UPDATE", "DELETE")
        ]
    if vendor == "postgresql":
        return [PG_FUNCTION] + [
            f"CREATE OR REPLACE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"FOR EACH {level} EXECUTE FUNCTION quanyi_refuse_change()"
            for op, level in (("UPDATE", "ROW"), ("DELETE", "ROW"), ("TRUNCATE", "STATEMENT"))
        ]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def arm(table: str, connection: BaseDatabaseWrapper | None = None) -> None:
    conn = connection or default_connection
    with conn.cursor() as cursor:
        for statement in _statements(conn.vendor, table):
            cursor.execute(statement)


def disarm(table: str, connection: BaseDatabaseWrapper | None = None) -> None:
    """Drop the triggers. Only for migrations that must rewrite history, and for tamper tests."""
    conn = connection or default_connection
    with conn.cursor() as cursor:
        for op in ("update", "delete", "truncate"):
            if conn.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op} ON {table}")
            elif op != "truncate":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


def armed_triggers(table: str, connection: BaseDatabaseWrapper | None = None) -> set[str]:
    """Names of this table's append-only triggers that exist now."""
    conn = connection or default_connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        names = {row[0] for row in cursor.fetchall()}
    return names & set(trigger_names(table))


def rearm_after_migrate(using: str = "default", **_: Any) -> None:
    from django.db import connections

    conn = connections[using]
    existing = set(conn.introspection.table_names())
    for table in registered_tables():
        if table in existing:
            arm(table, conn)


class AppendOnly(migrations.operations.base.Operation):
    """Migration operation: ``AppendOnly("audit_auditevent")``."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        arm(self.table, schema_editor.connection)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        disarm(self.table, schema_editor.connection)

    def describe(self) -> str:
        return f"Make {self.table} append-only"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return ("quanyi.audit.appendonly.AppendOnly", [self.table], {})
