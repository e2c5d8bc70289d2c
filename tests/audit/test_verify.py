"""``quanyi audit verify`` catches tampering behind the application's back
(001 art. 6, 12, 28 (3); 000 §4 point 1; DESIGN.md invariant 5). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from quanyi.audit import appendonly, checkpoints, tracking
from quanyi.audit import services as audit
from quanyi.audit.models import AuditEvent
from quanyi.audit.verify import verify
from quanyi.core.principal import Principal
from quanyi.demo import generate
from quanyi.registry import services
from quanyi.registry.models import InsuranceRelation, Person
from tests.audit import forgery
from tests.registry import builders

pytestmark = pytest.mark.django_db


class World:
    """Demo batch rows plus rows written one by one through the services, then signed."""

    def __init__(self, principal: Principal) -> None:
        generate.build(persons=40, employers=4, years=3, seed=7)
        self.batch_person = Person.objects.order_by("pk").first()
        employer = builders.employer(principal)
        self.person = builders.person(principal, name="王五")
        self.lonely = builders.person(principal, name="赵六")
        self.relation = builders.relation(principal, self.person, employer, "pension", "2020-01")
        services.change_person(principal, self.person.id_number, {"phone": "13700000000"})
        self.person.refresh_from_db()
        checkpoints.write()
        self.last_seq = audit.head()[0]


@pytest.fixture
def world(principal: Principal) -> World:
    return World(principal)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@contextmanager
def triggers_dropped() -> Iterator[None]:
    """What an attacker with database access does first; put back afterwards, as they would."""
    appendonly.disarm("audit_auditevent")
    yield
    appendonly.arm("audit_auditevent")


def broken(expected_fragment: str) -> str:
    report = verify()
    assert not report.ok, "verify passed a tampered database"
    assert expected_fragment in (report.problem or ""), report.problem
    assert report.problem_zh
    return report.problem or ""


def test_untouched_world_verifies(world: World) -> None:
    report = verify()
    assert report.ok, report.problem
    assert report.events == world.last_seq
    assert report.rows_by_type["person"] == Person.objects.count() == 42
    assert report.rows_by_type["relation"] == InsuranceRelation.objects.count()
    assert report.checkpoint_seq == world.last_seq


def test_event_changed_by_raw_sql(world: World) -> None:
    with triggers_dropped():
        sql("UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 3")
    broken("event 3 was altered")


def test_recomputed_chain_is_caught_by_the_checkpoint(world: World) -> None:
    with triggers_dropped():
        sql("UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 3")
        forgery.relink_from(3)
    broken(f"event {world.last_seq} differs from its signed checkpoint")


def test_deleted_event(world: World) -> None:
    with triggers_dropped():
        sql("DELETE FROM audit_auditevent WHERE seq = 4")
    broken("event 4 is missing")


def test_truncated_tail(world: World) -> None:
    with triggers_dropped():
        sql("DELETE FROM audit_auditevent WHERE seq > 5")
    broken(f"the chain ends at event 5 but checkpoint {world.last_seq} was signed")


def test_inserted_event_that_does_not_link(world: World) -> None:
    forgery.append_event(world.last_seq + 1, "f" * 64, datetime.now(UTC))
    broken(f"event {world.last_seq + 1} does not link")


def test_inserted_event_with_a_forged_link(world: World) -> None:
    head_hash = audit.head()[1]
    forgery.append_event(world.last_seq + 1, head_hash, datetime.now(UTC) - timedelta(hours=1))
    broken(f"event {world.last_seq + 1} is not covered by any signed checkpoint")


def test_fresh_unsigned_events_are_pending_not_broken(world: World, principal: Principal) -> None:
    builders.person(principal)
    report = verify()
    assert report.ok and report.pending == 1


def test_person_row_changed_by_raw_sql(world: World) -> None:
    sql("UPDATE registry_person SET name = '李四' WHERE id = %s", [world.person.pk])
    broken(f"person {world.person.pk} differs from its stored digest (table registry_person")


def test_batch_row_changed_by_raw_sql(world: World) -> None:
    row = world.batch_person
    assert row is not None
    phone, index = builders.sealed("phone", "13000000000")
    sql(
        "UPDATE registry_person SET phone = %s, phone_index = %s WHERE id = %s",
        [phone, index, row.pk],
    )
    broken(f"person {row.pk} differs from its stored digest")


def test_plaintext_written_into_a_sealed_column_is_named(world: World) -> None:
    """DESIGN.md invariant 9: a value that does not decrypt names its row, it does not stop
    verify with a traceback."""
    row = world.batch_person
    assert row is not None
    sql("UPDATE registry_person SET phone = '13000000000' WHERE id = %s", [row.pk])
    broken(f"person {row.pk} holds a sealed value that does not decrypt")


def test_sealed_value_moved_to_another_row_is_named(world: World) -> None:
    """Without the keys an attacker can still copy one person's ciphertext onto another: it
    decrypts, and the digest names the row."""
    sql(
        "UPDATE registry_person SET phone = (SELECT phone FROM registry_person WHERE id = %s)"
        " WHERE id = %s",
        [world.person.pk, world.lonely.pk],
    )
    broken(f"person {world.lonely.pk} differs from its stored digest")


def test_row_restored_to_an_older_version(world: World) -> None:
    latest = AuditEvent.objects.get(seq=world.person.audit_seq)
    older = latest.prior_seq
    phone, index = builders.sealed("phone", "13800138000")
    sql(
        "UPDATE registry_person SET phone = %s, phone_index = %s, audit_seq = %s,"
        " row_digest = %s WHERE id = %s",
        [phone, index, older, bytes.fromhex(latest.prior_digest), world.person.pk],
    )
    broken(f"person {world.person.pk} differs from audit event {older}")


def test_row_deleted_by_raw_sql(world: World) -> None:
    sql("DELETE FROM registry_person WHERE id = %s", [world.lonely.pk])
    broken(f"person {world.lonely.pk} is missing")


def test_relation_deleted_by_raw_sql(world: World) -> None:
    sql("DELETE FROM registry_insurancerelation WHERE id = %s", [world.relation.pk])
    broken(f"relation {world.relation.pk} is missing")


def _raw_person(audit_seq: int | None) -> None:
    sql(
        "INSERT INTO registry_person (id_number, id_number_index, name, sex, birth_date, phone,"
        " phone_index, hukou_region, residence_region, category, status, agency_region,"
        " audit_seq) VALUES (%s, %s, '假人', 'M', '1980-01-01', %s, %s, '110105', '110105',"
        " 'employee', 'active', '110000', %s)",
        [
            *builders.sealed("id_number", builders.id_number()),
            *builders.sealed("phone", ""),
            audit_seq,
        ],
    )
    # The attacker gives the row the digest the project's own function computes.
    ((pk, leaf),) = tracking.stored_leaves(Person, pks=[Person.objects.order_by("-pk")[0].pk])
    sql("UPDATE registry_person SET row_digest = %s WHERE id = %s", [bytes.fromhex(leaf), pk])


def test_row_inserted_by_raw_sql(world: World) -> None:
    _raw_person(None)
    inserted = Person.objects.order_by("-pk").values_list("pk", flat=True)[0]
    broken(f"person {inserted} was written without an audit event")


def test_row_slipped_into_a_batch(world: World) -> None:
    row = world.batch_person
    assert row is not None
    from quanyi.audit.models import AuditEvent

    rows = AuditEvent.objects.get(seq=row.audit_seq).rows
    _raw_person(row.audit_seq)
    seq = row.audit_seq
    broken(f"the {rows} person rows of audit event {seq} no longer match it ({rows + 1} found")


def test_missing_triggers_are_reported(world: World) -> None:
    appendonly.disarm("audit_auditevent")
    broken("append-only triggers missing on audit_auditevent")


def test_forged_checkpoint_is_reported(world: World) -> None:
    path = sorted(checkpoints.checkpoint_dir().glob("*.jsonl"))[-1]
    path.write_text(path.read_text().replace('"seq":', '"seq":1'))
    broken("bad signature")


def test_verify_reports_progress_that_moves_to_its_total(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verify of a region runs for hours: its bar moves with the events and rows checked."""
    from quanyi.audit import verify as verifying

    monkeypatch.setattr(verifying, "PROGRESS_EVERY", 10)
    seen: list[tuple[str, int, int]] = []
    report = verify(lambda step, done, total: seen.append((step, done, total)))
    assert report.ok
    chain = [(done, total) for step, done, total in seen if step == "chain"]
    rows = [(done, total) for step, done, total in seen if step == "rows"]
    assert len(chain) > 2 and len(rows) > 2  # it moves, not 0 % then 100 %
    assert chain[-1] == (report.events, report.events)
    assert rows[-1] == (report.rows, report.rows)
    assert [done for done, _ in chain] == sorted(done for done, _ in chain)
