"""``/api/v1/cases``: the same rules as the CLI and the screens, with HTTP status codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from quanyi.access import services as access
from quanyi.audit.models import AuditEvent
from quanyi.registry.models import Person
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.registry import builders as payloads

pytestmark = pytest.mark.django_db


def client_for(username: str, *roles: str) -> Client:
    accounts.account(username, *roles)
    client = Client()
    assert (
        client.post("/login", {"username": username, "password": accounts.PASSWORD}).status_code
        == 302
    )
    return client


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def test_a_registration_through_the_api() -> None:
    clerk = client_for("clerk", "operator")
    reviewer = client_for("reviewer", "reviewer")
    approver = client_for("approver", "approver")
    payload = payloads.person_payload(name="周杰")
    answer = post(clerk, "/api/v1/cases", {"type": "person.register", "data": payload})
    assert answer.status_code == 201, answer.content
    case = answer.json()
    assert (case["status"], case["stage"]) == ("open", "review")
    assert {c["field"]: c["after"] for c in case["changes"]}["name"] == "周杰"
    assert [c["id"] for c in reviewer.get("/api/v1/cases").json()] == [case["id"]]
    assert approver.get("/api/v1/cases").json() == []  # nothing at approval yet

    path = f"/api/v1/cases/{case['id']}/decisions"
    assert post(approver, path, {"decision": "approve"}).status_code == 403
    assert post(reviewer, path, {"decision": "approve", "opinion": "ok"}).status_code == 200
    done = post(approver, path, {"decision": "approve"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Person.objects.filter(id_number=payload["id_number"]).exists()
    assert post(approver, path, {"decision": "approve"}).status_code == 409  # closed


def test_a_bad_payload_gets_422_with_every_field_and_no_case() -> None:
    clerk = client_for("clerk", "operator")
    bad = payloads.person_payload(id_number="110105194912310021", hukou_region="999999")
    answer = post(clerk, "/api/v1/cases", {"type": "person.register", "data": bad})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"id_number", "hukou_region"}
    assert Case.objects.count() == 0


def test_a_refusal_rolls_back_and_is_kept() -> None:
    checker = client_for("checker", "checker")
    answer = post(
        checker, "/api/v1/cases", {"type": "person.register", "data": payloads.person_payload()}
    )
    assert answer.status_code == 403
    assert Case.objects.count() == 0
    assert AuditEvent.objects.filter(actor="checker", action="refused:case.submit").exists()


def test_a_read_only_token_cannot_submit() -> None:
    admin = accounts.account("root", "sysadmin", otp=True)
    accounts.account("robot", "operator")
    _, secret = access.create_token(accounts.principal(admin), "robot", "etl", ["records:read"], 30)
    answer = Client().post(
        "/api/v1/cases",
        {"type": "person.register", "data": payloads.person_payload()},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 403


def test_a_request_the_schema_refuses_gets_the_same_422_in_the_users_language() -> None:
    """Bad input always gets a clear error in the user's language (DESIGN.md), whether the
    schema of the request or a rule refuses it."""
    clerk = client_for("clerk", "operator")
    answer = post(
        clerk, "/api/v1/cases", {"type": "person.register", "data": payloads.person_payload()}
    )
    path = f"/api/v1/cases/{answer.json()['id']}/decisions"
    refused = post(clerk, path, {"decision": "maybe"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "invalid_input"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("decision", "bad_choice")]
    assert "approve" in body["detail"]
    missing = post(clerk, "/api/v1/cases", {"data": {}})
    assert missing.status_code == 422
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [("type", "required")]
    assert "必填" in missing.json()["detail"]
