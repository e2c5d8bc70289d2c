"""The web UI in headless Debian Chromium against ``quanyi serve`` (gunicorn)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Instance
from tests.helpers import QUANYI, chromium, demo_login, free_port, plain_query, quanyi, query
from tests.web.screens import snap

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(instance: Instance) -> Iterator[str]:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "120", "--employers", "6", "--seed", "4")
    with serving(instance) as url:
        yield url


@contextlib.contextmanager
def serving(instance: Instance) -> Iterator[str]:
    """``quanyi serve`` (one worker) on a free port of an initialised instance, until done."""
    port = free_port()
    # The server's output (its access log too) goes to a file a test may read: never a pipe
    # nobody drains.
    log = open(served_log(instance), "w", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(
        [QUANYI, "serve", "--port", str(port), "--workers", "1"],
        env=instance.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to half a minute on a machine busy with other tests
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("quanyi serve did not answer")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def served_log(instance: Instance) -> Path:
    return instance.data_dir.parent / "serve.log"


@contextlib.contextmanager
def chromium_page(browser_path: str, **options: Any) -> Iterator[Any]:
    """A page of headless Debian Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(**options)
        finally:
            browser.close()


@pytest.fixture
def browser_path() -> str:
    path = chromium()
    if path is None:
        if os.environ.get("QUANYI_REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium is required here (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed")
    return path


def test_home_page_in_chinese_then_english(server: str, browser_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server + "/")
        assert page.locator("h1").inner_text() == "社会保险个人权益记录"
        assert page.locator("#count-persons").inner_text() == "120"
        assert "北京市" in page.locator(".lead").inner_text()
        snap(page, "home-zh")
        page.select_option("#language", "en")
        page.wait_for_load_state()
        page.locator("h1", has_text="Social insurance rights records").wait_for()
        assert page.locator("dt").first.inner_text() == "Insured persons"
        browser.close()


def test_api_serves_its_openapi_document(server: str) -> None:
    with urllib.request.urlopen(f"{server}/api/v1/openapi.json", timeout=5) as answer:
        assert answer.status == 200
        assert b'"openapi"' in answer.read()


def log_in(page: Any, server: str, instance: Instance, username: str) -> None:
    login = demo_login(instance, username)
    page.goto(server + "/login")
    page.fill("#id_username", username)
    page.fill("#id_password", login["QUANYI_PASSWORD"])
    if "QUANYI_OTP" in login:
        page.fill("#id_otp", login["QUANYI_OTP"])
    page.click("#login-submit")
    page.wait_for_load_state()
    assert page.locator("#who").inner_text() == username


def test_querier_reads_a_record_and_sysadmin_is_refused(
    server: str, browser_path: str, instance: Instance
) -> None:
    from playwright.sync_api import sync_playwright

    number, name = plain_query(instance, "SELECT id_number, name FROM registry_person LIMIT 1")[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server + "/records")
        assert page.url.startswith(server + "/login")  # no record without a login

        log_in(page, server, instance, "querier")
        page.click("#nav-records")
        page.fill("#id_number", number)
        page.click("#lookup button")
        page.wait_for_load_state()
        assert page.locator("#person h2").inner_text() == name
        assert page.locator("#person-id").inner_text() == number[:6] + "********" + number[14:]
        assert number not in page.url and page.locator("#id_number").input_value() == ""
        person_url = page.url
        assert page.locator("#nav-accounts").count() == 0
        page.click("#logout")
        page.wait_for_load_state()

        log_in(page, server, instance, "sysadmin")
        assert page.locator("#nav-records").count() == 0
        answer = page.goto(person_url)
        assert answer is not None and answer.status == 403
        assert "系统管理员和数据库管理员不得查看" in page.locator("#refusal").inner_text()
        assert name not in page.content()
        page.click("#nav-accounts")
        page.wait_for_load_state()
        assert page.locator("text=approver").count() >= 1
        browser.close()
    refused = query(
        instance,
        "SELECT COUNT(*) FROM audit_auditevent"
        " WHERE actor = 'sysadmin' AND action = 'refused:record.read'",
    )
    assert refused[0][0] == 1


def test_wrong_password_gets_a_chinese_error(
    server: str, browser_path: str, instance: Instance
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server + "/login")
        page.fill("#id_username", "querier")
        page.fill("#id_password", "not-the-password")
        page.click("#login-submit")
        page.wait_for_load_state()
        assert page.locator("#login-error").inner_text() == "用户名或密码错误"
        browser.close()


