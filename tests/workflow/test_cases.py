"""Business cases and four eyes (001 art. 7; 003 §4; DESIGN invariants 1 and 3)."""

from __future__ import annotations

import pytest
from django.db import transaction

from quanyi.access.errors import Refused
from quanyi.audit.models import AuditEvent
from quanyi.audit.verify import verify
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.registry import services as registry
from quanyi.registry.models import Person
from quanyi.workflow import services
from quanyi.workflow.errors import ApplyFailed
from quanyi.workflow.models import Case, CaseDecision
from tests.registry import builders as payloads
from tests.workflow.builders import Office, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def office() -> Office:
    return Office()


def act(who, case: Case, decision: str, opinion: str = "") -> Case:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return services.act(who, case.pk, decision, opinion)


def test_a_registration_is_applied_only_at_the_final_approval(office: Office) -> None:
    payload = payloads.person_payload(name="赵敏")
    case = office.submit("person.register", payload)
    assert (case.status, case.stage) == ("open", "review")
    assert not Person.objects.filter(id_number=payload["id_number"]).exists()
    case = act(office.reviewer, case, "approve", "材料齐全")
    assert case.stage == "approval"
    assert not Person.objects.filter(id_number=payload["id_number"]).exists()
    case = act(office.approver, case, "approve", "同意")
    assert (case.status, case.stage) == ("approved", "")
    person = Person.objects.get(id_number=payload["id_number"])
    assert case.result == f"person {person.pk}"
    decisions = list(case.decisions.values_list("stage", "actor", "decision"))
    assert decisions == [
        ("intake", "clerk", "submit"),
        ("review", "reviewer", "approve"),
        ("approval", "approver", "approve"),
    ]
    # The person's audit event is the approver's, in the approval's transaction.
    event = AuditEvent.objects.get(seq=person.audit_seq)
    assert (event.actor, event.action) == ("approver", "person.register")
    assert verify().ok


def test_the_submitter_can_never_approve() -> None:
    office = Office()
    both = staff("both", "operator", "approver")  # allowed together, but not on one case
    case = _submitted_by(both, "person.register", payloads.person_payload())
    case = act(office.reviewer, case, "approve")
    with pytest.raises(Refused, match="one person acts on one stage"):
        act(both, case, "approve")
    assert Case.objects.get(pk=case.pk).stage == "approval"


def _submitted_by(principal, type_name: str, payload: dict) -> Case:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return services.submit(principal, type_name, payload)


def test_a_user_lacking_the_stages_role_cannot_act(office: Office) -> None:
    case = office.submit("person.register", payloads.person_payload())
    querier = staff("looker", "querier")
    with pytest.raises(Refused, match="needs the reviewer role"):
        act(querier, case, "approve")
    with pytest.raises(Refused, match="needs the reviewer role"):
        act(office.approver, case, "approve")  # approval comes later, not now
    assert AuditEvent.objects.filter(action="case.approve").count() == 0


def test_a_user_cannot_act_on_two_stages_of_one_case(office: Office) -> None:
    case = office.submit("person.register", payloads.person_payload())
    # No account may hold two stage roles (access/roles.py); should one get them behind the
    # application's back, the workflow still lets it act on one stage only.
    double = Principal(
        actor="double", source="cli", region="110000", roles=frozenset({"reviewer", "approver"})
    )
    case = act(double, case, "approve")
    with pytest.raises(Refused, match="you acted on review"):
        act(double, case, "approve")


def test_reject_returns_the_case_and_resubmit_continues_it(office: Office) -> None:
    payload = payloads.person_payload(name="钱")
    case = office.submit("person.register", payload)
    with pytest.raises(InvalidInput, match="states its reason"):
        act(office.reviewer, case, "reject")
    case = act(office.reviewer, case, "reject", "姓名与户口簿不符")
    assert (case.status, case.stage) == ("returned", "intake")
    with pytest.raises(Refused, match="only the submitter"), transaction.atomic():
        services.resubmit(office.reviewer, case.pk)
    with transaction.atomic():
        case = services.resubmit(office.clerk, case.pk, {**payload, "name": "钱多多"}, "已更正")
    assert (case.status, case.stage, case.round) == ("open", "review", 2)
    case = office.approve_all(case)
    assert Person.objects.get(id_number=payload["id_number"]).name == "钱多多"
    rounds = list(case.decisions.values_list("round", "decision"))
    assert rounds == [(1, "submit"), (1, "reject"), (2, "resubmit"), (2, "approve"), (2, "approve")]


