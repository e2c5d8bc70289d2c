"""Every read of identifiable data by anyone but the person themself is logged — who, when,
channel, purpose, items, result — in an append-only query log sealed into the audit chain
(001 art. 21; 001 art. 14-22 need to know; DESIGN.md records/)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from django.db import connection, transaction
from django.test import Client

from quanyi.access.errors import Refused
from quanyi.audit import appendonly, checks
from quanyi.audit.models import AuditEvent
from quanyi.cli import main
from quanyi.core.errors import NotFound
from quanyi.records import queries, querylog
from quanyi.records.models import QueryLogEntry
from quanyi.registry.models import Person
from tests.access import builders as accounts
from tests.access.builders import web_login
from tests.conftest import applying_as
from tests.registry import builders as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Iterator[Person]:
    for applier in applying_as("approver-x", "110000"):
        yield registry.person(applier, name="王芳")


ITEMS = ["person", "relations", "contributions", "account", "contribution_months"]


def entries() -> list[QueryLogEntry]:
    return list(QueryLogEntry.objects.order_by("pk"))


@pytest.mark.parametrize(
    "role", ["operator", "checker", "reviewer", "rechecker", "approver", "querier"]
)
def test_a_read_by_each_kind_of_staff_writes_one_entry(person: Person, role: str) -> None:
    reader = accounts.principal(accounts.account(f"{role}-1", role))
    with transaction.atomic():
        record = queries.read(reader, person.id_number, ITEMS, purpose="counter query")
    assert list(record) == ITEMS
    (entry,) = entries()
    assert (entry.actor, entry.source, entry.person_id) == (f"{role}-1", reader.source, person.pk)
    assert entry.items == "person,relations,contributions,account,contribution_months"
    assert (entry.purpose, entry.result) == ("counter query", "shown")


def test_the_person_reading_their_own_record_is_not_logged(person: Person) -> None:
    reader = accounts.principal(accounts.account("querier-self", "querier"))
    with transaction.atomic():
        queries.read(replace(reader, person_id=person.pk), person.id_number)
    assert entries() == []


def test_a_refused_or_absent_read_shows_nothing_and_logs_nothing(person: Person) -> None:
    sysadmin = accounts.principal(accounts.account("root-1", "sysadmin"))
    elsewhere = accounts.principal(accounts.account("q-gz", "querier", region="440100"))
    with pytest.raises(Refused):
        queries.read(sysadmin, person.id_number)
    with pytest.raises(NotFound):
        queries.read(elsewhere, person.id_number)
    assert entries() == []


def test_only_the_items_asked_for_are_read_and_logged(person: Person) -> None:
    reader = accounts.principal(accounts.account("querier-2", "querier"))
    with transaction.atomic():
        record = queries.read(reader, person.id_number, items=["person"], purpose="phone check")
    assert set(record) == {"person"}
    assert entries()[0].items == "person"


def test_a_batch_reads_under_its_basis_and_is_logged_per_batch_and_per_person(
    person: Person,
) -> None:
    for applier in applying_as("approver-y", "110000"):
        other = registry.person(applier, name="李雷")
    reader = accounts.principal(accounts.account("operator-b", "operator"))
    with transaction.atomic():
        read = dict(
            queries.read_batch(
                replace(reader, source="batch"),
                [person.id_number, other.id_number],
                basis="annual statements 2026",
                items=["person", "account"],
            )
        )
    assert set(read) == {person.id_number, other.id_number}
    logged = entries()
    assert [e.person_id for e in logged] == [person.pk, other.pk]
    assert {(e.basis, e.source, e.items) for e in logged} == {
        ("annual statements 2026", "batch", "person,account")
    }
    (batch,) = AuditEvent.objects.filter(action=queries.BATCH_ACTION)
    assert (batch.actor, batch.object_id, batch.rows) == ("operator-b", "annual statements 2026", 2)


def test_reads_on_the_api_and_web_are_logged_with_their_channel(
    person: Person, client: Client
) -> None:
    user = accounts.account("querier-w", "querier")
    web_login(client, user)
    assert client.get(f"/api/v1/persons/{person.id_number}/record").status_code == 200
    found = client.post("/records", {"id_number": person.id_number})
    assert client.get(found["Location"]).status_code == 200
    assert [(e.source, e.purpose) for e in entries()] == [
        ("api", "api query"),
        ("web", "counter query"),
    ]


def test_the_cli_seals_its_reads_into_the_chain_and_verify_checks_them(
    person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.account("querier-c", "querier")
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    assert main(["record", "show", person.id_number, "--as", "querier-c"]) == 0
    (entry,) = entries()
    seal = AuditEvent.objects.get(action=querylog.SEAL_ACTION)
    assert (seal.object_id, seal.rows) == (f"{entry.pk}-{entry.pk}", 1)
    assert list(querylog.check()) == []


TABLE = QueryLogEntry._meta.db_table


def behind_the_back(sql: str) -> None:
    """Raw SQL with the append-only triggers dropped (and put back), as an insider would."""
    appendonly.disarm(TABLE)
    with connection.cursor() as cursor:
        cursor.execute(sql)
    appendonly.arm(TABLE)


def sealed_reads(person: Person, count: int) -> list[QueryLogEntry]:
    reader = accounts.principal(accounts.account("querier-s", "querier"))
    with transaction.atomic():
        for _ in range(count):
            queries.read(reader, person.id_number)
        querylog.seal()
    return entries()


def test_a_sealed_entry_changed_behind_the_back_is_named(person: Person) -> None:
    logged = sealed_reads(person, 3)
    behind_the_back(f"UPDATE {TABLE} SET actor = 'someone-else' WHERE id = {logged[1].pk}")
    findings = [f.en for f in querylog.check()]
    assert any(f"query_log {logged[1].pk}: content differs" in f for f in findings), findings


def test_a_sealed_entry_removed_behind_the_back_is_named(person: Person) -> None:
    logged = sealed_reads(person, 3)
    behind_the_back(f"DELETE FROM {TABLE} WHERE id = {logged[2].pk}")
    findings = [f.en for f in querylog.check()]
    assert any(f"missing {logged[2].pk}" in f for f in findings), findings


def gapped_reads(person: Person, monkeypatch: pytest.MonkeyPatch) -> list[QueryLogEntry]:
    """Reads whose ids skip, as a PostgreSQL sequence does past rolled-back transactions."""
    ids = iter([1000, 1003, 1008])
    monkeypatch.setattr(querylog, "_next_id", lambda: next(ids))
    reader = accounts.principal(accounts.account("querier-g", "querier"))
    with transaction.atomic():
        queries.read(reader, person.id_number)
        queries.read(reader, person.id_number)
        querylog.seal()
        queries.read(reader, person.id_number)
        querylog.seal()
    return entries()


def test_ids_skipped_by_the_sequence_are_not_findings(
    person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [e.pk for e in gapped_reads(person, monkeypatch)] == [1000, 1003, 1008]
    assert list(querylog.check()) == []


def test_a_row_slipped_between_two_seals_is_named(
    person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged = gapped_reads(person, monkeypatch)
    columns = ", ".join(["id", *(f.column for f in QueryLogEntry._meta.concrete_fields[1:])])
    behind_the_back(
        f"INSERT INTO {TABLE} ({columns}) SELECT 1005, "
        + ", ".join(f.column for f in QueryLogEntry._meta.concrete_fields[1:])
        + f" FROM {TABLE} WHERE id = {logged[0].pk}"
    )
    findings = [f.en for f in querylog.check()]
    assert any("rows 1005 lie between" in f for f in findings), findings


def test_a_removed_row_is_named_among_the_skipped_ids(
    person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    gapped_reads(person, monkeypatch)
    behind_the_back(f"DELETE FROM {TABLE} WHERE id = 1003")
    findings = [f.en for f in querylog.check()]
    assert any("missing 1 of 1001, 1002, 1003" in f for f in findings), findings


def test_audit_verify_runs_the_query_log_check() -> None:
    assert "records.query_log" in checks.registered(daily_only=True)
