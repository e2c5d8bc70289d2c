"""The portals in headless Debian Chromium against ``quanyi serve`` (001 art. 14-16, 21): a
person logs in with their id number, sees their account chart, who looked at their record and
what the enrollment registry lacks, and files an objection; an employer sees a former
employee's months with it and nothing after; both on a phone-sized screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from quanyi.core.identifiers import mask, mask_name
from quanyi.demo.generate import TOUR_ID_NUMBER
from tests.conftest import Instance, new_instance
from tests.helpers import demo_login, plain_query, quanyi
from tests.web import test_browser
from tests.web.screens import snap
from tests.web.test_browser import chromium_page, serving

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

browser_path = test_browser.browser_path
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with new_instance(tmp_path_factory.mktemp("portals") / "instance") as made:
        quanyi(made, "init")
        quanyi(made, "demo", "--persons", "40", "--employers", "4", "--seed", "5")
        yield made


@pytest.fixture(scope="module")
def site(shared: Instance) -> Iterator[str]:
    with serving(shared) as url:
        yield url


def portal_login(page: Any, site: str, shared: Instance, login: str) -> None:
    password = demo_login(shared, "operator")["QUANYI_PASSWORD"]
    page.goto(site + "/login")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_load_state()


def test_a_person_sees_the_account_who_looked_and_files_an_objection(
    site: str, shared: Instance, browser_path: str
) -> None:
    quanyi(shared, "record", "show", TOUR_ID_NUMBER, "--purpose", "柜面咨询", "--as", "querier")
    with chromium_page(browser_path, viewport=PHONE) as page:
        portal_login(page, site, shared, TOUR_ID_NUMBER)
        assert page.url.endswith("/me/")
        assert page.locator("#who").inner_text() == "110105********0022"
        assert page.locator("svg#account-chart rect").count() >= 3
        assert TOUR_ID_NUMBER not in page.content()
        # The demo's population lists the tour's employee without an employment status: the
        # portal asks for it, and says how to send it (002 art. 14, 23).
        prompts = page.locator("#enrollment-prompts")
        assert "就业状态" in prompts.locator("li[data-code=employment_status]").inner_text()
        assert prompts.locator("#enrollment-correct").get_attribute("href") == "/me/objection"
        snap(page, "portal-person-zh")
        page.click("#accesses-link")
        rows = page.locator("#accesses tr.access")
        assert rows.count() >= 1
        assert "querier" in rows.first.inner_text() and "柜面咨询" in rows.first.inner_text()
        assert "已提供" in rows.first.locator(".result").inner_text()
        snap(page, "portal-accesses-zh")
        page.goto(site + "/me/objection")
        page.click("#objection-submit")  # nothing ticked: refused in words, nothing filed
        page.check("input[name=items][value=contributions]")
        page.fill("#f-month", "2025-03")
        page.fill("#f-description", "2025年3月的缴费基数应为9000元，附工资单")
        page.set_input_files(
            "#f-evidence",
            files=[{"name": "工资单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
        )
        page.click("#objection-submit")
        page.wait_for_load_state()
        assert "/me/" in page.url
        listed = page.locator("#objection-list").inner_text()
        assert "办理中" in listed
        # The person's portal is theirs only: the clerk's screens refuse them.
        answer = page.goto(site + "/records")
        assert answer is not None and answer.status == 403


def test_an_employer_sees_a_former_employee_s_months_with_it_and_nothing_after(
    site: str, shared: Instance, browser_path: str
) -> None:
    rows = plain_query(
        shared,
        "SELECT e.uscc, r.person_id, r.end_month FROM registry_insurancerelation r"
        " JOIN registry_employer e ON e.id = r.employer_id"
        " WHERE r.end_month IS NOT NULL AND r.insurance = 'pension'"
        " AND EXISTS (SELECT 1 FROM registry_insurancerelation later"
        "  WHERE later.person_id = r.person_id AND later.employer_id <> r.employer_id"
        "  AND later.start_month > r.end_month)"
        " ORDER BY r.id LIMIT 1",
    )
    assert rows, "the demo has someone who changed jobs"
    uscc, person_id, end_month = rows[0]
    name, number = plain_query(
        shared, f"SELECT name, id_number FROM registry_person WHERE id = {person_id}"
    )[0]
    with chromium_page(browser_path, viewport=PHONE) as page:
        portal_login(page, site, shared, uscc)  # the credit code logs in employer-<uscc>
        assert page.url.endswith("/employer/")
        snap(page, "portal-employer-zh")
        row = page.locator("#former-staff tr", has_text=mask(number))
        assert mask_name(name) in row.inner_text() and name not in row.inner_text()
        row.locator("a.former-link").click()
        page.wait_for_load_state()
        years = [
            int(text)
            for text in page.locator("table.months tbody th").all_inner_texts()
            if text.strip().isdigit()
        ]
        assert years and max(years) <= int(end_month[:4])
        last = page.locator(f"#grid-pension-{end_month[:4]}")
        marks = last.locator("td.m").all_inner_texts()
        after = marks[int(end_month[5:]) :]
        assert all(mark in ("", "-") for mark in after), marks
        employers = page.locator("#relations tbody tr")
        assert employers.count() >= 1
        assert page.locator("#account-years").count() == 0  # the account is not the employer's
