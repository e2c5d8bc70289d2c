"""Statements and certificates on screen, in headless Debian Chromium against ``quanyi serve``
(001 art. 15; 000 §3): the clerk downloads a signed certificate at the counter, a person
downloads their statement in the portal, and anyone checks either at ``/verify`` — seeing the
verdict, the code, the period and the masked name, nothing else. Page 1 of each PDF is
rendered into ``docs/screens`` for the README."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quanyi.demo.generate import TOUR_ID_NUMBER
from tests.conftest import Instance, new_instance
from tests.helpers import demo_login, quanyi
from tests.web import test_browser
from tests.web.screens import snap
from tests.web.test_browser import chromium_page, serving
from tests.web.test_portal_screens import portal_login

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

browser_path = test_browser.browser_path


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    with new_instance(tmp_path_factory.mktemp("statements") / "instance") as made:
        quanyi(made, "init")
        quanyi(made, "demo", "--persons", "40", "--employers", "4", "--seed", "5")
        yield made


@pytest.fixture(scope="module")
def site(shared: Instance) -> Iterator[str]:
    with serving(shared) as url:
        yield url


def staff_login(page: Any, site: str, shared: Instance, username: str) -> None:
    portal_login(page, site, shared, username)


def download(page: Any, button: str, folder: Path, name: str) -> Path:
    with page.expect_download() as waiting:
        page.click(button)
    path = folder / name
    waiting.value.save_as(str(path))
    return path


def render_first_page(pdf: Path, name: str) -> None:
    """Page 1 as a PNG beside the screenshots (pdfium, which pdfplumber brings)."""
    import pypdfium2

    from tests.web.screens import DOCS_SCREENS

    document = pypdfium2.PdfDocument(str(pdf))
    image = document[0].render(scale=1.4).to_pil()
    DOCS_SCREENS.mkdir(parents=True, exist_ok=True)
    image.save(DOCS_SCREENS / f"{name}.png")
    document.close()


def verify_cli(shared: Instance, pdf: Path) -> dict[str, Any]:
    done = quanyi(shared, "statements", "verify", str(pdf), check=False)
    return dict(json.loads(done.stdout)[0])


def test_the_counter_issues_a_certificate_anyone_can_verify(
    site: str, shared: Instance, browser_path: str, tmp_path: Path
) -> None:
    with chromium_page(browser_path, accept_downloads=True) as page:
        staff_login(page, site, shared, "operator")
        page.goto(site + "/statements/")
        assert "权益单与参保证明" in page.locator("nav").inner_text()
        page.fill("#f-id_number", "110105000000000000")
        page.click("#documents-submit")
        assert page.locator("#form-error").is_visible()  # a bad number: refused in words
        assert TOUR_ID_NUMBER not in page.content()
        page.goto(site + "/statements/")
        page.fill("#f-id_number", TOUR_ID_NUMBER)
        page.select_option("#f-what", "certificate")
        page.fill("#f-start", "2024-01")
        page.fill("#f-end", "2025-12")
        snap(page, "statements-counter-zh")
        pdf = download(page, "#documents-submit", tmp_path, "certificate.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    render_first_page(pdf, "certificate-page1")
    assert verify_cli(shared, pdf)["result"] == "authentic"
    with chromium_page(browser_path) as page:
        page.goto(site + "/verify")
        assert "BEGIN PUBLIC KEY" in page.locator("#public-key").inner_text()
        page.set_input_files("#f-file", str(pdf))
        page.click("#verify-file")
        verdict = page.locator("#verdict-1").inner_text()
        assert "真实有效" in verdict and "**" in verdict and "2024-01 — 2025-12" in verdict
        assert TOUR_ID_NUMBER[-4:] not in verdict  # nothing of the id number
        snap(page, "verify-zh")
        junk = tmp_path / "junk.pdf"
        junk.write_bytes(pdf.read_bytes()[:-300] + b"x" * 300)
        page.set_input_files("#f-file", str(junk))
        page.click("#verify-file")
        assert "不能确认为真" in page.locator("#verdict-1").inner_text()
        page.fill("#f-code", "C2026NOTACODE-ABCDEFGH")
        page.click("#verify-code")
        assert "不能确认为真" in page.locator("#verdict-1").inner_text()
        page.click("#verify-code")  # nothing typed: refused in words, not a 500
        assert page.locator("#form-error").is_visible()


def test_a_person_downloads_their_statement_in_the_portal(
    site: str, shared: Instance, browser_path: str, tmp_path: Path
) -> None:
    with chromium_page(browser_path, accept_downloads=True) as page:
        portal_login(page, site, shared, TOUR_ID_NUMBER)
        page.click("#documents-link")
        assert page.locator("#f-id_number").count() == 0  # one's own: no number to type
        page.select_option("#f-what", "statement")
        pdf = download(page, "#documents-submit", tmp_path, "statement.pdf")
    render_first_page(pdf, "statement-page1")
    verdict = verify_cli(shared, pdf)
    assert verdict["result"] == "authentic" and verdict["kind"] == "employee"
    assert demo_login(shared, "operator")  # the demo's accounts file is intact


def test_the_years_statements_on_both_cores_then_audit_verify(
    shared: Instance, tmp_path: Path
) -> None:
    """000 §3: the region's statements of last year, made by two worker processes, batched by
    postal district; each page of a batch file verifies by its signed code; the audit chain
    vouches for every statement recorded."""
    from datetime import date

    year = str(date.today().year - 1)
    out = tmp_path / "statements"
    done = quanyi(
        shared, "statements", "generate", "--year", year, "--out", str(out),
        "--workers", "2", "--as", "operator",
    )  # fmt: skip
    run = json.loads(done.stdout)
    assert run["statements"] > 20 and len(run["batches"]) > 2
    listed = (out / "mailing-list.csv").read_text(encoding="utf-8").splitlines()
    assert len(listed) == run["statements"] + 1  # and the header
    batch = out / f"statements-{run['batches'][-1]}.pdf"
    verdicts = json.loads(quanyi(shared, "statements", "verify", str(batch)).stdout)
    assert verdicts and all(v["result"] == "authentic" for v in verdicts)
    again = json.loads(
        quanyi(shared, "statements", "generate", "--year", year, "--out", str(out),
               "--as", "operator").stdout
    )  # fmt: skip
    assert again["statements"] == 0 and again["issued_before"] == run["statements"]
    assert quanyi(shared, "audit", "verify", "--as", "auditor").returncode == 0
