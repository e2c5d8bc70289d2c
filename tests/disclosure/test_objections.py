"""Objections (001 art. 11, 16; 003 §4 (二)): the person — or the employer, about its own staff —
files one with evidence; reviewed, it is upheld (the record then corrected by a
``record.correct`` case citing it) or answered in writing; nobody objects about a stranger."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from quanyi.access.errors import Refused
from quanyi.access.services import principal_for
from quanyi.workflow import queries as cases
from quanyi.workflow import services as workflow
from tests.disclosure import builders
from tests.disclosure.builders import Career
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

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
