"""Uploads through the web and the API are bounded (DESIGN.md invariant 8; OWASP ASVS 5.0
V5.2.1): a request above ``QUANYI_MAX_UPLOAD_MB`` is refused unread, an attachment above
``QUANYI_MAX_ATTACHMENT_MB`` is refused — 413 with the reason in the user's language, as JSON
on the API and on the page on the web, never a 500, nothing kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from quanyi.workflow.models import Attachment, Case
from tests.access import builders as accounts
from tests.registry import builders as payloads

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def clerk(settings: object) -> Client:
    settings.QUANYI_MAX_UPLOAD_MB = 2  # type: ignore[attr-defined]
    settings.QUANYI_MAX_ATTACHMENT_MB = 1  # type: ignore[attr-defined]
    accounts.account("clerk", "operator")
    client = Client()
    assert client.post("/login", {"username": "clerk", "password": accounts.PASSWORD}).status_code
    return client


def stored_files() -> list[Path]:
    return [p for p in (Path(settings.QUANYI_DATA_DIR) / "attachments").rglob("*") if p.is_file()]


def test_the_api_refuses_a_request_above_the_limit_with_413(clerk: Client) -> None:
    payload = payloads.person_payload(name="过大" * (MB + 1))
    answer = clerk.post(
        "/api/v1/cases",
        {"type": "person.register", "data": payload},
        content_type="application/json",
    )
    assert answer.status_code == 413
    assert answer.json() == {
        "code": "too_large",
        "detail": "上传内容过大：请求不得超过 2 MB",
    }
    assert not Case.objects.exists()


def test_a_body_django_will_not_read_is_413_too(clerk: Client, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # type: ignore[attr-defined]
    answer = clerk.post(
        "/api/v1/cases",
        {"type": "person.register", "data": payloads.person_payload(name="大" * 2000)},
        content_type="application/json",
    )
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"


def test_the_web_shows_the_limit_on_a_page(clerk: Client) -> None:
    big = SimpleUploadedFile("scan.pdf", b"x" * (3 * MB))
    answer = clerk.post(
        "/cases/new?type=person.register", {**payloads.person_payload(), "attachments": big}
    )
    assert answer.status_code == 413
    page = answer.content.decode()
    assert 'id="too-large"' in page and "上传内容过大：请求不得超过 2 MB" in page
    assert not Case.objects.exists()


def test_an_attachment_above_its_limit_is_refused_on_the_intake_form(clerk: Client) -> None:
    form = payloads.person_payload(name="附件")
    big = SimpleUploadedFile("scan.pdf", b"x" * (MB + 1))
    answer = clerk.post("/cases/new?type=person.register", {**form, "attachments": big})
    assert answer.status_code == 413
    page = answer.content.decode()
    assert "上传内容过大：附件「scan.pdf」不得超过 1 MB" in page
    assert 'value="附件"' in page  # what was typed is kept
    assert not Case.objects.exists() and stored_files() == []


def test_an_attachment_within_its_limit_is_kept_with_the_case(clerk: Client) -> None:
    small = SimpleUploadedFile("证明.pdf", b"%PDF-1.7 " + b"y" * (MB - 9))
    answer = clerk.post(
        "/cases/new?type=person.register", {**payloads.person_payload(), "attachments": small}
    )
    assert answer.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.file_name, attachment.size) == ("证明.pdf", MB)
    assert attachment.case == Case.objects.get() and len(stored_files()) == 1
