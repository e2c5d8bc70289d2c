"""Registry services: register / change / cancel (001 art. 2 (1); 002 art. 7; 001 art. 6)."""

from __future__ import annotations

from datetime import date

import pytest

from quanyi.access import applying
from quanyi.audit.models import AuditEvent
from quanyi.core.errors import InvalidInput, NotFound
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services, validation
from quanyi.registry.models import Employer, InsuranceRelation, Person
from tests.registry import builders

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Employer.objects.count(),
        Person.objects.count(),
        InsuranceRelation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_register_person_derives_sex_and_birth_date_and_audits(principal: Principal) -> None:
    person = services.register_person(
        principal, builders.person_payload(id_number="11010519491231002X", name="李梅")
    )
    person.refresh_from_db()
    assert (person.sex, person.birth_date) == ("F", date(1949, 12, 31))
    assert person.agency_region == "110000"
    event = AuditEvent.objects.get(seq=person.audit_seq)
    assert (event.action, event.object_type, event.object_id, event.actor) == (
        "person.register",
        "person",
        str(person.pk),
        "approver-a",
    )
    assert "11010519491231002X" not in str(vars(event))  # 001 art. 23: never in clear
    assert len(event.digest) == 64 and event.rows == 1


def test_tianhe_1970_is_registered(principal: Principal) -> None:
    person = services.register_person(
        principal, builders.person_payload(id_number="440106197001010014", hukou_region="440106")
    )
    assert person.sex == "M"


def test_sex_and_birth_date_are_never_typed(principal: Principal) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.register_person(
            principal, builders.person_payload(sex="F", birth_date="1980-01-01")
        )
    assert {e.code for e in refused.value.errors} == {"derived_field"}


def test_bad_person_reports_every_reason_and_writes_nothing(principal: Principal) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        services.register_person(
            principal,
            {
                "id_number": "110105198502301233",
                "name": "",
                "phone": "12345",
                "hukou_region": "999999",
                "residence_region": "110105",
                "category": "worker",
            },
        )
    reasons = {(e.field, e.code) for e in refused.value.errors}
    assert reasons == {
        ("id_number", "id_birth_date"),
        ("name", "required"),
        ("phone", "bad_phone"),
        ("hukou_region", "unknown_region"),
        ("category", "bad_category"),
    }
    assert "id_number" in refused.value.message("en") and "公民身份号码" in refused.value.message(
        "zh"
    )
    assert _counts() == before


def test_check_digit_error_names_the_field(principal: Principal) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.register_person(principal, builders.person_payload(id_number="110105194912310021"))
    assert [(e.field, e.code) for e in refused.value.errors] == [("id_number", "id_checksum")]


def test_duplicate_registration_is_refused(principal: Principal) -> None:
    payload = builders.person_payload()
    services.register_person(principal, payload)
    with pytest.raises(InvalidInput) as refused:
        services.register_person(principal, payload)
    assert refused.value.errors[0].code == "already_registered"


def test_minor_needs_an_adult_registered_guardian(principal: Principal) -> None:
    child = builders.id_number(date(2018, 3, 1), male=False)
    with pytest.raises(InvalidInput) as refused:
        services.register_person(
            principal, builders.person_payload(id_number=child, category="resident")
        )
    assert refused.value.errors[0].code == "guardian_required"
    with pytest.raises(InvalidInput) as unknown:
        services.register_person(
            principal,
            builders.person_payload(
                id_number=child, category="resident", guardian_id_number=builders.id_number()
            ),
        )
    assert unknown.value.errors[0].code == "guardian_unknown"
    mother = builders.person(principal, id_number=builders.id_number(date(1988, 1, 1), male=False))
    ward = services.register_person(
        principal,
        builders.person_payload(
            id_number=child, category="resident", guardian_id_number=mother.id_number
        ),
    )
    assert ward.guardian == mother


def test_employer_register_change_cancel(principal: Principal) -> None:
    employer = services.register_employer(
        principal, builders.employer_payload(uscc="91110000600037341L")
    )
    first_seq = employer.audit_seq
    services.change_employer(
        principal, employer.uscc, {"name": "新名称有限公司", "injury_class": 5}
    )
    employer.refresh_from_db()
    assert (employer.name, employer.injury_class) == ("新名称有限公司", 5)
    change = AuditEvent.objects.get(seq=employer.audit_seq)
    assert change.prior_seq == first_seq and len(change.prior_digest) == 64
    services.cancel_employer(principal, employer.uscc, date(2026, 6, 30))
    employer.refresh_from_db()
    assert employer.status == "cancelled"


