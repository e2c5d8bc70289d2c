"""Identities sealed at rest in the database (DESIGN.md invariant 9; GB/T 22239-2019 8.1.4.8;
PIPL art. 51): the columns hold ciphertext, lookups by id number still work through the blind
index, case payloads and maintenance-log content are sealed, digests stay over the plaintext.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import FieldError
from django.db import connection, transaction
from django.test import RequestFactory

from quanyi.access import authentication
from quanyi.access import services as access
from quanyi.access.models import AccountKind
from quanyi.audit import tracking
from quanyi.audit.verify import verify
from quanyi.core import crypto
from quanyi.core.principal import Principal
from quanyi.registry import services
from quanyi.registry.models import InsuranceRelation, Person
from quanyi.workflow.models import Case, MaintenanceEntry
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in cursor]


def test_id_number_and_phone_are_stored_sealed_and_indexed(principal: Principal) -> None:
    person = builders.person(principal, phone="13912345678")
    ((number, number_index, phone, phone_index),) = raw(
        "SELECT id_number, id_number_index, phone, phone_index FROM registry_person WHERE id = %s",
        [person.pk],
    )
    ring = crypto.keyring()
    assert isinstance(number, bytes) and person.id_number.encode() not in number
    assert b"13912345678" not in phone
    assert ring.open(number).decode() == person.id_number
    assert number_index == ring.index("id_number", person.id_number)
    assert phone_index == ring.index("phone", "13912345678")
    # Read back as plain text, and hashed as plain text: encryption changes no digest.
    again = Person.objects.get(pk=person.pk)
    assert (again.id_number, again.phone) == (person.id_number, "13912345678")
    values = [getattr(again, name) for name in tracking.fields_of(Person)]
    ((_, stored),) = raw("SELECT id, row_digest FROM registry_person WHERE id = %s", [person.pk])
    assert tracking.leaf_bytes("person", tracking.fields_of(Person), person.pk, values) == stored


def test_lookups_by_id_number_go_through_the_index(principal: Principal) -> None:
    first, second = builders.person(principal), builders.person(principal, phone="")
    employer = builders.employer(principal)
    builders.relation(principal, first, employer)
    assert Person.objects.get(id_number=first.id_number) == first
    found = Person.objects.filter(id_number__in=[first.id_number, second.id_number, "x"])
    assert set(found) == {first, second}
    assert list(Person.objects.filter(id_number__in=[])) == []
    assert list(Person.objects.exclude(id_number=first.id_number)) == [second]
    assert list(Person.objects.filter(phone="")) == [second]
    joined = InsuranceRelation.objects.filter(person__id_number__in=[first.id_number])
    assert list(joined.values_list("person__id_number", flat=True)) == [first.id_number]
    assert not Person.objects.filter(id_number=None).exists()
    # An encrypted column cannot be searched, compared or ordered by its plaintext in SQL.
    for lookup in ("startswith", "contains", "gt", "iexact"):
        with pytest.raises(FieldError):
            Person.objects.filter(**{f"id_number__{lookup}": first.id_number[:6]}).exists()


def test_the_index_follows_every_change(principal: Principal) -> None:
    """A change saved with ``update_fields`` (``audit.update_row``) writes the index too."""
    person = builders.person(principal)
    services.change_person(principal, person.id_number, {"phone": "13700000001"})
    assert Person.objects.get(phone="13700000001") == person
    assert not Person.objects.filter(phone="13800138000").exists()
    corrected = builders.id_number()
    services.correct_person(principal, person.id_number, {"id_number": corrected})
    assert Person.objects.get(id_number=corrected).pk == person.pk
    assert verify().ok


def test_case_payloads_and_the_maintenance_log_are_sealed() -> None:
    office = Office()
    number = builders.id_number()
    office.approve_all(office.submit("person.register", builders.person_payload(id_number=number)))
    case = office.approve_all(
        office.submit("person.change", {"id_number": number, "phone": "13955556666"})
    )
    corrected = builders.id_number()
    correction = {
        "object": "person",
        "key": number,
        "changes": {"id_number": corrected},
        "reason": "登记时公民身份号码录入错误",
        "method": "依据居民身份证更正",
    }
    correct = office.approve_all(office.submit("record.correct", correction))
    for table, column in (("workflow_case", "payload"), ("workflow_maintenanceentry", "content")):
        stored = " ".join(str(row[0]) for row in raw(f"SELECT {column} FROM {table}", []))
        assert "$sealed" in stored
        for secret in (number, corrected, "13955556666"):
            assert secret not in stored
    assert Case.objects.get(pk=case.pk).payload == {"id_number": number, "phone": "13955556666"}
    (entry,) = MaintenanceEntry.objects.filter(case=correct)
    assert {"field": "id_number", "before": number, "after": corrected} in entry.content
    assert verify().ok


def test_a_maintenance_entry_written_before_sealing_is_read_as_it_is() -> None:
    """Append-only rows are never rewritten (DESIGN.md invariant 2): an entry stored as plain
    JSON before the log was sealed keeps its bytes and is read as it was."""
    office = Office()
    number = builders.id_number()
    case = office.approve_all(
        office.submit("person.register", builders.person_payload(id_number=number))
    )
    content = '[{"field": "name", "before": "甲", "after": "乙"}]'
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_maintenanceentry (case_id, month, maintained_at, object_type,"
            " object_id, content, reason, method, responsible, submitted_by)"
            " VALUES (%s, '2020-01', %s, 'person', '1', %s, '', '', 'a', 'b')",
            [case.pk, case.submitted_at, content],
        )
    entry = MaintenanceEntry.objects.filter(month="2020-01").get()
    assert entry.content == [{"field": "name", "before": "甲", "after": "乙"}]


def test_a_person_logs_in_with_the_id_number_the_account_never_holds(principal: Principal) -> None:
    """Logins by id number (disclosure to the person, 001 art. 14): the account name, the
    lockout records and the login events hold the blind index, never the number."""
    person = builders.person(principal)
    number = person.id_number
    with transaction.atomic():
        user = access.create_account(
            Principal.system("system:test"),
            access.NewAccount(
                username=crypto.login_name(number),
                password="Quanyi-test-2026!",
                kind=AccountKind.PERSON,
                region="110000",
                person_id=person.pk,
            ),
        )
    assert user.username.startswith("id:") and number not in user.username
    request = RequestFactory().post("/login")
    with transaction.atomic():
        wrong = authentication.attempt(request, number.lower(), "wrong", None, "web")
    assert not wrong.ok
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [user.username]
    with transaction.atomic():
        right = authentication.attempt(
            RequestFactory().post("/login"), number, "Quanyi-test-2026!", None, "web"
        )
    assert right.ok and right.user == user
    assert crypto.axes_username(request, {"username": "operator"}) == "operator"
    assert crypto.axes_username(request, {"username": number}) == user.username
