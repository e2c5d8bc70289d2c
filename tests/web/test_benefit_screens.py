"""The pension estimate screen in headless Debian Chromium against ``quanyi serve`` (issue 14:
养老金测算, a screen with a chart for the clerk): the amounts in yuan, the assumptions stated,
marked as an estimate, the account until retirement drawn as inline SVG; the id number in no
URL and not echoed; bad input answered beside its field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quanyi.demo.generate import TOUR_ID_NUMBER
from tests.conftest import Instance, new_instance
from tests.helpers import quanyi
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
