"""The benefit screens in headless Debian Chromium against ``quanyi serve``: the pension
estimate (issue 14: 养老金测算, a screen with a chart for the clerk): the amounts in yuan, the
assumptions stated, marked as an estimate, the account until retirement drawn as inline SVG;
the id number in no URL and not echoed; bad input answered beside its field. The demo's
pensioner verified at the counter (资格认证), and their pension on the person page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quanyi.demo.generate import TOUR_ID_NUMBER
from quanyi.demo.pensioners import TOUR_PENSIONER
from tests.conftest import Instance, new_instance
from tests.helpers import plain_query, quanyi, query
from tests.web import test_browser
from tests.web.screens import snap
from tests.web.test_browser import chromium_page, log_in, serving

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

browser_path = test_browser.browser_path  # the fixture, by its name here too


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with new_instance(tmp_path_factory.mktemp("benefit-screens") / "instance") as made:
        quanyi(made, "init")
        quanyi(made, "demo", "--persons", "40", "--employers", "4", "--seed", "5")
        yield made


@pytest.fixture(scope="module")
def site(shared: Instance) -> Iterator[str]:
    with serving(shared) as url:
        yield url


def test_a_clerk_estimates_a_pension_with_stated_assumptions(
    site: str, shared: Instance, browser_path: str
) -> None:
    with chromium_page(browser_path, viewport={"width": 1280, "height": 1100}) as page:
        log_in(page, site, shared, "operator")
        page.click("#nav-estimate")
        page.fill("#f-id_number", TOUR_ID_NUMBER)
        page.fill("#f-wage_growth", "4")
        page.click("#estimate-submit")
        page.wait_for_load_state()
        assert TOUR_ID_NUMBER not in page.url and TOUR_ID_NUMBER not in page.content()
        assert "仅供参考" in page.locator("#estimate-mark").inner_text()
        assert "4.00%" in page.locator("#estimate-assumptions").inner_text()
        monthly = page.locator("#estimate-monthly").inner_text()
        assert monthly.replace(",", "").replace(".", "").isdigit() and "." in monthly
        assert page.locator("svg#estimate-chart rect").count() >= 10
        assert page.locator("#f-id_number").input_value() == ""  # never refilled
        snap(page, "pension-estimate-zh")

        page.fill("#f-id_number", TOUR_ID_NUMBER)
        page.fill("#f-wage_growth", "百分之四")
        page.click("#estimate-submit")
        page.wait_for_load_state()
        assert "工资年增长率" in page.locator("#form-error").inner_text()
        assert page.locator("#e-wage_growth").count() == 1


def tour_pensioner(instance: Instance) -> int:
    rows = plain_query(instance, "SELECT id, id_number FROM registry_person")
    return next(int(pk) for pk, number in rows if number == TOUR_PENSIONER)


def test_a_clerk_records_the_tour_pensioner_s_verification_at_the_counter(
    site: str, shared: Instance, browser_path: str
) -> None:
    pensioner = tour_pensioner(shared)
    count = f"SELECT COUNT(*) FROM benefits_verification WHERE person_id = {pensioner}"
    before = query(shared, count)[0][0]
    with chromium_page(browser_path, viewport={"width": 1280, "height": 800}) as page:
        log_in(page, site, shared, "operator")
        page.click("#nav-verify")
        page.fill("#f-id_number", TOUR_PENSIONER)
        page.select_option("#f-channel", "home")
        page.fill("#f-note", "上门认证")
        page.click("#verify-submit")
        page.wait_for_load_state()
        done = page.locator("#verify-done").inner_text()
        assert "110105********0011" in done
        assert TOUR_PENSIONER not in page.url and TOUR_PENSIONER not in page.content()
        assert page.locator("#f-id_number").input_value() == ""
        snap(page, "verification-zh")
    assert query(shared, count)[0][0] == before + 1
    channel, by = query(
        shared,
        'SELECT channel, "by" FROM benefits_verification'
        f" WHERE person_id = {pensioner} ORDER BY id DESC LIMIT 1",
    )[0]
    assert (channel, by) == ("home", "operator")


def test_the_pensioner_s_person_page_shows_the_pension(
    site: str, shared: Instance, browser_path: str
) -> None:
    with chromium_page(browser_path, viewport={"width": 1280, "height": 900}) as page:
        log_in(page, site, shared, "querier")
        page.click("#nav-records")
        page.fill("#id_number", TOUR_PENSIONER)
        page.click("#lookup button")
        page.wait_for_load_state()
        assert "/records/person/" in page.url and TOUR_PENSIONER not in page.url
        rows = page.locator("#benefits tbody tr")
        assert rows.count() == 1
        cells = rows.first.locator("td").all_inner_texts()
        assert cells[0] == "基本养老金" and cells[2] == "—", cells
        assert "." in cells[3] and cells[3].replace(",", "").replace(".", "").isdigit()
        assert cells[7] == "正常发放", cells
        page.locator("#benefits").scroll_into_view_if_needed()
        snap(page, "person-benefits-zh")