def test_a_registration_passes_intake_review_and_approval_in_the_browser(
    server: str, browser_path: str, instance: Instance
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.registry import builders as payloads

    form = payloads.person_payload(name="冯晓")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        log_in(page, server, instance, "operator")
        page.click("#nav-cases")
        page.click("#new-person\\.register")
        for name, value in form.items():
            field = page.locator(f"#f-{name}")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)  # a code set is chosen from its labels
            else:
                field.fill(value)
        page.click("#case-submit")
        page.wait_for_load_state()
        case_url = page.url
        assert "/cases/" in case_url
        assert page.locator("#case-status").get_attribute("data-status") == "open"
        assert page.locator("#case-status").inner_text() == "办理中"
        assert "冯晓" in page.locator("#diff").inner_text()
        page.click("#logout")

        for account in ("reviewer", "approver"):
            log_in(page, server, instance, account)
            page.click("#nav-cases")
            page.click("a.case-link")
            page.fill("#opinion", "同意")
            page.click("#approve")
            page.wait_for_load_state()
            page.click("#logout")
            page.wait_for_load_state()

        log_in(page, server, instance, "querier")
        page.click("#nav-records")
        page.fill("#id_number", form["id_number"])
        page.click("#lookup button")
        page.wait_for_load_state()
        assert page.locator("#person h2").inner_text() == "冯晓"
        browser.close()


def open_bills(page: Any, server: str, instance: Instance, uscc: str) -> None:
    """The operator's 账单缴费 screen for one employer."""
    log_in(page, server, instance, "operator")
    page.click("#nav-bills")
    page.fill("#uscc", uscc)
    page.click("#lookup button")
    page.wait_for_load_state()


def test_a_counter_payment_in_yuan_settles_a_bill_which_is_then_no_longer_offered(
    server: str, browser_path: str, instance: Instance
) -> None:
    """Issue 13: the amount is typed in yuan; a paid bill is not paid again at the counter
    (that made an overpayment)."""
    from playwright.sync_api import sync_playwright

    from tests.contributions.test_kill import previous_month

    quanyi(instance, "contributions", "post", "--month", previous_month(), "--as", "operator")
    bill, uscc, due = query(
        instance,
        "SELECT b.id, e.uscc, b.due_fen FROM contributions_bill b"
        " JOIN registry_employer e ON e.id = b.employer_id"
        f" WHERE b.month = '{previous_month()}' AND b.status = 'owed' ORDER BY b.id LIMIT 1",
    )[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        open_bills(page, server, instance, uscc)
        row = page.locator(f"#bill-{bill}")
        assert row.locator(".status").inner_text() == "欠缴"

        def pay(amount: str, receipt: str) -> None:
            page.select_option("#f-bill_id", str(bill))
            page.fill("#f-amount", amount)
            page.fill("#f-bank_ref", receipt)
            page.click("#counter-submit")
            page.wait_for_load_state()

        pay("-5", "C-0")
        assert "金额须大于 0 元" in page.locator("#e-amount").inner_text()
        pay(f"{due // 100}.{due % 100:02d}", "C-1")
        assert row.locator(".status").inner_text() == "已缴"
        offered = page.locator("#f-bill_id option").evaluate_all("os => os.map(o => o.value)")
        assert str(bill) not in offered
        browser.close()
    assert query(
        instance,
        f"SELECT COUNT(*), SUM(amount_fen) FROM contributions_payment WHERE bill_id = {bill}",
    ) == [(1, due)]
    assert quanyi(instance, "check", "consistency", "--as", "operator").returncode == 0


def test_writes_stop_over_a_rewritten_chain_and_the_auditor_sees_the_alert(
    server: str, browser_path: str, instance: Instance
) -> None:
    """Fail closed on the web (DESIGN.md invariant 5; 001 art. 12, 28 (3)): after an insider
    rewrote a name and recomputed the chain, a clerk's counter payment is refused with nothing
    written, and the auditor finds the refusal on the alerts screen."""
    from playwright.sync_api import sync_playwright

    from tests.audit.test_attacks import a_person, chain_length, forge
    from tests.contributions.test_kill import previous_month

    quanyi(instance, "contributions", "post", "--month", previous_month(), "--as", "operator")
    bill, uscc = query(
        instance,
        "SELECT b.id, e.uscc FROM contributions_bill b JOIN registry_employer e"
        " ON e.id = b.employer_id WHERE b.status <> 'paid' ORDER BY b.id LIMIT 1",
    )[0]
    pk, _ = a_person(instance)
    forge(instance, "rewrite", "person", str(pk), "name", "李鬼")
    payments = query(instance, "SELECT COUNT(*) FROM contributions_payment")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        page = browser.new_page()
        open_bills(page, server, instance, uscc)
        length = chain_length(instance)
        page.select_option("#f-bill_id", str(bill))
        page.fill("#f-amount", "1.00")
        page.fill("#f-bank_ref", "C-9")
        page.click("#counter-submit")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "暂停写入"
        assert "已签名检查点不符" in page.locator("body").inner_text()
        assert chain_length(instance) == length
        page = browser.new_context().new_page()
        log_in(page, server, instance, "auditor")
        page.click("#nav-alerts")
        row = page.locator("#alerts tbody tr").first
        assert "审计链断裂" in row.inner_text()
        assert "web POST /contributions/bills" in row.inner_text()
        assert "operator" in row.inner_text()
        snap(page, "alerts-zh")
        browser.close()
    assert query(instance, "SELECT COUNT(*) FROM contributions_payment") == payments
