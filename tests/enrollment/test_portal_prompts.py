"""Self-service prompts (002 art. 14, 23): a person using the portal is told which enrollment
items are missing or in doubt and what to do, in Chinese by default and in English when chosen,
with the way to send a correction; the statistics screen offers the periodic report (art. 30)
to those who may write it, with the id numbers masked."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from quanyi.core.principal import Principal
from quanyi.enrollment import flows
from quanyi.enrollment.models import Export
from quanyi.registry.models import Person
from tests.access import builders as accounts
from tests.disclosure import builders as outside
from tests.enrollment import builders
from tests.workflow.builders import Office


def _person_client(id_number: str) -> Client:
    person = Person.objects.get(id_number=id_number)
    user = outside.outside(id_number, "person", "person", person_id=person.pk)
    client = Client()
    accounts.web_login(client, user)
    return client


@pytest.fixture
def matched(
    office: Office, clerk: Principal, built: builders.Population, tmp_path: Path
) -> builders.Population:
    """partly0 listed again by another department without a phone or employment status (the
    newer version counts), then the match."""
    row = next(r for r in built.rows if r[0] == built.by_label["partly0"])
    again = tmp_path / "civil.csv"
    builders._write(again, builders.HEADER[:6], [[row[0], row[1], row[2], row[3], "", ""]])
    builders.import_file(office, again, source="民政")
    with transaction.atomic():
        flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange)
    return built


def test_the_portal_prompts_the_person_for_what_is_missing(
    matched: builders.Population,
) -> None:
    client = _person_client(matched.by_label["partly0"])
    page = client.get("/me/")
    text = page.content.decode()
    assert page.status_code == 200, text
    assert 'id="enrollment-prompts"' in text and "我的全民参保登记" in text
    for code in ("phone", "employment_status", "status:partly_enrolled", "not_enrolled_reason"):
        assert f'data-code="{code}"' in text, code
    assert "没有您的手机号码" in text and "未参全" in text and "失业保险" in text
    assert 'id="enrollment-correct"' in text and 'href="/me/objection"' in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/me/").content.decode()
    assert "My enrollment registration" in english
    assert "your mobile number is not in the enrollment registry" in english
    assert "没有您的手机号码" not in english


def test_a_person_with_nothing_missing_is_told_so_and_one_outside_the_registry_sees_nothing(
    matched: builders.Population, clerk: Principal
) -> None:
    done = _person_client(matched.by_label["employee0"]).get("/me/").content.decode()
    assert 'id="enrollment-complete"' in done and 'data-code="status:' not in done
    from tests.conftest import applying_as
    from tests.registry import builders as reg

    with transaction.atomic():
        for applier in applying_as("approver-a", "110000"):
            stranger = reg.person(applier, name="新人", category="resident")
    page = _person_client(stranger.id_number).get("/me/").content.decode()
    assert 'id="enrollment-prompts"' not in page


def test_the_statistics_screen_offers_the_report_to_those_who_may_write_it(
    matched: builders.Population,
) -> None:
    operator = Client()
    accounts.web_login(operator, accounts.account("repop", "operator"))
    page = operator.get("/enrollment/stats").content.decode()
    assert 'id="download-report"' in page and "定期报表及人员明细" in page
    answer = operator.get("/enrollment/stats", {"by": "community", "format": "xlsx"})
    assert answer.status_code == 200 and answer.content.startswith(b"PK")
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(answer.content), read_only=True)
    detail = list(book["人员明细"].iter_rows(values_only=True))
    number = matched.by_label["partly0"]
    assert len(detail) == 17 and number not in {row[0] for row in detail}
    assert number[:6] + "********" + number[-4:] in {row[0] for row in detail}
    logged = Export.objects.get()
    assert (logged.kind, logged.persons, logged.actor) == ("report", 16, "repop")

    querier = Client()
    accounts.web_login(querier, accounts.account("repq", "querier"))
    assert 'id="download-report"' not in querier.get("/enrollment/stats").content.decode()
    refused = querier.get("/enrollment/stats", {"format": "xlsx"})
    assert refused.status_code in (302, 403)
    assert Export.objects.count() == 1