def test_the_submitter_may_withdraw(office: Office) -> None:
    case = office.submit("person.register", payloads.person_payload())
    with pytest.raises(Refused):
        act(office.reviewer, case, "withdraw")
    case = act(office.clerk, case, "withdraw", "当事人撤回申请")
    assert case.status == "withdrawn"
    with pytest.raises(Exception, match="the case is withdrawn"):
        act(office.reviewer, case, "approve")


def test_a_bad_payload_is_refused_at_intake_with_every_reason(office: Office) -> None:
    bad = payloads.person_payload(id_number="110105198502301233", name="", category="x")
    with pytest.raises(InvalidInput) as refused:
        office.submit("person.register", bad)
    assert set(refused.value.fields()) >= {"id_number", "name", "category"}
    assert Case.objects.count() == 0


def test_a_failure_while_applying_leaves_neither_data_nor_decision(office: Office) -> None:
    payload = payloads.person_payload()
    first = office.submit("person.register", payload)
    second = office.submit("person.register", payload)  # the same person, taken in twice
    office.approve_all(first)
    second = act(office.reviewer, second, "approve")
    decisions = CaseDecision.objects.filter(case=second).count()
    with pytest.raises(ApplyFailed, match="already registered"):
        act(office.approver, second, "approve")
    second.refresh_from_db()
    assert (second.status, second.stage) == ("open", "approval")
    assert CaseDecision.objects.filter(case=second).count() == decisions
    assert Person.objects.filter(id_number=payload["id_number"]).count() == 1
    assert verify().ok


def test_registry_services_refuse_a_write_outside_a_case(office: Office) -> None:
    with (
        pytest.raises(Refused, match="only by the final approval of a case"),
        transaction.atomic(),
    ):
        registry.register_person(office.clerk, payloads.person_payload())


def test_a_direct_insert_into_the_registry_is_caught_by_verify(office: Office) -> None:
    from django.db import connection

    office.approve_all(office.submit("person.register", payloads.person_payload()))
    assert verify().ok
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_person (id_number, id_number_index, name, sex, birth_date,"
            " phone, phone_index, hukou_region, residence_region, category, status,"
            " agency_region) VALUES (%s, %s, '黑户', 'F', '1949-12-31', %s, %s, '110105',"
            " '110105', 'employee', 'active', '110000')",
            [
                *payloads.sealed("id_number", "11010519491231002X"),
                *payloads.sealed("phone", ""),
            ],
        )
    report = verify()
    assert not report.ok and "written without an audit event" in (report.problem or "")


def test_out_of_region_cases_are_invisible(office: Office) -> None:
    case = office.submit("person.register", payloads.person_payload())
    elsewhere = staff("reviewer-gz", "reviewer", region="440100")
    with pytest.raises(Exception, match="no such case"):
        act(elsewhere, case, "approve")


def test_attachments_are_kept_by_their_sha256(office: Office, settings: object) -> None:
    import hashlib
    from pathlib import Path

    scan = "户口簿扫描件".encode() * 100
    with transaction.atomic():
        case = services.submit(
            office.clerk,
            "person.register",
            payloads.person_payload(),
            (services.NewAttachment("../../etc/户口簿.pdf", scan),),
        )
    row = case.attachments.get()
    digest = hashlib.sha256(scan).hexdigest()
    assert (row.file_name, row.size, row.sha256) == ("户口簿.pdf", len(scan), digest)
    stored = Path(settings.QUANYI_DATA_DIR) / "attachments" / digest[:2] / digest  # type: ignore[attr-defined]
    # Sealed on disk (DESIGN.md invariant 9), read back whole.
    assert "户口簿".encode() not in stored.read_bytes()
    assert services.read_content(digest) == scan
    assert services.attachment_path(row) == stored
    assert verify().ok
