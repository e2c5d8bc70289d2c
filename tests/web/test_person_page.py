"""The person page in headless Debian Chromium against ``quanyi serve`` (issue 13; 001 art. 14,
26; 002 art. 13; DESIGN.md "Screens speak the user's language"): the year × month grid with
the annual statement's marks and yearly totals in yuan, the account chart drawn as inline SVG,
no birth date and no full id number in the page, the id number in no URL and no access-log
line; a sysadmin refused. One demo and one server serve the whole module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quanyi.core.money import format_fen
from quanyi.demo.generate import TOUR_ID_NUMBER
from tests.conftest import Instance, new_instance
from tests.helpers import plain_query, quanyi, query
from tests.web import test_browser
from tests.web.screens import snap
from tests.web.test_browser import chromium_page, log_in, served_log, serving

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

browser_path = test_browser.browser_path  # the fixture, by its name here too
BIRTH = ("1985-06-15", "19850615", "1985年6月15日")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with new_instance(tmp_path_factory.mktemp("person-page") / "instance") as made:
        quanyi(made, "init")
        quanyi(made, "demo", "--persons", "60", "--employers", "4", "--seed", "5")
        yield made


@pytest.fixture(scope="module")
def site(shared: Instance) -> Iterator[str]:
    with serving(shared) as url:
        yield url


def tour_person(instance: Instance) -> int:
    rows = plain_query(instance, "SELECT id, id_number FROM registry_person")
    (found,) = [pk for pk, number in rows if number == TOUR_ID_NUMBER]
    return int(found)


def test_a_clerk_reads_the_person_page_with_its_year_grid_and_chart(
    site: str, shared: Instance, browser_path: str
) -> None:
    with chromium_page(browser_path, viewport={"width": 1280, "height": 900}) as page:
        log_in(page, site, shared, "querier")
        page.click("#nav-records")
        page.fill("#id_number", TOUR_ID_NUMBER)
        page.click("#lookup button")
        page.wait_for_load_state()
        assert "/records/person/" in page.url and TOUR_ID_NUMBER not in page.url
        assert page.locator("#person-id").inner_text() == "110105********0022"
        assert page.locator("#id_number").input_value() == ""
        assert page.locator("#person-category").inner_text() == "职工"
        assert "北京市" in page.locator("#person-region").inner_text()
        html = page.content()
        assert TOUR_ID_NUMBER not in html and not any(birth in html for birth in BIRTH)

        # The first year of the grid: its marks and yearly totals, in yuan, from the ledger.
        first = page.locator("#grid-pension tbody tr").first
        year = int(first.locator("th").inner_text())
        marks = first.locator("td.m").all_inner_texts()
        assert len(marks) == 12 and set(marks) <= {"●", "△", "○", "-"} and "●" in marks
        months, employer, employee = query(
            shared,
            "SELECT COUNT(*), SUM(l.employer_fen), SUM(l.employee_fen) FROM contributions_line l"
            f" WHERE l.insurance = 'pension' AND l.month LIKE '{year}-%'"
            f" AND l.person_id = {tour_person(shared)}",
        )[0]
        assert marks.count("●") + marks.count("△") == months
        assert first.locator("td.employer").inner_text() == format_fen(int(employer))
        assert first.locator("td.employee").inner_text() == format_fen(int(employee))

        chart = page.locator("svg#account-chart")
        assert chart.count() == 1 and chart.locator("rect.credited").count() >= 1
        assert page.locator("#account-years tbody tr").count() == chart.locator("g.bar").count()
        snap(page, "person-page")
    log = served_log(shared).read_text(encoding="utf-8")
    assert "/records/person/" in log and TOUR_ID_NUMBER not in log


def test_a_sysadmin_is_refused_the_person_page(
    site: str, shared: Instance, browser_path: str
) -> None:
    """001 art. 26: no admin reads person records; the refusal is a page saying why."""
    with chromium_page(browser_path) as page:
        log_in(page, site, shared, "sysadmin")
        for path in ("/records", "/records/person/any-reference"):
            answer = page.goto(site + path)
            assert answer is not None and answer.status == 403
            assert "系统管理员和数据库管理员不得查看" in page.locator("#refusal").inner_text()
