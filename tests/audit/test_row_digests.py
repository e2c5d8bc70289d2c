"""Rows name themselves (001 art. 12, 28 (3); DESIGN.md invariant 5; decision 0009): every
tracked row stores its own digest, so a row changed behind the application's back inside a batch
is named by its id, and a row whose digest was rewritten with it is named by its event. Runs on
SQLite and PostgreSQL; the attacks are raw SQL with the append-only triggers dropped and put
back, digests recomputed with the project's own functions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.db import connection, models, transaction

from quanyi.audit import appendonly, checkpoints, tracking
from quanyi.audit import services as audit
from quanyi.audit.verify import verify
from quanyi.contributions.models import Line
from quanyi.core.fields import BlindIndex, SealedText
from quanyi.core.principal import Principal
from quanyi.demo import generate
from quanyi.personal_accounts.models import Entry
from quanyi.registry import services
from quanyi.registry.models import Person
from quanyi.rulebook import services as rulebook
from tests.registry import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(principal: Principal) -> Person:
    """A demo region with its contribution history (batches of persons, lines, entries), one
    person written by the registry service and changed once, all signed."""
    with transaction.atomic():
        rulebook.seed(Principal.system("system:init"))
    generate.build(persons=40, employers=4, years=3, seed=7)
    person = builders.person(principal, name="王五")
    services.change_person(principal, person.id_number, {"phone": "13700000000"})
    checkpoints.write()
    person.refresh_from_db()
    return person


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@contextmanager
def triggers_dropped(table: str) -> Iterator[None]:
    appendonly.disarm(table)
    yield
    appendonly.arm(table)


def problem() -> str:
    report = verify()
    assert not report.ok, "verify passed a tampered database"
    assert report.problem_zh
    return report.problem or ""


def rewrite_digest(model: type[models.Model], pk: int) -> None:
    """What an attacker who read the code does after changing a row: store the digest the
    project's own function computes from the changed content."""
    ((_, leaf),) = tracking.stored_leaves(model, pks=[pk])
    sql(
        f"UPDATE {model._meta.db_table} SET row_digest = %s WHERE id = %s",
        [bytes.fromhex(leaf), pk],
    )


def batch_row(model: type[models.Model]) -> tuple[int, int, int]:
    """(id, audit_seq, rows in its event) of a row written in a batch of several."""
    from quanyi.audit.models import AuditEvent

    for pk, seq in model._default_manager.order_by("pk").values_list("pk", "audit_seq"):
        rows = AuditEvent.objects.get(seq=seq).rows
        if rows > 1:
            return pk, seq, rows
    raise AssertionError(f"no batch of {model.__name__}")


def test_untouched_world_verifies_and_every_row_stores_its_leaf(world: Person) -> None:
    assert verify().ok
    for model in tracking.tracked_models().values():
        for pk, leaf, stored in tracking.stored_rows(model):
            assert stored == leaf, f"{model.__name__} {pk}"


def test_person_changed_inside_a_batch_is_named_by_id(world: Person) -> None:
    pk, _, _ = batch_row(Person)
    sql("UPDATE registry_person SET name = '篡改' WHERE id = %s", [pk])
    assert problem().startswith(
        f"person {pk} differs from its stored digest (table registry_person"
    )


def test_person_changed_with_its_digest_is_named_by_its_event(world: Person) -> None:
    pk, seq, rows = batch_row(Person)
    sql("UPDATE registry_person SET name = '篡改' WHERE id = %s", [pk])
    rewrite_digest(Person, pk)
    assert f"the {rows} person rows of audit event {seq} no longer match its Merkle root" in (
        problem()
    )


def test_single_row_rewritten_with_its_digest_is_named(world: Person) -> None:
    sql("UPDATE registry_person SET name = '篡改' WHERE id = %s", [world.pk])
    rewrite_digest(Person, world.pk)
    assert problem().startswith(
        f"the digest of person {world.pk} was rewritten: the rows of audit event"
        f" {world.audit_seq} no longer match its Merkle root"
    )


@pytest.mark.parametrize(
    ("model", "kind", "change"),
    [
        (Line, "line", "employer_fen = employer_fen + 100"),
        (Entry, "entry", "amount_fen = amount_fen + 100"),
    ],
)
def test_ledger_row_changed_is_named_by_id_then_by_event(
    world: Person, model: type[models.Model], kind: str, change: str
) -> None:
    pk, seq, rows = batch_row(model)
    table = model._meta.db_table
    with triggers_dropped(table):
        sql(f"UPDATE {table} SET {change} WHERE id = %s", [pk])
    assert problem().startswith(f"{kind} {pk} differs from its stored digest (table {table}")
    with triggers_dropped(table):
        rewrite_digest(model, pk)
    assert f"the {rows} {kind} rows of audit event {seq} no longer match its Merkle root" in (
        problem()
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "has no stored digest"), (b"\x00" * 32, "differs from its stored digest")],
)
def test_row_with_its_digest_nulled_or_garbage_is_named(
    world: Person, value: bytes | None, expected: str
) -> None:
    pk, _, _ = batch_row(Line)
    with triggers_dropped("contributions_line"):
        sql("UPDATE contributions_line SET row_digest = %s WHERE id = %s", [value, pk])
    assert problem().startswith(f"line {pk} {expected} (table contributions_line")


