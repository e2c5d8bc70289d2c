"""The case screens in headless Chromium, as a clerk uses them: a change taken in from its form,
sent twice by the back button (one case), reviewed and approved by two other people, then found
by the person's id number (by POST: the number is in no address) with its diff and its outcome
in words kept (001 art. 7, 14; DESIGN.md "Screens speak the user's language")."""

from __future__ import annotations

import pytest

from tests.conftest import Instance
from tests.helpers import query
from tests.web.screens import snap
from tests.web.test_browser import CHROMIUM_ARGS, browser_path, log_in, server

__all__ = ["browser_path", "server"]  # fixtures, shared with the other browser tests

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

FIRST_EMPLOYEE = "110105198506150022"  # the demo's first employee (demo/generate.py)


def test_a_change_is_taken_in_once_approved_by_two_others_and_found_by_the_person(
    server: str, browser_path: str, instance: Instance
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        log_in(page, server, instance, "operator")
        page.goto(server + "/cases/new?type=person.register")
        assert page.locator("#f-category").evaluate("e => e.tagName") == "SELECT"
        assert "职工" in page.locator("#f-category").inner_text()  # labels, not codes
        assert "employee" not in page.locator("#f-category").inner_text()
        assert page.locator("#region-list option[value='110105']").count() == 1  # by name
        page.goto(server + "/cases/new?type=person.change")
        page.fill("#f-id_number", FIRST_EMPLOYEE)
        page.fill("#f-phone", "13911112222")
        snap(page, "case-intake-zh")
        page.click("#case-submit")
        page.wait_for_load_state()
        case_url = page.url
        assert "/cases/" in case_url
        page.go_back()  # the form as it was, sent again
        page.wait_for_load_state()
        page.fill("#f-id_number", FIRST_EMPLOYEE)  # the browser does not keep an id number
        page.fill("#f-phone", "13911112222")
        with page.expect_navigation():
            page.click("#case-submit")
        errors = page.locator("#form-error")
        assert page.url == case_url, errors.inner_text() if errors.count() else page.url
        changes = "SELECT COUNT(*) FROM workflow_case WHERE type = 'person.change'"
        assert query(instance, changes) == [(1,)]  # the case it already made
        assert "139****2222" in page.locator("#diff").inner_text()
        assert FIRST_EMPLOYEE not in page.content()
        page.click("#logout")

        for account in ("reviewer", "approver"):
            log_in(page, server, instance, account)
            page.goto(case_url)
            page.fill("#opinion", "同意")
            page.click("#approve")
            page.wait_for_load_state()
            page.click("#logout")
            page.wait_for_load_state()

        log_in(page, server, instance, "operator")
        page.click("#nav-cases")
        page.fill("#s-subject", FIRST_EMPLOYEE)
        page.click("#search-submit")
        page.wait_for_load_state()
        assert FIRST_EMPLOYEE not in page.url
        assert page.locator("#s-subject").input_value() == ""  # not echoed back
        snap(page, "cases-zh")
        page.click("#found a.case-link")
        page.wait_for_load_state()
        assert page.locator("#case-status").inner_text() == "已办结"
        assert page.locator("#case-result").inner_text().endswith("的联系电话已变更")
        assert "联系电话" in page.locator("#diff").inner_text()  # the diff stays, by its label
        assert "T" not in page.locator("#history tbody tr").first.inner_text().split()[-3]
        snap(page, "case-closed-zh")
        browser.close()
