"""Sealed data and corrections (003 §5; 001 art. 11-13): a change of sealed data is a
``record.correct`` case through all five stages, and each leaves a maintenance-log entry."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from quanyi.audit.verify import verify
from quanyi.core.errors import InvalidInput
from quanyi.registry.models import InsuranceRelation, Person
from quanyi.workflow.models import MaintenanceEntry
from quanyi.workflow.queries import modifications
from tests.registry import builders as payloads
from tests.workflow.builders import Office, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def office() -> Office:
    return Office()


@pytest.fixture
def person(office: Office) -> Person:
    payload = payloads.person_payload(name="孙丽")
    office.approve_all(office.submit("person.register", payload))
    return Person.objects.get(id_number=payload["id_number"])


@pytest.fixture
def sealed(settings: object) -> None:
    settings.QUANYI_SEAL_AFTER_DAYS = 0  # type: ignore[attr-defined]


def test_ordinary_change_of_sealed_fields_is_refused(
    office: Office, person: Person, sealed: None
) -> None:
    with pytest.raises(InvalidInput, match=r"takes a record\.correct case"):
        office.submit("person.change", {"id_number": person.id_number, "name": "孙莉"})
    # Contact details are living data, not sealed.
    case = office.submit("person.change", {"id_number": person.id_number, "phone": "13911112222"})
    office.approve_all(case)
    person.refresh_from_db()
    assert person.phone == "13911112222"


def test_unsealed_data_changes_through_an_ordinary_case(office: Office, person: Person) -> None:
    office.approve_all(
        office.submit("person.change", {"id_number": person.id_number, "name": "孙莉"})
    )
    person.refresh_from_db()
    assert person.name == "孙莉"
    assert MaintenanceEntry.objects.count() == 0


def test_a_correction_passes_five_stages_and_is_logged(
    office: Office, person: Person, sealed: None
) -> None:
    payload = {
        "object": "person",
        "key": person.id_number,
        "changes": {"name": "孙莉"},
        "reason": "登记时姓名录入错误",
        "method": "依据居民户口簿更正",
    }
    case = office.submit("record.correct", payload)
    stages = [case.stage]
    while case.status == "open" and case.stage != "approval":
        case = _one(office, case)
        stages.append(case.stage)
    assert stages == ["check", "review", "recheck", "approval"]
    person.refresh_from_db()
    assert person.name == "孙丽"  # nothing before the final approval
    case = _one(office, case)
    assert case.status == "approved"
    person.refresh_from_db()
    assert person.name == "孙莉"
    actors = list(case.decisions.values_list("actor", flat=True))
    assert actors == ["clerk", "checker", "reviewer", "rechecker", "approver"]
    entry = MaintenanceEntry.objects.get(case=case)
    assert entry.content == [{"field": "name", "before": "孙丽", "after": "孙莉"}]
    assert (entry.object_type, entry.object_id) == ("person", str(person.pk))
    assert (entry.reason, entry.method) == ("登记时姓名录入错误", "依据居民户口簿更正")
    assert (entry.responsible, entry.submitted_by) == ("approver", "clerk")
    auditor = staff("auditor1", "auditor")
    month = timezone.localtime(entry.maintained_at).strftime("%Y-%m")
    # The auditor sees that the name changed, not to what.
    rows = [r.model_dump() for r in modifications(auditor, month)]
    hidden = [{"field": "name", "before": None, "after": None, "hidden": True}]
    assert [(r["entry"], r["case"], r["content"]) for r in rows] == [(entry.pk, case.pk, hidden)]
    assert verify().ok


def _one(office: Office, case):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from quanyi.workflow import services

    with transaction.atomic():
        return services.act(office.by_stage(case.stage), case.pk, "approve", "同意")


def test_a_corrected_id_number_brings_its_own_sex_and_birth_date(
    office: Office, person: Person
) -> None:
    corrected = payloads.id_number(birth=date(1970, 1, 1), male=False)
    office.approve_all(
        office.submit(
            "record.correct",
            {
                "object": "person",
                "key": person.id_number,
                "changes": {"id_number": corrected},
                "reason": "号码录入错误",
                "method": "依据身份证更正",
            },
        )
    )
    person.refresh_from_db()
    assert (person.id_number, person.sex, str(person.birth_date)) == (corrected, "F", "1970-01-01")


def test_a_correction_states_reason_and_method_and_valid_changes(
    office: Office, person: Person
) -> None:
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "record.correct",
            {"object": "person", "key": person.id_number, "changes": {"sex": "M"}},
        )
    assert set(refused.value.fields()) == {"reason", "method", "sex"}


def test_a_relation_correction_may_not_overlap(office: Office, person: Person) -> None:
    employer = payloads.employer_payload()
    office.approve_all(office.submit("employer.register", employer))
    for start, end in (("2018-01", "2019-12"), ("2021-01", None)):
        office.approve_all(
            office.submit(
                "relation.start",
                {
                    "id_number": person.id_number,
                    "uscc": employer["uscc"],
                    "insurance": "pension",
                    "start_month": start,
                    **({"end_month": end} if end else {}),
                },
            )
        )
    first = InsuranceRelation.objects.filter(person=person).order_by("start_month").first()
    assert first is not None
    frame = {"object": "relation", "key": str(first.pk), "reason": "核实", "method": "依据劳动合同"}
    with pytest.raises(InvalidInput, match="overlaps"):
        office.submit("record.correct", {**frame, "changes": {"end_month": "2021-06"}})
    office.approve_all(
        office.submit("record.correct", {**frame, "changes": {"end_month": "2020-06"}})
    )
    first.refresh_from_db()
    assert first.end_month == "2020-06"