def test_backfill_restores_digests_and_rearms_the_triggers(world: Person) -> None:
    """The migration's backfill (``StoreRowDigests``) on an append-only table."""
    with triggers_dropped("personal_accounts_entry"):
        sql("UPDATE personal_accounts_entry SET row_digest = NULL")
    done = tracking.write_stored_digests(
        Entry, "entry", tracking.fields_of(Entry), connection, chunk=7
    )
    assert done == Entry.objects.count()
    assert appendonly.armed_triggers("personal_accounts_entry") == set(
        appendonly.trigger_names("personal_accounts_entry")
    )
    assert verify().ok


def test_every_tracked_table_has_the_digest_column() -> None:
    """``@tracked`` adds the column; the migrations must have created it."""
    with connection.cursor() as cursor:
        for model in tracking.tracked_models().values():
            columns = {
                column.name
                for column in connection.introspection.get_table_description(
                    cursor, model._meta.db_table
                )
            }
            assert tracking.DIGEST_COLUMN in columns, model._meta.db_table


# -- the digest computed before insert is the digest of the stored row, for every model --

_EAST_8 = timezone(timedelta(hours=8))


def _value(field: models.Field[Any, Any], index: int, nulls: bool, made: dict[Any, Any]) -> Any:
    """A value for ``field`` that tests the canonical form: non-ASCII text or a number given for
    text, a date given as text or as a moment, a datetime in UTC+8 with microseconds, JSON with
    non-ASCII keys, None where allowed."""
    if nulls and field.null:
        return None
    if isinstance(field, models.ForeignKey):
        target = field.related_model
        assert isinstance(target, type)
        key = (target, index if field.unique else None)  # a one-to-one takes a row each
        if key not in made:
            made[key] = _instance(target, 900 + len(made), nulls=True, made=made)
            made[key].save()
        return made[key]
    if isinstance(field, models.JSONField):
        return {"名": f"值{index}", "n": index, "list": [1, "二", None]}
    if isinstance(field, models.DateTimeField):
        return datetime(2024, 2, 29, 23, 59, 59, 123456 + index, tzinfo=_EAST_8)
    if isinstance(field, models.DateField):  # given as text, or as a moment on that day
        day = 10 + index % 19
        return datetime(2024, 2, day, 23, 30, tzinfo=_EAST_8) if index % 2 else f"2024-02-{day}"
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, models.IntegerField):
        return 1 + index % 8  # inside every CHECK (an employer's injury class is 1-8)
    if isinstance(field, BlindIndex):
        return None  # computed from its sealed sibling when the row is written
    if isinstance(field, models.CharField | models.TextField | SealedText):
        if index % 2 and len(str(index)) <= (field.max_length or 99):
            return index  # a code given as a number is stored, and read back, as text
        text = f"王é{index}"
        return text[: field.max_length] if field.max_length else text + " «引»\n"
    raise AssertionError(f"no test value for {field!r}")


def _instance(model: type[models.Model], index: int, nulls: bool, made: dict[Any, Any]) -> Any:
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in ("audit_seq", tracking.DIGEST_COLUMN):
            continue
        values[field.name] = _value(field, index, nulls, made)
    return model(**values)


@pytest.mark.parametrize("nulls", [False, True], ids=["filled", "nulls"])
@pytest.mark.parametrize("object_type", sorted(tracking.tracked_models()))
def test_digest_before_insert_equals_the_stored_rows(object_type: str, nulls: bool) -> None:
    model = tracking.tracked_models()[object_type]
    made: dict[Any, Any] = {}
    with transaction.atomic():
        seq = audit.reserve_seq()
        rows = [_instance(model, index, nulls, made) for index in range(2)]
        digests = audit.stamp_rows(rows, seq)
        model._default_manager.bulk_create(rows)
    stored = list(tracking.stored_rows(model, pks=[row.pk for row in rows]))
    assert [pk for pk, _, _ in stored] == [row.pk for row in rows]
    assert [leaf for _, leaf, _ in stored] == digests, "leaf before insert != leaf of stored row"
    assert [digest for _, _, digest in stored] == digests


def test_create_entry_stores_the_digest_of_the_stored_row(principal: Principal) -> None:
    person = builders.person(principal)
    with transaction.atomic():
        entry = audit.create_entry(
            principal,
            "account.credit",
            Entry,
            person=person,
            year=2025,
            month="二〇二五",
            kind="credit",
            amount_fen=1,
            line_id=None,
        )
    ((_, leaf, stored),) = tracking.stored_rows(Entry, pks=[entry.pk])
    assert stored == leaf == entry.row_digest
