"""Reads of the registry. The accounts issue routes these through ``access.readable``."""

from __future__ import annotations

from typing import Any

from quanyi.access.policy import readable
from quanyi.core.principal import Principal
from quanyi.registry.errors import person_not_found
from quanyi.registry.identifiers import mask, parse_id_number
from quanyi.registry.models import InsuranceRelation, Person


def record(principal: Principal, id_number: str, *, full_id: bool = False) -> dict[str, Any]:
    """The ``person`` and ``relations`` parts of the record JSON (DESIGN.md, CLI contract).

    Refused (not empty) for a principal who may read no records; a person outside the
    principal's region is "not found", as if absent (need to know, 001 art. 14-22).
    """
    number = parse_id_number(id_number).number
    person = readable(principal, Person.objects.all()).filter(id_number=number).first()
    if person is None:
        raise person_not_found()
    from quanyi.contributions.queries import contributions_part
    from quanyi.personal_accounts.queries import account_part, months_part

    return {
        "person": person_part(person, full_id=full_id),
        "relations": relations_part(person),
        "contributions": contributions_part(person.pk),
        "account": account_part(person.pk),
        "contribution_months": months_part(person.pk),
    }


def person_part(person: Person, *, full_id: bool) -> dict[str, Any]:
    return {
        "id_number": person.id_number if full_id else mask(person.id_number),
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "category": person.category,
        "region": person.agency_region,
        "status": person.status,
        "deceased_date": person.deceased_date.isoformat() if person.deceased_date else None,
    }


def relations_part(person: Person) -> list[dict[str, Any]]:
    relations = (
        InsuranceRelation.objects.filter(person=person)
        .select_related("employer")
        .order_by("start_month", "insurance", "pk")
    )
    return [
        {
            "uscc": r.employer.uscc if r.employer else None,
            "employer": r.employer.name if r.employer else None,
            "insurance": r.insurance,
            "start_month": r.start_month,
            "end_month": r.end_month,
        }
        for r in relations
    ]
