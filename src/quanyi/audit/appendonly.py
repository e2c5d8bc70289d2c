"""Append-only tables: triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).

A model opts in with the ``@append_only`` class decorator; its migration adds one
``AppendOnly("table")`` operation; ``post_migrate`` re-applies every registered table so a
SQLite table rebuild can never leave a ledger unguarded. Creating the triggers is idempotent and
puts back a trigger that was dropped, disabled or altered; ``trigger_problems`` (read by ``audit
verify``) names every trigger that is not present, enabled and exactly as shipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

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


# PostgreSQL prints the body as it was given (``pg_proc.prosrc``): the text between the dollars.
PG_FUNCTION_BODY = PG_FUNCTION.split("$$")[1]

_OPS = (("UPDATE", "ROW"), ("DELETE", "ROW"), ("TRUNCATE", "STATEMENT"))


def _sqlite_trigger(table: str, op: str) -> str:
    """The text SQLite keeps in ``sqlite_master.sql`` for this trigger (it drops ``IF NOT
    EXISTS``, so the shipped statement and the stored one are the same text)."""
    return (
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'quanyi: {op} on append-only table {table} is refused');"
        " END"
    )


def _pg_trigger(table: str, op: str, level: str, on: str = "") -> str:
    """The shipped statement, or with ``on`` (the schema-qualified table) the definition as
    ``pg_get_triggerdef`` prints it back."""
    verb, target = ("CREATE", on) if on else ("CREATE OR REPLACE", table)
    return (
        f"{verb} TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {target} "
        f"FOR EACH {level} EXECUTE FUNCTION quanyi_refuse_change()"
    )


def _pg_function(schema: str) -> str:
    """``PG_FUNCTION`` as ``pg_get_functiondef`` prints it back (always schema-qualified)."""
    return (
        f"CREATE OR REPLACE FUNCTION {schema}.quanyi_refuse_change()\n RETURNS trigger\n"
        f" LANGUAGE plpgsql\nAS $function${PG_FUNCTION_BODY}$function$\n"
    )


def arm(table: str, connection: BaseDatabaseWrapper | None = None) -> None:
    """Create the triggers, or put back any that were dropped, disabled or altered.

    On PostgreSQL every trigger is ``ENABLE ALWAYS``: a session that sets
    ``session_replication_role = replica`` skips ordinary triggers without leaving a trace in
    the catalogue, but not these. Idempotent."""
    conn = connection or default_connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Only when something is wrong: the DDL takes an exclusive lock on the table, and
            # every ``quanyi init`` re-arms every ledger.
            if not trigger_problems([table], conn):
                return
            with _immediate_constraints(cursor):
                cursor.execute(PG_FUNCTION)
                for op, level in _OPS:
                    cursor.execute(_pg_trigger(table, op, level))
                    # CREATE OR REPLACE TRIGGER resets the firing mode to ordinary ENABLE.
                    cursor.execute(
                        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_{op.lower()}"
                    )
            return
        if conn.vendor != "sqlite":
            raise NotImplementedError(f"append-only triggers for {conn.vendor}")
        stored = _sqlite_stored(cursor, [table])
        for op in ("UPDATE", "DELETE"):
            name, shipped = f"{table}_no_{op.lower()}", _sqlite_trigger(table, op)
            if stored.get(name) == (table, shipped):
                continue
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(shipped)


def disarm(table: str, connection: BaseDatabaseWrapper | None = None) -> None:
    """Drop the triggers. Only for migrations that must rewrite history, and for tamper tests."""
    conn = connection or default_connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with _immediate_constraints(cursor):
                for op in ("update", "delete", "truncate"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op} ON {table}")
            return
        for op in ("update", "delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


@contextmanager
def _immediate_constraints(cursor: Any) -> Iterator[None]:
    """PostgreSQL refuses DDL on a table with pending deferred foreign-key checks in the same
    transaction: run them now, then defer Django's (deferrable) keys again."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def armed_triggers(table: str, connection: BaseDatabaseWrapper | None = None) -> set[str]:
    """Names of this table's append-only triggers that exist now (intact or not: see
    ``trigger_problems``)."""
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


@dataclass(frozen=True)
class TriggerProblem:
    """Why one append-only trigger no longer refuses: ``missing``; ``disabled`` (``state`` is
    PostgreSQL's ``tgenabled``: D disabled, R replica sessions only, O skipped by replica
    sessions); ``altered`` (its definition is not the shipped one: another timing, a WHEN
    clause, another function, another body); ``function`` (the function it calls is not the
    shipped ``quanyi_refuse_change``)."""

    table: str
    trigger: str
    kind: Literal["missing", "disabled", "altered", "function"]
    state: str = ""


def trigger_problems(
    tables: Iterable[str] | None = None, connection: BaseDatabaseWrapper | None = None
) -> list[TriggerProblem]:
    """Every append-only trigger that is not present, enabled and exactly as ``arm`` ships it,
    in table then trigger order. Reads the catalogue only (no DDL), so it runs on a standby."""
    conn = connection or default_connection
    wanted = sorted(registered_tables() if tables is None else tables)
    if not wanted:
        return []
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            return _sqlite_problems(_sqlite_stored(cursor, wanted), wanted)
        return _pg_problems(cursor, wanted)


def _sqlite_stored(cursor: Any, tables: list[str]) -> dict[str, tuple[str, str]]:
    names = [f"{table}_no_{op}" for table in tables for op in ("update", "delete")]
    cursor.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        f" AND name IN ({', '.join(['%s'] * len(names))})",
        names,
    )
    return {name: (table, sql) for name, table, sql in cursor.fetchall()}


def _sqlite_problems(stored: dict[str, tuple[str, str]], tables: list[str]) -> list[TriggerProblem]:
    problems = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            name = f"{table}_no_{op.lower()}"
            if name not in stored:
                problems.append(TriggerProblem(table, name, "missing"))
            elif stored[name] != (table, _sqlite_trigger(table, op)):
                problems.append(TriggerProblem(table, name, "altered"))
    return problems


def _pg_problems(cursor: Any, tables: list[str]) -> list[TriggerProblem]:
    # The shipped function is the one the shipped trigger text resolves to by name; a trigger
    # calling any other function (same name in another schema included) is altered.
    cursor.execute(
        "SELECT f.oid, quote_ident(n.nspname), pg_get_functiondef(f.oid)"
        " FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace"
        " WHERE f.oid = to_regprocedure('quanyi_refuse_change()')"
    )
    function = cursor.fetchone()
    function_ok = function is not None and function[2] == _pg_function(function[1])
    cursor.execute(
        "SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid), t.tgfoid,"
        " quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
        " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE NOT t.tgisinternal AND c.relname = ANY(%s) AND pg_table_is_visible(c.oid)",
        [tables],
    )
    found = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
    problems = []
    for table in tables:
        for op, level in _OPS:
            name = f"{table}_no_{op.lower()}"
            if (table, name) not in found:
                problems.append(TriggerProblem(table, name, "missing"))
                continue
            enabled, definition, function_oid, qualified = found[(table, name)]
            calls_shipped = function is not None and function_oid == function[0]
            if not calls_shipped or definition != _pg_trigger(table, op, level, on=qualified):
                problems.append(TriggerProblem(table, name, "altered"))
            elif not function_ok:
                problems.append(TriggerProblem(table, name, "function"))
            # A re-created trigger is also back to plain ENABLE: "altered" is the news.
            if enabled != "A":
                problems.append(TriggerProblem(table, name, "disabled", enabled))
    return problems


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
