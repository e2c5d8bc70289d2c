"""Reads of the registry, scoped through ``access.readable``."""

from __future__ import annotations

from typing import Any

from quanyi.access.policy import readable
from quanyi.core.identifiers import mask, parse_id_number
from quanyi.core.principal import Principal
from quanyi.registry.errors import person_not_found
from quanyi.registry.models import InsuranceRelation, Person


def find_person(principal: Principal, id_number: str) -> Person:
    """The person with this id number in the principal's readable region, or "not found" as
    if absent (need to know, 001 art. 14-22); refused outright for a principal who may read no
    records."""
    number = parse_id_number(id_number).number
    person = readable(principal, Person.objects.all()).filter(id_number=number).first()
    if person is None:
        raise person_not_found()
    return person


def record_part(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    """The ``person`` and ``relations`` parts of the record (DESIGN.md, CLI contract)."""
    person = Person.objects.get(pk=person_id)
    part: dict[str, Any] = {}
    if "person" in items:
        part["person"] = person_part(person, full_id=False)
    if "relations" in items:
        part["relations"] = relations_part(person)
    return part


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