def test_bad_employer_is_refused_with_reasons(principal: Principal) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        services.register_employer(
            principal,
            {"uscc": "91110000600037341N", "name": "某公司", "region": "120101", "injury_class": 9},
        )
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("uscc", "uscc_checksum"),
        ("region", "out_of_region"),
        ("injury_class", "bad_injury_class"),
    }
    assert _counts() == before


def test_cancel_employer_with_open_relations_is_refused(principal: Principal) -> None:
    employer = builders.employer(principal)
    builders.relation(principal, builders.person(principal), employer)
    with pytest.raises(InvalidInput) as refused:
        services.cancel_employer(principal, employer.uscc, date(2026, 1, 1))
    assert refused.value.errors[0].code == "open_relations"


def test_overlapping_relations_are_refused(principal: Principal) -> None:
    employer, other = builders.employer(principal), builders.employer(principal)
    person = builders.person(principal)
    builders.relation(principal, person, employer, "pension", "2019-01", "2021-06")
    builders.relation(principal, person, other, "pension", "2021-07")
    before = _counts()
    with pytest.raises(InvalidInput) as refused:
        builders.relation(principal, person, employer, "pension", "2021-03", "2021-09")
    error = refused.value.errors[0]
    assert (error.field, error.code) == ("start_month", "overlap")
    assert "2019-01" in error.en
    with pytest.raises(InvalidInput):  # a second open pension relation
        builders.relation(principal, person, employer, "pension", "2024-01")
    with pytest.raises(InvalidInput):  # resident pension beside employee pension: 重复参保
        builders.relation(principal, person, None, "resident_pension", "2023-01")
    assert _counts() == before
    builders.relation(principal, person, employer, "medical", "2021-03")  # other insurance: fine


def test_relation_rules(principal: Principal) -> None:
    employer = builders.employer(principal)
    young = builders.person(
        principal,
        id_number=builders.id_number(date(2008, 5, 1)),
        guardian_id_number=builders.person(principal).id_number,
    )
    with pytest.raises(InvalidInput) as refused:
        builders.relation(principal, young, employer, "pension", "2023-01")
    assert refused.value.errors[0].code == "under_age"
    adult = builders.person(principal)
    with pytest.raises(InvalidInput) as missing:
        builders.relation(principal, adult, None, "pension", "2023-01")
    assert missing.value.errors[0].code == "required"
    with pytest.raises(InvalidInput) as backwards:
        builders.relation(principal, adult, employer, "injury", "2023-05", "2023-01")
    assert backwards.value.errors[0].code == "before_start"
    with pytest.raises(InvalidInput) as resident_with_employer:
        builders.relation(principal, adult, employer, "resident_medical", "2023-01")
    assert resident_with_employer.value.errors[0].code == "not_allowed"


def test_end_relation_and_cancel_person(principal: Principal) -> None:
    employer = builders.employer(principal)
    person = builders.person(principal)
    pension = builders.relation(principal, person, employer, "pension", "2020-01")
    services.end_relation(principal, pension.pk, {"end_month": "2023-12"})
    pension.refresh_from_db()
    assert pension.end_month == "2023-12"
    with pytest.raises(InvalidInput) as again:
        services.end_relation(principal, pension.pk, {"end_month": "2024-01"})
    assert again.value.errors[0].code == "already_ended"
    medical = builders.relation(principal, person, employer, "medical", "2020-01")
    services.cancel_person(principal, person.id_number, deceased_date=date(2025, 8, 3))
    medical.refresh_from_db()
    person.refresh_from_db()
    assert (medical.end_month, person.status, person.deceased_date) == (
        "2025-08",
        "cancelled",
        date(2025, 8, 3),
    )
    assert str(YearMonth.of(person.deceased_date)) == "2025-08"


def test_change_person(principal: Principal) -> None:
    person = builders.person(principal)
    services.change_person(
        principal, person.id_number, {"phone": "13912345678", "residence_region": "110108"}
    )
    person.refresh_from_db()
    assert (person.phone, person.residence_region) == ("13912345678", "110108")
    with pytest.raises(InvalidInput) as refused:
        services.change_person(principal, person.id_number, {"id_number": builders.id_number()})
    assert [e.code for e in refused.value.errors] == ["immutable"]


