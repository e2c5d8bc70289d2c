"""The legacy import screen (历史数据导入; DESIGN.md "import legacy"; issue 13: it could be done
only from the command line): the files the command takes, every bad row by file, line and
field, what would be loaded, then one case however often the form is sent."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client

from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def csv_file(name: str, text: str) -> BytesIO:
    file = BytesIO(text.encode("utf-8"))
    file.name = name
    return file


def token_of(page: str) -> str:
    return page.split('name="token" value="')[1].split('"')[0]


@pytest.fixture
def client(office: Office) -> Client:
    client = Client()
    accounts.web_login(client, accounts.account("teller", "operator", "querier"))
    return client


def test_a_bad_row_is_named_by_file_line_and_field(client: Client) -> None:
    token = token_of(client.get("/contributions/legacy").content.decode())
    bad = f"uscc,name,region,injury_class\n{builders.uscc()},甲公司,110105,9\n"
    answer = client.post(
        "/contributions/legacy", {"token": token, "files": csv_file("employers.csv", bad)}
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert 'data-file="employers.csv" data-line="2"' in page and "工伤行业风险类别" in page
    assert not Case.objects.exists()


def test_the_preview_counts_what_would_load_and_a_second_submission_makes_no_second_case(
    client: Client,
) -> None:
    token = token_of(client.get("/contributions/legacy").content.decode())
    good = f"uscc,name,region,injury_class\n{builders.uscc()},甲公司,110105,2\n"
    answer = client.post(
        "/contributions/legacy", {"token": token, "files": csv_file("employers.csv", good)}
    )
    page = answer.content.decode()
    assert answer.status_code == 200 and 'id="legacy-counts"' in page
    assert not Case.objects.exists()
    stored = page.split('name="stored" value="')[1].split('"')[0]
    form = {"token": token_of(page), "stored": stored, "action": "submit"}
    first = client.post("/contributions/legacy", form)
    assert first.status_code == 302
    (case,) = Case.objects.all()
    assert case.type == "import.legacy" and first["Location"] == f"/cases/{case.pk}"
    again = client.post("/contributions/legacy", form)
    assert again["Location"].startswith(f"/cases/{case.pk}")
    assert Case.objects.count() == 1
