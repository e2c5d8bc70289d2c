"""Deemed months (视同缴费月数, 国发〔1997〕26号; REFERENCE.md Basic pension): an append-only
ledger whose latest row counts, written only by an approved ``person.deemed`` case through all
five stages (001 art. 6, 7; DESIGN.md invariants 1, 2, 3)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from quanyi.audit.verify import verify
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.registry import queries, services
from quanyi.registry.models import DeemedMonths
from quanyi.workflow import types
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

ARCHIVE = "档案：1985-1991 年国营北京某厂工作证明"


def test_a_deemed_case_passes_five_stages_shows_before_and_after_and_writes_a_row(
    principal: Principal,
) -> None:
    person = builders.person(principal, name="王建国")
    office = Office()
    case = office.submit(
        "person.deemed",
        {"id_number": person.id_number, "deemed_months": "72", "source": ARCHIVE},
    )
    assert queries.deemed_months(person.pk) == 0  # nothing before the approval
    diff = {(c["field"], c["before"], c["after"]) for c in case.diffs.get().changes}
    assert diff == {("deemed_months", 0, 72), ("deemed_source", None, ARCHIVE)}
    case = office.approve_all(case)
    assert case.status == "approved", case.result
    assert [d.stage for d in case.decisions.all()] == [
        "intake",
        "check",
        "review",
        "recheck",
        "approval",
    ]
    (row,) = DeemedMonths.objects.filter(person=person)
    assert (row.months, row.source, row.case_id) == (72, ARCHIVE, case.pk)
    assert queries.deemed_months(person.pk) == 72

    again = office.submit(
        "person.deemed", {"id_number": person.id_number, "deemed_months": 60, "source": "复核"}
    )
    diff = {(c["field"], c["before"], c["after"]) for c in again.diffs.get().changes}
    assert ("deemed_months", 72, 60) in diff and ("deemed_source", ARCHIVE, "复核") in diff
    office.approve_all(again)
    assert queries.deemed_months(person.pk) == 60  # the latest row counts
    assert DeemedMonths.objects.filter(person=person).count() == 2  # the first one stands
    assert verify().ok


def test_a_deemed_case_refuses_no_change_out_of_range_and_no_source(
    principal: Principal,
) -> None:
    person = builders.person(principal)
    office = Office()
    with pytest.raises(InvalidInput) as refused:
        office.submit("person.deemed", {"id_number": person.id_number, "deemed_months": 0})
    problems = {e.field: e for e in refused.value.errors}
    assert set(problems) == {"source"}  # nothing to check the months against without a source
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "person.deemed",
            {"id_number": person.id_number, "deemed_months": 0, "source": ARCHIVE},
        )
    (error,) = refused.value.errors
    assert (error.field, error.code) == ("deemed_months", "no_change")
    assert "无需认定" in error.zh and "nothing changes" in error.en
    for bad in (601, -1, "12.5", "七十二", True):
        with pytest.raises(InvalidInput) as refused:
            office.submit(
                "person.deemed",
                {"id_number": person.id_number, "deemed_months": bad, "source": ARCHIVE},
            )
        (error,) = refused.value.errors
        assert (error.field, error.code) == ("deemed_months", "bad_deemed_months"), bad
        assert "0 至 600" in error.zh and "from 0 to 600" in error.en


def test_the_case_type_declares_labelled_form_fields_with_kinds() -> None:
    deemed = types.get("person.deemed")
    kinds = {f.name: f.kind for f in deemed.fields}
    assert kinds == {"id_number": "id_number", "deemed_months": "text", "source": "textarea"}
    assert (deemed.zh, deemed.en) == ("视同缴费认定", "deemed contribution period")
    assert [str(s) for s in deemed.stages] == ["intake", "check", "review", "recheck", "approval"]


def test_deemed_by_person_answers_for_many_with_zero_for_none(principal: Principal) -> None:
    one, two, three = (builders.person(principal) for _ in range(3))
    with transaction.atomic():
        services.record_deemed(principal, one.id_number, 36, ARCHIVE)
        services.record_deemed(principal, one.id_number, 48, "更正后的档案")
        services.record_deemed_bulk(principal, [services.NewDeemed(two.pk, 120, ARCHIVE)])
    assert queries.deemed_by_person([one.pk, two.pk, three.pk]) == {
        one.pk: 48,
        two.pk: 120,
        three.pk: 0,
    }
    assert queries.deemed_by_person([]) == {}
    assert verify().ok


def test_the_service_refuses_what_the_case_would(principal: Principal) -> None:
    person = builders.person(principal)
    with pytest.raises(InvalidInput) as refused, transaction.atomic():
        services.record_deemed(principal, person.id_number, 601, " ")
    assert {e.field for e in refused.value.errors} == {"deemed_months", "source"}


def test_deemed_rows_are_append_only(principal: Principal) -> None:
    person = builders.person(principal)
    with transaction.atomic():
        services.record_deemed(principal, person.id_number, 12, ARCHIVE)
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE registry_deemedmonths SET months = 600")
