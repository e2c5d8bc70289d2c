"""The benefit screens (issue 14): the pension estimate in yuan with its assumptions, marked as
an estimate, with a chart; eligibility verification recorded at the counter; the person page's
benefits; bad input answered on the page, never with a 500, the id number never echoed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from quanyi.benefits.models import Verification
from tests.access import builders as accounts
from tests.benefits import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk() -> Client:
    client = Client()
    accounts.web_login(client, accounts.account("teller", "operator", "querier"))
    return client


def test_an_estimate_shows_its_assumptions_and_the_account_until_retirement(
    office: Office, tmp_path: Path, clerk: Client
) -> None:
    builders.add_history()
    number = builders.legacy_person(
        office, tmp_path / "p", date(1980, 3, 9), builders.months("2016-01", "2024-12")
    )
    answer = clerk.post(
        "/benefits/estimate", {"id_number": number, "wage_growth": "4", "future_base": "9,000.00"}
    )
    page = answer.content.decode()
    assert answer.status_code == 200, page
    assert 'id="estimate-mark"' in page and "测算" in page
    assert 'id="estimate-chart"' in page and 'data-year="2030"' in page
    assert "9,000.00" in page and "4.00%" in page  # the assumptions as stated
    assert number not in page  # masked, never echoed
    assert "2043-03" in page  # born 1980-03: 63 years on in 2043-03


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"id_number": "110105198001010000"}, "id_number"),
        ({"wage_growth": "abc"}, "wage_growth"),
        ({"retire": "2020-01"}, "retire"),
        ({"retire": "99999"}, "retire"),
        ({"future_base": "-5"}, "future_base"),
        ({"wage_growth": "1" * 400}, "wage_growth"),
    ],
)
def test_a_bad_estimate_form_is_answered_beside_the_field(
    office: Office, tmp_path: Path, clerk: Client, form: dict[str, str], field: str
) -> None:
    builders.add_history()
    number = builders.legacy_person(
        office, tmp_path / "p", date(1980, 3, 9), builders.months("2016-01", "2016-12")
    )
    answer = clerk.post("/benefits/estimate", {"id_number": number, **form})
    page = answer.content.decode()
    assert answer.status_code in (400, 404), page
    assert 'id="form-error"' in page or 'class="error' in page


def test_a_verification_is_recorded_at_the_counter(
    office: Office, tmp_path: Path, clerk: Client
) -> None:
    builders.add_history()
    number = builders.legacy_person(
        office, tmp_path / "p", date(1965, 1, 9), builders.months("2016-01", "2024-12"),
        deemed_months=72,
    )  # fmt: skip
    not_yet = clerk.post("/benefits/verify", {"id_number": number, "channel": "counter"})
    assert not_yet.status_code == 400 and "无需资格认证" in not_yet.content.decode()
    builders.approved(
        office,
        "benefit.grant",
        {"id_number": number, "insurance": "pension", "start_month": "2025-02"},
    )
    answer = clerk.post(
        "/benefits/verify", {"id_number": number, "channel": "home", "result": "passed"}
    )
    assert answer.status_code == 200 and 'id="verify-done"' in answer.content.decode()
    (row,) = Verification.objects.all()
    assert (row.channel, row.result, row.by) == ("home", "passed", "teller")
    bad = clerk.post("/benefits/verify", {"id_number": number, "channel": "pigeon"})
    assert bad.status_code == 400


def test_a_pension_is_taken_in_on_the_case_form_with_its_preview(
    office: Office, tmp_path: Path, clerk: Client
) -> None:
    """The generic intake form: the insurance and a woman's former age chosen from lists of
    labels, the preview showing the amounts in yuan by their labels before anything is
    written."""
    builders.add_history()
    number = builders.legacy_person(
        office, tmp_path / "p", date(1970, 3, 9), builders.months("2011-01", "2024-12"),
        male=False, deemed_months=12,
    )  # fmt: skip
    form = {
        "id_number": number,
        "insurance": "pension",
        "start_month": "2025-04",
        "original_age": "55",
    }
    page = clerk.get("/cases/new?type=benefit.grant").content.decode()
    assert "女职工·干部岗位" in page and "基本养老保险" in page
    preview = clerk.post("/cases/new?type=benefit.grant", {**form, "step": "preview"})
    shown = preview.content.decode()
    assert preview.status_code == 200, shown
    assert "基础养老金（元）" in shown and "计发月数" in shown
    assert (
        shown.count(number) == 1
    )  # only in the form's own box, to be submitted; the diff masks it
    answer = clerk.post("/cases/new?type=benefit.grant", form)
    assert answer.status_code == 302, answer.content.decode()
    early = clerk.post(
        "/cases/new?type=benefit.grant", {**form, "start_month": "2022-01", "step": "preview"}
    )
    assert early.status_code == 400 and "too_early" not in early.content.decode()
