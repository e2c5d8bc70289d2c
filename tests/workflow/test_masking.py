"""The auditor sees identities masked (DESIGN.md invariant 4; 001 art. 23; PIPL art. 28): the
modification log and every audit screen show that an identity field changed and when, never
its values, and an id number anywhere else masked. A value is shown only through an
``audit.reveal`` request the security administrator approves — once, to the auditor who asked,
as an audit event."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from quanyi.audit.models import AuditEvent
from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask
from quanyi.registry.models import Person
from quanyi.workflow.models import MaintenanceEntry
from quanyi.workflow.queries import modifications
from tests.access import builders as accounts
from tests.registry import builders as payloads
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

OLD_PHONE, NEW_PHONE = "13800138000", "13911112222"


@dataclass
class Corrected:
    entry: MaintenanceEntry
    secrets: tuple[str, ...]  # what the auditor must never see in full
    auditor: User
    secadmin: User


@pytest.fixture
def corrected() -> Corrected:
    office = Office()
    payload = payloads.person_payload(name="王芳", phone=OLD_PHONE)
    office.approve_all(office.submit("person.register", payload))
    old = payload["id_number"]
    new = payloads.id_number(male=False)
    correction = {
        "object": "person",
        "key": old,
        "changes": {"id_number": new, "name": "王芬", "phone": NEW_PHONE, "hukou_region": "110108"},
        "reason": f"登记时号码 {old} 录入错误",
        "method": "依据居民身份证更正",
    }
    office.approve_all(office.submit("record.correct", correction))
    assert Person.objects.get(id_number=new).name == "王芬"
    return Corrected(
        MaintenanceEntry.objects.get(),
        (old, new, "王芳", "王芬", OLD_PHONE, NEW_PHONE, "1985-06-15"),
        accounts.account("auditor1", "auditor", otp=True),
        accounts.account("sec", "secadmin", otp=True),
    )


def local_month(corrected: Corrected) -> str:
    """The agency's month of the entry (the modification log is kept by it)."""
    return timezone.localtime(corrected.entry.maintained_at).strftime("%Y-%m")


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, user: User, *args: str
) -> tuple[int, str]:
    monkeypatch.setenv("QUANYI_LANG", "en")
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_OTP", accounts.code(user))
    status = main([*args, "--as", user.username])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def web(user: User) -> Client:
    client = Client()
    answer = client.post(
        "/login",
        {"username": user.username, "password": accounts.PASSWORD, "otp": accounts.code(user)},
    )
    assert answer.status_code == 302
    return client


def test_the_modification_log_shows_what_changed_not_the_identities(
    corrected: Corrected,
) -> None:
    month = local_month(corrected)
    [row] = [r.model_dump() for r in modifications(accounts.principal(corrected.auditor), month)]
    shown = {c["field"]: c for c in row["content"]}
    for field in ("id_number", "name", "phone"):
        assert shown[field] == {"field": field, "before": None, "after": None, "hidden": True}
    assert (shown["hukou_region"]["before"], shown["hukou_region"]["after"]) == (
        "110105",
        "110108",
    )
    old = corrected.secrets[0]
    assert row["reason"] == f"登记时号码 {mask(old)} 录入错误"  # an id number in free text too
    assert row["entry"] == corrected.entry.pk and row["time"]


def test_no_full_id_number_or_name_in_the_auditors_outputs(
    corrected: Corrected, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    auditor = corrected.auditor
    month = local_month(corrected)
    outputs = [
        run(capsys, monkeypatch, auditor, "audit", "modifications", "--month", month)[1],
        run(capsys, monkeypatch, auditor, "audit", "modifications", "--month", month, "--json")[1],
        run(capsys, monkeypatch, auditor, "audit", "verify")[1],
        run(capsys, monkeypatch, auditor, "audit", "alerts")[1],
    ]
    client = web(auditor)
    for page in (f"/audit/modifications?month={month}", "/audit/alerts"):
        answer = client.get(page)
        assert answer.status_code == 200
        outputs.append(answer.content.decode())
    assert "name: (hidden)" in outputs[0] and "hukou_region: 110105 → 110108" in outputs[0]
    for output in outputs:
        for secret in corrected.secrets:
            assert secret not in output
    assert mask(corrected.secrets[0]) in outputs[0]


def test_a_value_is_shown_once_after_the_secadmin_approves_a_request(
    corrected: Corrected, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    auditor, entry = corrected.auditor, corrected.entry
    request = json.dumps({"entry": entry.pk, "reason": "核查第 3 号投诉：更正前后号码是否一致"})
    status, out = run(
        capsys, monkeypatch, auditor, "case", "submit", "audit.reveal", "--data", request
    )
    assert status == 0, out
    case = json.loads(out)
    assert (case["type"], case["stage"]) == ("audit.reveal", "approval")
    for secret in corrected.secrets:
        assert secret not in out

    status, out = run(capsys, monkeypatch, auditor, "audit", "reveal", str(case["id"]))
    assert status == 1 and "not approved" in out
    status, out = run(capsys, monkeypatch, auditor, "case", "act", str(case["id"]), "approve")
    assert status == 1 and "security administrator approves" in out  # not their own request
    status, out = run(
        capsys, monkeypatch, corrected.secadmin, "case", "act", str(case["id"]), "approve"
    )
    assert status == 0, out

    other = accounts.account("auditor2", "auditor", otp=True)
    status, out = run(capsys, monkeypatch, other, "audit", "reveal", str(case["id"]))
    assert status == 1 and "only the auditor who asked" in out
    status, out = run(capsys, monkeypatch, auditor, "audit", "reveal", str(case["id"]))
    assert status == 0, out
    shown = {c["field"]: c for c in json.loads(out)["content"]}
    old, new = corrected.secrets[:2]
    assert (shown["id_number"]["before"], shown["id_number"]["after"]) == (old, new)
    assert (shown["name"]["before"], shown["name"]["after"]) == ("王芳", "王芬")
    assert AuditEvent.objects.filter(
        actor="auditor1", action="maintenance.reveal", object_id=str(case["id"])
    ).exists()
    status, out = run(capsys, monkeypatch, auditor, "audit", "reveal", str(case["id"]))
    assert status == 1 and "shown once already" in out


def test_a_request_names_an_entry_of_the_auditors_region(corrected: Corrected) -> None:
    """Another region's entry answers exactly like an absent one."""
    from django.db import transaction

    from quanyi.workflow import services

    elsewhere = accounts.principal(
        accounts.account("auditor-gz", "auditor", otp=True, region="440100")
    )
    answers = []
    for entry in (corrected.entry.pk, corrected.entry.pk + 1000):
        with pytest.raises(InvalidInput) as refused, transaction.atomic():
            services.submit(elsewhere, "audit.reveal", {"entry": entry, "reason": "核查"})
        answers.append(refused.value.en)
    assert answers[0] == answers[1] and "no such maintenance entry" in answers[0]
    assert modifications(elsewhere, local_month(corrected)) == []
