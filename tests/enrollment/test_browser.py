"""End to end on a fresh demo instance: a population file imported by the operator and approved
through review and approval, the match run by the command, then the survey screen in headless
Debian Chromium — lists by division, id numbers masked, labels not codes (002 art. 17;
DESIGN "Screens speak the user's language")."""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterator
from datetime import date

import pytest

from quanyi.demo import identities
from tests.conftest import Instance, new_instance
from tests.helpers import plain_query, quanyi
from tests.web import test_browser
from tests.web.screens import snap
from tests.web.test_browser import chromium_page, log_in, serving

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

browser_path = test_browser.browser_path  # the fixture, by its name here too


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    folder = tmp_path_factory.mktemp("enrollment-screens")
    with new_instance(folder / "instance") as made:
        quanyi(made, "init")
        built = quanyi(made, "demo", "--persons", "30", "--employers", "3", "--seed", "7")
        # The demo lists its own population (everyone, and some insured nowhere); this file
        # lists everyone again, with three strangers more.
        found = re.search(r"a population of (\d+)", built.stdout)
        assert found, built.stdout
        listed_by_demo = int(found.group(1))
        people = plain_query(made, "SELECT id_number, name, residence_region FROM registry_person")
        rng, used = random.Random(17), set()
        strangers = [
            (
                identities.id_number(rng, "110105", date(1980 + n, 3, 4), n % 2 == 0, used),
                f"待查{n}",
            )
            for n in range(3)
        ]
        path = folder / "population.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(
                [
                    "id_number",
                    "name",
                    "hukou_region",
                    "residence_region",
                    "employment_status",
                    "phone",
                ]
            )
            for number, name, residence in people:
                out.writerow([number, name, residence, f"{residence}001001", "11", ""])
            for number, name in strangers:
                out.writerow([number, name, "110105", "110105001002", "22", "13900000000"])
        case = json.loads(
            quanyi(
                made, "enrollment", "import", str(path), "--source", "公安户籍", "--as", "operator"
            ).stdout
        )
        assert case["type"] == "enrollment.import" and case["status"] == "open"
        quanyi(made, "case", "act", str(case["id"]), "approve", "--as", "reviewer")
        quanyi(made, "case", "act", str(case["id"]), "approve", "--as", "approver")
        matched = json.loads(quanyi(made, "enrollment", "match", "--as", "operator").stdout)
        assert sum(matched["counts"].values()) == listed_by_demo + 3
        assert matched["counts"]["not_enrolled"] >= 3
        made.strangers = [number for number, _ in strangers]  # type: ignore[attr-defined]
        yield made


@pytest.fixture(scope="module")
def site(shared: Instance) -> Iterator[str]:
    with serving(shared) as url:
        yield url


def test_the_survey_screen_lists_a_community_and_offers_its_pdf(
    site: str, shared: Instance, browser_path: str
) -> None:
    with chromium_page(browser_path, viewport={"width": 1280, "height": 900}) as page:
        log_in(page, site, shared, "operator")
        page.click("#nav-enrollment-survey")
        page.select_option("#f-division", "110105001002")
        page.click("#division-show")
        page.wait_for_load_state()
        table = page.locator("#survey-list").inner_text()
        assert "待查0" in table and "未参保" in table and "********" in table
        assert "not_enrolled" not in table
        assert page.locator("#download-pdf").count() == 1
        snap(page, "enrollment-survey-zh")
        page.click("#nav-enrollment-stats")
        page.wait_for_load_state()
        assert page.locator("svg#stats-chart rect").count() >= 1
        snap(page, "enrollment-stats-zh")


def test_the_registry_keeps_no_identity_in_clear_and_verifies(shared: Instance) -> None:
    """DESIGN invariants 5 and 9: the population's id numbers and phones are nowhere in the
    database in clear, and ``audit verify`` vouches for every row the import and match wrote."""
    from tests.test_identities_at_rest import stored_bytes

    stored = stored_bytes(shared)
    for number in shared.strangers:  # type: ignore[attr-defined]
        assert number.encode() not in stored
    assert b"13900000000" not in stored
    verified = quanyi(shared, "audit", "verify", "--as", "auditor").stdout
    assert "audit verify: OK" in verified
