"""The declaration screen (缴费基数申报, 004 part 5 art. 5-6; issue 13): a file in yuan, every
bad row named on screen by its line and field, a preview of the bases clamped to the region's
bounds before the case is submitted, and a form sent twice making one case."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from quanyi.registry.models import Employer, Person
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(office: Office, principal: object) -> tuple[Employer, Person, Person]:
    employer = builders.employer(principal)
    people = []
    for name in ("甲", "乙"):
        person = builders.person(principal, name=name)
        builders.relation(principal, person, employer, "pension", "2024-01")
        people.append(person)
    return employer, people[0], people[1]


@pytest.fixture
def client() -> Client:
    client = Client()
    accounts.web_login(client, accounts.account("teller", "operator", "querier"))
    return client


def upload(client: Client, employer: Employer, text: str, **more: str) -> tuple[int, str]:
    file = BytesIO(text.encode("utf-8"))
    file.name = "declaration.csv"
    form = client.get("/contributions/declare").content.decode()
    token = form.split('name="token" value="')[1].split('"')[0]
    answer = client.post(
        "/contributions/declare",
        {"uscc": employer.uscc, "valid_from": "2025-01", "token": token, "file": file, **more},
    )
    return answer.status_code, answer.content.decode()


def test_a_bad_row_is_named_by_its_line_and_field_and_nothing_is_submitted(
    client: Client, staffed: tuple[Employer, Person, Person]
) -> None:
    employer, first, second = staffed
    status, page = upload(
        client, employer, f"id_number,wage\n{first.id_number},8500.00\n{second.id_number},85.001\n"
    )
    assert status == 400
    assert 'data-line="3"' in page and "工资（元）" in page and "最多两位小数" in page
    assert not Case.objects.exists()


def test_a_person_not_registered_is_named_by_the_line_of_the_file(
    client: Client, staffed: tuple[Employer, Person, Person]
) -> None:
    employer, first, _ = staffed
    stranger = builders.id_number()
    status, page = upload(
        client, employer, f"id_number,wage\n{first.id_number},8500\n{stranger},9000\n"
    )
    assert status == 400 and 'data-line="3"' in page and "公民身份号码" in page
    assert not Case.objects.exists()


def test_the_preview_shows_clamped_bases_and_a_second_submission_makes_no_second_case(
    client: Client, staffed: tuple[Employer, Person, Person]
) -> None:
    """REFERENCE.md "Contribution base": clamped to [lower, upper] of the region; issue 13:
    back + resubmit created a duplicate case."""
    employer, first, second = staffed
    text = f"id_number,wage\n{first.id_number},1000.00\n{second.id_number},999999.99\n"
    status, page = upload(client, employer, text)
    assert status == 200, page
    assert 'id="preview-rows"' in page and "按下限" in page and "按上限" in page
    assert "1,000.00" in page and 'id="declare-submit"' in page
    assert not Case.objects.exists()  # a preview submits nothing
    token = page.split('name="token" value="')[1].split('"')[0]
    content = page.split('name="content" value="')[1].split('"')[0]
    form = {"uscc": employer.uscc, "valid_from": "2025-01", "token": token, "content": content}
    form |= {"suffix": ".csv", "action": "submit"}
    first_answer = client.post("/contributions/declare", form)
    assert first_answer.status_code == 302
    (case,) = Case.objects.all()
    assert first_answer["Location"] == f"/cases/{case.pk}"
    again = client.post("/contributions/declare", form)  # browser back, submit again
    assert again.status_code == 302 and again["Location"].startswith(f"/cases/{case.pk}")
    assert Case.objects.count() == 1


def test_the_excel_template_has_the_yuan_column(client: Client) -> None:
    answer = client.get("/contributions/declare/template.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(answer.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["id_number", "wage"]
