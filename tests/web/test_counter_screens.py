"""The employer page, the counter payment and the declaration upload in headless Chromium
against ``quanyi serve`` (issue 13; DESIGN.md "Screens speak the user's language"; 004 part 5
art. 5-6, 9). One server and one logged-in operator serve the whole module."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quanyi.contributions import calc
from tests.conftest import Instance, new_instance
from tests.contributions.test_kill import previous_month
from tests.helpers import chromium, plain_query, quanyi, query
from tests.web.test_browser import CHROMIUM_ARGS, log_in, serving

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, str]]:
    """A small demo with last month posted (so employers have open bills), served."""
    with new_instance(tmp_path_factory.mktemp("counter") / "instance") as instance:
        quanyi(instance, "init")
        quanyi(instance, "demo", "--persons", "40", "--employers", "3", "--seed", "7")
        quanyi(instance, "contributions", "post", "--month", previous_month(), "--as", "operator")
        with serving(instance) as url:
            yield instance, url


@pytest.fixture(scope="module")
def operator(shop: tuple[Instance, str]) -> Iterator[Any]:
    """The operator, logged in once, in Chinese."""
    path = chromium()
    if path is None:
        if os.environ.get("QUANYI_REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium is required here (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    instance, url = shop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in(page, url, instance, "operator")
        yield page
        browser.close()


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("QUANYI_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def open_bills(instance: Instance) -> list[tuple[int, str, int]]:
    """(bill, uscc, owed fen) of every open monthly bill of last month, by employer."""
    return query(
        instance,
        "SELECT b.id, e.uscc, b.due_fen - b.paid_fen FROM contributions_bill b"
        " JOIN registry_employer e ON e.id = b.employer_id"
        f" WHERE b.month = '{previous_month()}' AND b.status <> 'paid' ORDER BY e.uscc",
    )


def payments(instance: Instance) -> int:
    return int(query(instance, "SELECT COUNT(*) FROM contributions_payment")[0][0])


def employer_page(page: Any, url: str, uscc: str) -> None:
    page.goto(f"{url}/contributions/bills?uscc={uscc}")
    page.wait_for_load_state()


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def test_the_employer_page_in_yuan_with_labels_and_masked_staff(
    shop: tuple[Instance, str], operator: Any
) -> None:
    """Labels for every code, money in yuan, the day each late fee runs from, staff with
    masked id numbers and no birth date (DESIGN.md "Screens speak the user's language")."""
    instance, url = shop
    bill, uscc, owed = open_bills(instance)[0]
    employer_page(operator, url, uscc)
    row = operator.locator(f"#bill-{bill}")
    assert row.locator(".kind").inner_text() == "月报"
    assert row.locator(".status").inner_text() == "欠缴"
    assert row.locator(".owed").inner_text().replace(",", "") == yuan(owed)
    runs = calc.fee_from(previous_month())  # posted within its due month: from the due date
    assert row.locator(".fee-from").inner_text() == f"{runs.year}年{runs.month}月{runs.day}日"
    assert "企业职工基本养老保险" in operator.locator("#staff").inner_text()
    masked = operator.locator("#staff td.masked").all_inner_texts()
    assert masked and all(MASKED.match(text) for text in masked)
    assert "出生日期" not in operator.locator("#staff").inner_text()
    assert "monthly" not in operator.locator("#bills").inner_text()
    screenshot(operator, "employer-page-zh.png")


def test_a_counter_payment_for_another_employers_bill_or_a_paid_bill_is_refused(
    shop: tuple[Instance, str], operator: Any
) -> None:
    """Issue 13: on employer A's screen bill 1 (B's) was accepted, and a paid bill was paid
    again. The list offers only A's open bills; a forged choice is refused next to the field
    with nothing written."""
    instance, url = shop
    bills = open_bills(instance)
    (own, uscc, owed), theirs = bills[0], next(b for b in bills if b[1] != bills[0][1])
    employer_page(operator, url, uscc)
    offered = operator.locator("#f-bill_id option").evaluate_all("os => os.map(o => o.value)")
    assert str(own) in offered and str(theirs[0]) not in offered
    before = payments(instance)

    def pay(page: Any, bill: int, amount: str, receipt: str) -> None:
        page.evaluate(  # a forged or stale form: the bill is not on the list
            "([id]) => { const s = document.querySelector('#f-bill_id');"
            " if (![...s.options].some(o => o.value === id)) s.add(new Option(id, id)); }",
            [str(bill)],
        )
        page.select_option("#f-bill_id", str(bill))
        page.fill("#f-amount", amount)
        page.fill("#f-bank_ref", receipt)
        page.click("#counter-submit")
        page.wait_for_load_state()

    pay(operator, theirs[0], "1.00", "W-1")
    assert "没有账单" in operator.locator("#e-bill_id").inner_text()
    assert operator.locator("#f-amount").input_value() == "1.00"  # nothing typed is lost
    screenshot(operator, "counter-refused-zh.png")
    pay(operator, own, yuan(owed + 1), "W-2")
    assert "尚欠" in operator.locator("#e-amount").inner_text()
    assert payments(instance) == before
    stale = operator.context.new_page()  # a second tab, still offering the bill
    employer_page(stale, url, uscc)
    pay(operator, own, yuan(owed), "W-3")
    assert operator.locator(f"#bill-{own} .status").inner_text() == "已缴"
    assert payments(instance) == before + 1
    pay(stale, own, "1.00", "W-4")  # paid already
    assert "已缴清" in stale.locator("#e-bill_id").inner_text()
    stale.close()
    assert payments(instance) == before + 1


def test_a_declaration_upload_shows_its_bad_row_then_a_preview(
    shop: tuple[Instance, str], operator: Any, tmp_path: Path
) -> None:
    """004 part 5 art. 5-6; issue 13: a declaration with one bad row shows that row's error
    on screen by line and field; corrected, it shows the bases clamped to the region's bounds
    before the case is submitted."""
    instance, url = shop
    uscc = open_bills(instance)[0][1]
    staff = plain_query(
        instance,
        "SELECT DISTINCT p.id_number FROM registry_person p"
        " JOIN registry_insurancerelation r ON r.person_id = p.id"
        " JOIN registry_employer e ON e.id = r.employer_id"
        f" WHERE e.uscc = '{uscc}' AND r.end_month IS NULL ORDER BY p.id_number LIMIT 2",
    )
    (first,), (second,) = staff
    file = tmp_path / "declaration.csv"
    file.write_text(f"id_number,wage\n{first},1000.00\n{second},8500.5x\n", encoding="utf-8")
    operator.goto(f"{url}/contributions/declare?uscc={uscc}")
    operator.fill("#f-valid_from", previous_month())
    operator.set_input_files("#f-file", str(file))
    operator.click("#declare-preview")
    operator.wait_for_load_state()
    bad = operator.locator("#row-errors tr.row-error")
    assert bad.count() == 1
    assert bad.first.get_attribute("data-line") == "3"
    assert "工资（元）" in bad.first.inner_text()
    screenshot(operator, "declaration-error-zh.png")
    file.write_text(f"id_number,wage\n{first},1000.00\n{second},8500.50\n", encoding="utf-8")
    operator.set_input_files("#f-file", str(file))
    operator.click("#declare-preview")
    operator.wait_for_load_state()
    assert "按下限" in operator.locator("#preview-rows").inner_text()
    screenshot(operator, "declaration-preview-zh.png")
    cases = query(instance, "SELECT COUNT(*) FROM workflow_case")[0][0]
    operator.click("#declare-submit")
    operator.wait_for_load_state()
    assert re.search(r"/cases/\d+$", operator.url)
    operator.go_back()
    operator.wait_for_load_state()
    if operator.locator("#declare-submit").count():  # the form as it was: sent again
        operator.click("#declare-submit")
        operator.wait_for_load_state()
    assert query(instance, "SELECT COUNT(*) FROM workflow_case")[0][0] == cases + 1
