"""Objections (001 art. 11, 16; 003 §4 (二)): the person — or the employer, about its own staff —
files one with evidence; reviewed, it is upheld (the record then corrected by a
``record.correct`` case citing it) or answered in writing; nobody objects about a stranger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.access.errors import Refused
from quanyi.access.services import principal_for
from quanyi.personal_accounts.models import Entry
from quanyi.registry.models import Employer, Person
from quanyi.workflow import queries as cases
from quanyi.workflow import services as workflow
from tests.contributions.test_corrections import (
    all_clean,
    balance,
    close,
    correction,
    insured,
    post_and_pay,
    right_from_the_start,
)
from tests.disclosure import builders
from tests.disclosure.builders import Career
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db
__all__ = ["insured"]  # the fixture, by its name here too

OBJECTION = {
    "items": ["contributions"],
    "month": "2024-05",
    "description": "2024年5月的缴费基数应为9000元，附工资单",
}


@pytest.fixture
def career(office: Office, tmp_path: Path) -> Career:
    return builders.career(office, tmp_path / "legacy")


def file(who: object, number: str, evidence: bool = True) -> object:
    with transaction.atomic():
        return workflow.submit(
            who,  # type: ignore[arg-type]
            "record.objection",
            {"id_number": number, **OBJECTION},
            builders.document() if evidence else (),
        )


def test_the_person_files_an_objection_answered_in_writing(office: Office, career: Career) -> None:
    """001 art. 11: filed with evidence (digested), reviewed; not upheld, the reviewer's
    opinion is the answer the person reads."""
    person = principal_for(
        builders.outside(career.id_number, "person", "person", person_id=career.person.pk), "web"
    )
    case = file(person, career.id_number)
    assert case.payload["document_sha256"] and case.stage == "review"  # type: ignore[attr-defined]
    with transaction.atomic():
        workflow.act(office.reviewer, case.pk, "reject", "经核对工资台账，2024年5月基数无误")  # type: ignore[attr-defined]
    filed = cases.filed_by(person, "record.objection")
    assert filed[0]["status"] == "returned"
    assert filed[0]["answers"][0]["opinion"].startswith("经核对")


def test_an_upheld_objection_says_how_the_record_is_corrected(
    office: Office, career: Career
) -> None:
    """001 art. 11, 16: the employer objects about its former employee; upheld at approval."""
    employer = principal_for(
        builders.outside(
            f"employer-{career.former.uscc}", "employer", "employer", employer_id=career.former.pk
        ),
        "web",
    )
    case = file(employer, career.id_number, evidence=False)
    done = office.approve_all(case)  # type: ignore[arg-type]
    assert done.status == "approved" and "record.correct" in done.result


def test_nobody_objects_about_a_stranger(office: Office, career: Career, tmp_path: Path) -> None:
    """001 art. 11, 16: a person about another, an employer about someone never its staff."""
    other = builders.career(office, tmp_path / "other")
    person = principal_for(
        builders.outside(career.id_number, "person", "person", person_id=career.person.pk), "web"
    )
    employer = principal_for(
        builders.outside(
            f"employer-{career.former.uscc}", "employer", "employer", employer_id=career.former.pk
        ),
        "web",
    )
    for who in (person, employer):
        with pytest.raises(Refused):
            file(who, other.id_number)


def test_an_objection_to_a_wrong_base_in_a_closed_year_ends_in_the_right_interest(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """003 §4 (二), 001 art. 11: the person objects that November 2024 was billed on
    10,000.00 yuan instead of 8,000.00; 2024 and 2025 are closed. The objection is upheld and
    the correction citing it reverses the line and writes it anew: the account then holds, to
    the fen, the interest it should have had (148,234 fen, computed independently in
    ``tests/contributions/test_corrections.py``)."""
    _, person = insured
    post_and_pay(office, "2024-10", date(2024, 11, 10))
    post_and_pay(office, "2024-11", date(2024, 12, 10))
    close(office, 2024, 2025)
    user = builders.outside(person.id_number, "person", "person", person_id=person.pk)
    objection = file(principal_for(user, "web"), person.id_number)
    objection = office.approve_all(objection)  # type: ignore[arg-type]
    assert objection.status == "approved"
    fix = correction(person, month="2024-11", base_fen=800000)
    fix["reason"] = f"异议业务件 {objection.pk} 经核实成立：单位申报基数有误"
    done = office.approve_all(office.submit("record.correct", fix))
    assert done.status == "approved"
    expected = right_from_the_start({2024: 80000 + 64000})
    assert expected == 148234 and balance(office, person) == expected
    kinds = set(Entry.objects.filter(person=person).values_list("kind", flat=True))
    assert {"reversal", "late_int"} <= kinds
    all_clean(office)
