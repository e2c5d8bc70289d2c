"""The enrollment screens speak the user's language (DESIGN): the survey list of a division
with masked id numbers and labels, its PDF and Excel; the statistics table and chart; the
app's own Chinese translations found; no input answers 500."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from quanyi.core.principal import Principal
from quanyi.enrollment import flows
from tests.access import builders as accounts
from tests.enrollment import builders


@pytest.fixture
def screen(db: None) -> Client:
    client = Client()
    accounts.web_login(client, accounts.account("surveyor", "operator"))
    return client


def test_survey_and_statistics_screens(
    screen: Client, clerk: Principal, built: builders.Population
) -> None:
    """002 art. 17, 28-31: lists by division; statistics as a table and a chart."""
    empty = screen.get("/enrollment/survey").content.decode()
    assert "尚未进行全民参保登记比对" in empty  # the app's own locale file
    with transaction.atomic():
        flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange)
    page = screen.get("/enrollment/survey", {"division": builders.COMMUNITY_B})
    text = page.content.decode()
    assert page.status_code == 200, text
    assert "需调查登记 4 人" in text and "未参全" in text and "失业" in text
    assert built.by_label["partly0"] not in text  # masked
    assert built.by_label["partly0"][:6] + "********" in text
    pdf = screen.get("/enrollment/survey", {"division": builders.COMMUNITY_B, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = screen.get("/enrollment/survey", {"division": builders.COMMUNITY_B, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    stats = screen.get("/enrollment/stats", {"by": "community"}).content.decode()
    assert 'id="stats-chart"' in stats and "参保登记率" in stats and "城乡居民基本医疗保险" in stats
    assert builders.COMMUNITY_A in stats
    for query in ({"division": "x" * 500}, {"format": "pdf"}, {"division": "999999999"}):
        assert screen.get("/enrollment/survey", query).status_code == 200
    assert screen.get("/enrollment/stats", {"by": "<script>"}).status_code == 200


def test_the_screens_refuse_those_without_the_permission(db: None) -> None:
    client = Client()
    accounts.web_login(client, accounts.account("sys2", "sysadmin", otp=True))
    assert client.get("/enrollment/survey").status_code in (302, 403)


def test_a_population_file_is_uploaded_as_a_case_and_bad_rows_are_named(
    screen: Client,
) -> None:
    """002 art. 9: the counter takes a department's file; a bad one is named row by row."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from quanyi.workflow.models import Case
    from tests.registry import builders as reg

    header = "id_number,name,hukou_region,residence_region,employment_status,phone\n"
    bad = SimpleUploadedFile("p.csv", (header + "110105198506151234,李四,110105,,11,\n").encode())
    page = screen.post("/enrollment/import", {"source": "police", "file": bad, "key": "k1"})
    assert page.status_code == 400 and "第 2 行" in page.content.decode()
    assert not Case.objects.filter(type="enrollment.import").exists()
    good = header + f"{reg.id_number()},李四,110105,110105001001,单位就业,\n"
    for _ in range(2):
        sent = SimpleUploadedFile("p.csv", good.encode())
        answer = screen.post("/enrollment/import", {"source": "police", "file": sent, "key": "k2"})
        assert answer.status_code == 302 and answer["Location"].startswith("/cases/")
    case = Case.objects.get(type="enrollment.import")
    assert case.payload["source"] == "公安户籍"
    assert screen.get("/enrollment/import").status_code == 200
    assert screen.post("/enrollment/import", {"source": "x"}).status_code == 400


def test_the_statistics_over_the_api(
    screen: Client, clerk: Principal, built: builders.Population
) -> None:
    """002 art. 30-31: the figures, no one named; a bad month is refused, none yet is 404."""
    assert screen.get("/api/v1/enrollment/stats").status_code == 404
    with transaction.atomic():
        flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange)
    answer = screen.get("/api/v1/enrollment/stats", {"by": "community"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["population"] == 26 and len(body["divisions"]) == 3
    assert built.by_label["none0"] not in answer.content.decode()
    assert screen.get("/api/v1/enrollment/stats", {"as_of": "2026-13"}).status_code in (400, 422)
    assert screen.get("/api/v1/enrollment/stats", {"by": "planet"}).status_code in (400, 422)


def test_the_counter_prompts_for_what_is_missing(
    screen: Client, clerk: Principal, built: builders.Population
) -> None:
    """002 art. 13: serving a person flagged for survey, the clerk is told what to collect;
    the id number goes in the body and is not echoed."""
    with transaction.atomic():
        flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange)
    number = built.by_label["none_minor"]  # not enrolled, no reason given
    page = screen.post("/enrollment/counter", {"id_number": number})
    text = page.content.decode()
    assert page.status_code == 200, text
    assert "需调查登记：未参保" in text and "请询问并登记未参保原因" in text
    assert number not in text and 'id="counter-survey"' in text
    done = screen.post("/enrollment/counter", {"id_number": built.by_label["employee0"]})
    assert 'id="counter-complete"' in done.content.decode()
    assert screen.post("/enrollment/counter", {"id_number": "x" * 300}).status_code == 404
