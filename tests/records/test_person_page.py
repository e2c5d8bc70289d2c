"""The person page at the counter (001 art. 14; 002 art. 13; DESIGN.md "Screens speak the
user's language"): looked up by POST, opened under an opaque reference, the id number masked
and never beside the birth date, every read logged with its purpose (001 art. 21)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.test import Client

from quanyi.records.models import QueryLogEntry
from quanyi.records.page import age
from quanyi.registry.models import Person
from tests.access import builders as accounts
from tests.access.builders import web_login
from tests.conftest import applying_as
from tests.registry import builders as registry

pytestmark = pytest.mark.django_db

BIRTH = date(1986, 3, 21)


@pytest.fixture
def person() -> Iterator[Person]:
    for applier in applying_as("approver-p", "110000"):
        someone = registry.person(
            applier,
            name="李娜",
            id_number=registry.id_number(BIRTH, male=False),
            phone="13912345678",
        )
        employer = registry.employer(applier, name="朝阳测试有限公司")
        registry.relation(applier, someone, employer, "pension", "2021-03", "2023-06")
        registry.relation(applier, someone, employer, "medical", "2021-03", "2023-06")
        yield someone


def clerk(client: Client, role: str = "querier") -> None:
    web_login(client, accounts.account(f"{role}-page", role))


def look_up(client: Client, number: str) -> str:
    """POST the id number; the answer is a redirect to the person's page."""
    answer = client.post("/records", {"id_number": number})
    assert answer.status_code == 303
    location: str = answer["Location"]
    assert location.startswith("/records/person/")
    return location


def test_the_lookup_is_a_post_and_the_page_url_holds_no_id_number(
    person: Person, client: Client
) -> None:
    """001 art. 14-22; DESIGN.md: full id numbers stay out of URLs and logs."""
    clerk(client)
    location = look_up(client, person.id_number)
    assert person.id_number not in location and person.id_number[6:14] not in location
    assert not QueryLogEntry.objects.exists()  # locating reads nothing of the record
    page = client.get(location)
    html = page.content.decode()
    assert page.status_code == 200
    assert "李娜" in html and person.id_number[:6] + "********" + person.id_number[14:] in html
    assert person.id_number not in html
    assert BIRTH.isoformat() not in html and f"{BIRTH:%Y%m%d}" not in html
    assert 'id="person-phone">139****5678<' in html and "13912345678" not in html
    assert "北京市朝阳区 (110105)" in html  # hukou by its name
    assert "企业职工基本养老保险" in html and "pension" not in page.context["record"]["person"]
    assert f'id="person-age">{page.context["age"]}<' in html
    assert page.context["age"] == age(BIRTH, date.today()) > 30
    (entry,) = QueryLogEntry.objects.all()
    assert (entry.source, entry.purpose, entry.person_id) == ("web", "counter query", person.pk)


def test_a_get_with_an_id_number_reads_nothing(person: Person, client: Client) -> None:
    """An id number in a URL is never acted on: the old GET form shows an empty search box."""
    clerk(client)
    answer = client.get("/records", {"id_number": person.id_number})
    assert answer.status_code == 200 and "李娜" not in answer.content.decode()
    assert not QueryLogEntry.objects.exists()


def test_the_search_box_is_not_refilled_and_errors_are_in_words(
    person: Person, client: Client
) -> None:
    clerk(client)
    wrong = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    answer = client.post("/records", {"id_number": wrong})
    html = answer.content.decode()
    assert answer.status_code == 404
    assert "校验位" in html and wrong not in html


def test_a_reference_opens_nothing_for_another_clerk_or_once_tampered(
    person: Person, client: Client
) -> None:
    clerk(client)
    location = look_up(client, person.id_number)
    tampered = client.get(location[:-2] + ("xx" if not location.endswith("xx") else "yy"))
    assert tampered.status_code == 404 and "李娜" not in tampered.content.decode()
    other = Client()
    web_login(other, accounts.account("operator-page", "operator"))
    answer = other.get(location)
    assert answer.status_code == 404 and "李娜" not in answer.content.decode()
    assert not QueryLogEntry.objects.exists()


def test_a_sysadmin_is_refused_the_lookup_and_the_page(person: Person, client: Client) -> None:
    """001 art. 26: no admin reads person records; a refusal page, never an empty one."""
    querier = Client()
    clerk(querier)
    location = look_up(querier, person.id_number)
    web_login(client, accounts.account("sysadmin-page", "sysadmin", otp=True))
    for answer in (client.post("/records", {"id_number": person.id_number}), client.get(location)):
        assert answer.status_code == 403
        html = answer.content.decode()
        assert 'id="refusal"' in html and "李娜" not in html


def test_the_api_reads_a_record_with_the_id_number_in_the_body(
    person: Person, client: Client
) -> None:
    """DESIGN.md: full id numbers stay out of URLs; the API's lookup is a POST, logged like
    every read (001 art. 21)."""
    clerk(client)
    answer = client.post(
        "/api/v1/records/lookup",
        {"id_number": person.id_number, "purpose": "phone check"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert (
        answer.json()["person"]["id_number"]
        == person.id_number[:6] + "********" + person.id_number[14:]
    )
    (entry,) = QueryLogEntry.objects.all()
    assert (entry.source, entry.purpose) == ("api", "phone check")


def test_malformed_lookups_and_references_get_a_page_never_a_500(
    person: Person, client: Client
) -> None:
    """DESIGN.md: no URL answers 500 to any input."""
    clerk(client)
    for number in ("", "x" * 10_000, "１１０１０５", person.id_number.lower() + "\x00"):
        assert client.post("/records", {"id_number": number}).status_code in (200, 404)
    for ref in ("x", "1:abc:def", "x" * 5000, "%00", "MQ:1tK:" + "A" * 43):
        assert client.get(f"/records/person/{ref}").status_code == 404
    assert client.put("/records").status_code == 405


def test_the_person_page_lists_the_cases_about_the_person(person: Person, client: Client) -> None:
    """The counter sees a person's cases in flight and done, by their labels (issue: the
    person page's cases), found through the case's sealed subject, not a scan of payloads."""
    from django.db import transaction

    from quanyi.workflow import services as workflow
    from tests.workflow.builders import staff

    with transaction.atomic():
        case = workflow.submit(
            staff("clerk-cases", "operator"),
            "person.change",
            {"id_number": person.id_number, "phone": "13800001111"},
        )
    web_login(client, accounts.account("operator-page", "operator"))
    page = client.get(look_up(client, person.id_number)).content.decode()
    assert f'href="/cases/{case.pk}"' in page
    assert "个人变更登记" in page and "person.change" not in page
