"""The audit chain and append-only tables (001 art. 12, 28; 000 §4; DESIGN.md invariants 2, 5)."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction

from quanyi.audit import appendonly, checkpoints
from quanyi.audit import services as audit
from quanyi.audit.models import AuditEvent
from quanyi.core.principal import Principal

pytestmark = pytest.mark.django_db


def test_events_chain_by_sha256(principal: Principal) -> None:
    first = audit.record(principal, "system.test", "system", "a")
    second = audit.record(principal, "system.test", "system", "b")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == audit.GENESIS and second.prev_hash == first.hash
    stored = AuditEvent.objects.values(*audit.HASHED_FIELDS).get(seq=2)
    assert audit.event_hash(stored) == second.hash
    assert (second.actor, second.source, second.request_id) == (
        "approver-a",
        "cli",
        principal.request_id,
    )


def test_an_id_number_never_reaches_the_log(principal: Principal) -> None:
    with pytest.raises(ValueError, match="id number"):
        audit.record(principal, "person.register", "person", "11010519491231002X")
    leaky = Principal(actor="440106197001010014", source="web", region="110000")
    with pytest.raises(ValueError):
        audit.record(leaky, "login", "session")
    assert not AuditEvent.objects.exists()


def test_record_needs_the_callers_transaction(principal: Principal) -> None:
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="caller's transaction"):
            audit.record(principal, "system.test", "system")
    finally:
        connection.in_atomic_block = True


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET actor = 'mallory'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_audit_table_refuses_update_and_delete(principal: Principal, statement: str) -> None:
    audit.record(principal, "system.test", "system")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.get().actor == "approver-a"


def test_audit_table_refuses_truncate_on_postgresql(principal: Principal) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    audit.record(principal, "system.test", "system")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_every_append_only_table_has_its_triggers() -> None:
    tables = appendonly.registered_tables()
    assert "audit_auditevent" in tables
    for table in tables:
        assert appendonly.armed_triggers(table) == set(appendonly.trigger_names(table)), table


def test_triggers_are_rearmed_after_migrate() -> None:
    appendonly.disarm("audit_auditevent")
    assert appendonly.armed_triggers("audit_auditevent") == set()
    appendonly.rearm_after_migrate(using="default")
    assert appendonly.armed_triggers("audit_auditevent") == set(
        appendonly.trigger_names("audit_auditevent")
    )


def test_every_append_only_model_has_its_migration_operation() -> None:
    """A model marked ``@append_only`` must arm its triggers in a migration, not only after it."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    armed_by_migrations = {
        operation.table
        for migration in loader.disk_migrations.values()
        for operation in migration.operations
        if isinstance(operation, appendonly.AppendOnly)
    }
    assert set(appendonly.registered_tables()) <= armed_by_migrations


def test_checkpoints_are_signed_and_checked(principal: Principal) -> None:
    audit.record(principal, "system.test", "system")
    written = checkpoints.write()
    assert written is not None and written.seq == 1
    assert checkpoints.write() is None  # nothing new to sign
    latest = checkpoints.latest()
    assert latest == written and checkpoints.is_authentic(latest)
    [path] = checkpoints.checkpoint_dir().glob("*.jsonl")
    forged = json.loads(path.read_text())
    forged["hash"] = "0" * 64
    assert not checkpoints.is_authentic(checkpoints.Entry.parse(json.dumps(forged)))
