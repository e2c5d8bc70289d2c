"""Contribution years (缴费年限) in the record and on the person page: the pension's are (paid +
deemed months) / 12, the other insurances' paid months / 12, shown to two decimals, each with
how it adds up (REFERENCE.md Basic pension; DESIGN.md invariant 2: a figure explains itself)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import translation

from quanyi.cli import main
from quanyi.personal_accounts.models import PaidMonths
from quanyi.records import page
from quanyi.registry import services
from quanyi.registry.models import Person
from tests.access import builders as accounts
from tests.conftest import applying_as
from tests.records.test_person_page import clerk, look_up
from tests.registry import builders as registry

pytestmark = pytest.mark.django_db

ZH = "缴费年限 15.00 年（实际缴费 108 个月 + 视同缴费 72 个月 = 180 个月）"
EN = "contribution years 15.00 (paid 108 months + deemed 72 months = 180 months)"


@pytest.fixture
def person() -> Iterator[Person]:
    """108 paid pension months and 72 deemed; 179 paid medical months."""
    for applier in applying_as("approver-y", "110000"):
        someone = registry.person(applier, name="赵平")
        with transaction.atomic():
            services.record_deemed(applier, someone.id_number, 72, "档案：视同缴费认定表")
        # The projection ``accounts rebuild`` keeps: as posting and payments would leave it.
        PaidMonths.objects.create(person=someone, insurance="pension", months=108)
        PaidMonths.objects.create(person=someone, insurance="medical", months=179)
        yield someone


def test_record_show_gives_contribution_years_with_the_deemed_months(
    person: Person, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    accounts.account("querier", "querier")
    assert main(["record", "show", person.id_number, "--as", "querier"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["contribution_months"] == {"medical": 179, "pension": 108}
    assert record["deemed_months"] == 72
    assert record["contribution_years"] == {"medical": "14.92", "pension": "15.00"}


def test_deemed_months_alone_still_give_pension_years(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for applier in applying_as("approver-z", "110000"):
        someone = registry.person(applier)
        with transaction.atomic():
            services.record_deemed(applier, someone.id_number, 179, "档案")
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    accounts.account("querier", "querier")
    assert main(["record", "show", someone.id_number, "--as", "querier"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["contribution_years"] == {"pension": "14.92"}  # 179 / 12 = 14.9167
    assert record["contribution_months"] == {}


def test_the_person_page_explains_each_insurances_years(person: Person, client: Client) -> None:
    clerk(client)
    html = client.get(look_up(client, person.id_number)).content.decode()
    assert 'id="contribution-years"' in html
    assert ZH in html
    assert "缴费年限 14.92 年（实际缴费 179 个月）" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(look_up(client, person.id_number)).content.decode()
    assert EN in html and "Contribution years" in html


def test_the_lines_follow_the_insurances_order_in_either_language() -> None:
    record = {
        "contribution_months": {"medical": 179, "pension": 108},
        "contribution_years": {"medical": "14.92", "pension": "15.00"},
        "deemed_months": 72,
    }
    with translation.override("zh-hans"):
        lines = page.years_lines(record)
    assert [(y.insurance, y.paid, y.deemed) for y in lines] == [
        ("pension", 108, 72),
        ("medical", 179, 0),
    ]
    assert lines[0].text == ZH
    with translation.override("en"):
        assert page.years_lines(record)[0].text == EN
    assert page.years_lines({}) == []
