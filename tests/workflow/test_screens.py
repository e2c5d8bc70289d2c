"""The review screens: intake form, queue, case page with its diff, decisions, the auditor's
modification log — the same services and rules as the CLI."""

from __future__ import annotations

import pytest
from django.test import Client

from quanyi.audit.models import AuditEvent
from quanyi.registry.models import Person
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.registry import builders as payloads

pytestmark = pytest.mark.django_db


def logged_in(username: str, *roles: str, otp: bool = False) -> Client:
    user = accounts.account(username, *roles, otp=otp)
    client = Client()
    code = accounts.code(user) if otp else ""
    answer = client.post(
        "/login", {"username": username, "password": accounts.PASSWORD, "otp": code}
    )
    assert answer.status_code == 302
    return client


def test_intake_review_and_approval_on_screen() -> None:
    clerk = logged_in("clerk", "operator")
    reviewer = logged_in("reviewer", "reviewer")
    approver = logged_in("approver", "approver")
    form = payloads.person_payload(name="吴芳")
    answer = clerk.post("/cases/new?type=person.register", {**form, "opinion": "材料齐全"})
    assert answer.status_code == 302
    case = Case.objects.get()
    assert answer["Location"] == f"/cases/{case.pk}"

    queue = reviewer.get("/cases").content.decode()
    assert f'href="/cases/{case.pk}"' in queue
    page = reviewer.get(f"/cases/{case.pk}").content.decode()
    assert 'id="diff"' in page and "吴芳" in page and 'id="approve"' in page
    reviewer.post(f"/cases/{case.pk}", {"action": "approve", "opinion": "同意"})
    assert not Person.objects.filter(id_number=form["id_number"]).exists()
    approver.post(f"/cases/{case.pk}", {"action": "approve"})
    assert Person.objects.get(id_number=form["id_number"]).name == "吴芳"
    assert 'id="case-result"' in approver.get(f"/cases/{case.pk}").content.decode()


def test_bad_intake_shows_every_reason_in_chinese_and_keeps_what_was_typed() -> None:
    clerk = logged_in("clerk", "operator")
    form = payloads.person_payload(id_number="110105198502301233", name="郑")
    form["hukou_region"] = "999999"
    answer = clerk.post("/cases/new?type=person.register", form)
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "请更正以下内容" in page and "id_number" in page and "hukou_region" in page
    assert 'value="郑"' in page  # nothing typed is lost
    assert Case.objects.count() == 0


def test_a_user_without_the_stage_role_is_refused_on_screen() -> None:
    clerk = logged_in("clerk", "operator")
    clerk.post("/cases/new?type=person.register", payloads.person_payload())
    case = Case.objects.get()
    querier = logged_in("looker", "querier")
    page = querier.get(f"/cases/{case.pk}").content.decode()
    assert 'id="approve"' not in page
    answer = querier.post(f"/cases/{case.pk}", {"action": "approve"})
    assert answer.status_code == 403
    assert AuditEvent.objects.filter(actor="looker", action="refused:case.review").exists()
    assert Case.objects.get().stage == "review"


def test_the_auditor_reads_the_modification_log_and_others_do_not() -> None:
    auditor = logged_in("auditor1", "auditor", otp=True)
    answer = auditor.get("/audit/modifications?month=2026-11")
    assert answer.status_code == 200 and 'id="modifications"' in answer.content.decode()
    clerk = logged_in("clerk", "operator")
    assert clerk.get("/audit/modifications").status_code == 403