def test_other_regions_records_are_out_of_scope(principal: Principal) -> None:
    person = builders.person(principal)
    staff = Principal(
        actor="approver-tj", source="cli", region="120000", roles=frozenset({"approver"})
    )
    with applying.granted(staff, 0) as tianjin:
        with pytest.raises(NotFound, match="no such person"):  # like an absent one
            services.change_person(tianjin, person.id_number, {"phone": "13912345678"})
        with pytest.raises(InvalidInput) as refused:
            services.register_employer(tianjin, builders.employer_payload(region="110105"))
    assert refused.value.errors[0].code == "out_of_region"


def test_services_refuse_to_run_outside_a_transaction(principal: Principal) -> None:
    """One transaction boundary: the caller's (DESIGN.md). Pretend there is none."""
    from django.db import connection

    before = _counts()
    connection.in_atomic_block = False
    try:
        with pytest.raises(AssertionError, match="caller's transaction"):
            services.register_person(principal, builders.person_payload())
    finally:
        connection.in_atomic_block = True
    assert _counts() == before


def test_bulk_registration_stamps_every_row_and_audits_each_table_once(
    principal: Principal,
) -> None:
    """The legacy import's path into the registry (001 art. 12): each row carries its digest,
    each table one batch event; ``audit verify`` vouches for them as for rows registered one by
    one."""
    from quanyi.audit.verify import verify

    usccs = [builders.uscc(), builders.uscc()]
    numbers = [builders.id_number(), builders.id_number(male=False)]
    assert (
        services.register_employers_bulk(
            principal, [services.NewEmployer(u, "批量单位", "110105", 3) for u in usccs]
        )
        == 2
    )
    assert (
        services.register_persons_bulk(
            principal,
            [
                services.NewPerson(
                    n, "批量人员", "M", date(1985, 6, 15), "", "110105", "110105", "employee"
                )
                for n in numbers
            ],
        )
        == 2
    )
    person = Person.objects.get(id_number=numbers[0])
    employer = Employer.objects.get(uscc=usccs[0])
    assert (
        services.start_relations_bulk(
            principal,
            [services.NewRelation(person.pk, employer.pk, "pension", "2020-01", None)],
        )
        == 1
    )
    assert person.agency_region == employer.agency_region == "110000"
    for action, rows in (("employer.register", 2), ("person.register", 2), ("relation.start", 1)):
        event = AuditEvent.objects.get(action=action)
        assert (event.rows, event.actor) == (rows, "approver-a")
    assert person.audit_seq == AuditEvent.objects.get(action="person.register").seq
    assert verify().ok
    assert services.register_persons_bulk(principal, []) == 0  # nothing, no event
    assert AuditEvent.objects.filter(action="person.register").count() == 1


def test_bulk_registration_needs_an_approved_case(principal: Principal) -> None:
    """001 art. 6: registered data is written only by a case's final approval."""
    from dataclasses import replace

    from quanyi.access.errors import Refused

    clerk = replace(principal, roles=frozenset({"operator"}), case_id=None)
    with pytest.raises(Refused):
        services.register_employers_bulk(
            clerk, [services.NewEmployer(builders.uscc(), "批量单位", "110105", 3)]
        )
    assert not Employer.objects.exists()


@pytest.mark.parametrize(
    ("held", "insurance", "start", "end", "clash"),
    [
        ([("pension", "2020-01", "2020-12")], "pension", "2020-12", None, 0),
        ([("pension", "2020-01", "2020-12")], "pension", "2021-01", None, None),
        ([("pension", "2020-01", None)], "resident_pension", "2030-01", "2030-02", 0),
        ([("medical", "2020-01", None)], "pension", "2020-01", None, None),
        ([("injury", "2020-01", None)], "injury", "2019-01", "2019-12", None),
        (
            [("pension", "2019-01", None), ("resident_pension", "2018-01", "2019-06")],
            "pension",
            "2019-03",
            None,
            1,
        ),
    ],
)
def test_first_overlap_by_insurance_group(
    held: list[validation.Span], insurance: str, start: str, end: str | None, clash: int | None
) -> None:
    """重复参保: one relation of the pension group and one of the medical group at a time; the
    earliest-starting clash is named."""
    found = validation.first_overlap(held, insurance, start, end)
    assert found == (None if clash is None else held[clash])
