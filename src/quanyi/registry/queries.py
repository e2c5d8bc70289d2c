"""Reads of the registry, scoped through ``access.readable``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Max, QuerySet

from quanyi.access.policy import readable
from quanyi.core import regions
from quanyi.core.bulkwork import chunks
from quanyi.core.identifiers import mask, parse_id_number
from quanyi.core.principal import Principal
from quanyi.registry.errors import person_not_found
from quanyi.registry.models import DeemedMonths, InsuranceRelation, Person


def find_person(principal: Principal, id_number: str) -> Person:
    """The person with this id number in the principal's readable region, or "not found" as
    if absent (need to know, 001 art. 14-22); refused outright for a principal who may read no
    records."""
    number = parse_id_number(id_number).number
    person = readable(principal, Person.objects.all()).filter(id_number=number).first()
    if person is None:
        raise person_not_found()
    return person


def person_by_reference(principal: Principal, person_id: int) -> Person:
    """The person an opaque reference on a screen names (their row number, never the id
    number), scoped like ``find_person``: outside the principal's region it is "not found"."""
    person = readable(principal, Person.objects.all()).filter(pk=person_id).first()
    if person is None:
        raise person_not_found()
    return person


def record_part(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    """The ``person`` and ``relations`` parts of the record (DESIGN.md, CLI contract)."""
    person = Person.objects.select_related("guardian").get(pk=person_id)
    part: dict[str, Any] = {}
    if "person" in items:
        part["person"] = person_part(person, full_id=False)
    if "relations" in items:
        part["relations"] = relations_part(person)
    return part


def record_parts(person_ids: Sequence[int], items: frozenset[str]) -> dict[int, dict[str, Any]]:
    """``record_part`` for many persons: one query for the persons, one for their relations."""
    persons = Person.objects.select_related("guardian").in_bulk(list(person_ids))
    relations: dict[int, list[dict[str, Any]]] = {pk: [] for pk in persons}
    if "relations" in items:
        for chunk in chunks(sorted(persons)):
            found = (
                InsuranceRelation.objects.filter(person_id__in=chunk)
                .select_related("employer")
                .order_by("person_id", "start_month", "insurance", "pk")
            )
            for r in found:
                relations[r.person_id].append(_relation_row(r))
    parts: dict[int, dict[str, Any]] = {}
    for pk, person in persons.items():
        part: dict[str, Any] = {}
        if "person" in items:
            part["person"] = person_part(person, full_id=False)
        if "relations" in items:
            part["relations"] = relations[pk]
        parts[pk] = part
    return parts


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
        # For the person page (the CLI and API contract, ``PersonPart``, leaves them out):
        # the phone masked as the id number is, and the regions as codes.
        "phone": mask_phone(person.phone),
        "hukou_region": person.hukou_region,
        "residence_region": person.residence_region,
        "guardian": mask(person.guardian.id_number) if person.guardian else None,
    }


def mask_phone(number: str) -> str:
    """``138****1234``: the carrier prefix and the last four digits kept; "" when none."""
    if not number:
        return ""
    return number[:3] + "*" * 4 + number[-4:] if len(number) == 11 else "*" * len(number)


def relations_part(person: Person) -> list[dict[str, Any]]:
    relations = (
        InsuranceRelation.objects.filter(person=person)
        .select_related("employer")
        .order_by("start_month", "insurance", "pk")
    )
    return [_relation_row(r) for r in relations]


def _relation_row(r: InsuranceRelation) -> dict[str, Any]:
    return {
        "uscc": r.employer.uscc if r.employer else None,
        "employer": r.employer.name if r.employer else None,
        "insurance": r.insurance,
        "start_month": r.start_month,
        "end_month": r.end_month,
    }


def latest_deemed(person_id: int) -> tuple[int, str]:
    """The deemed months on record now and the document they rest on (0 and "" when none)."""
    row = DeemedMonths.objects.filter(person_id=person_id).order_by("-pk").first()
    return (row.months, row.source) if row is not None else (0, "")


def deemed_months(person_id: int) -> int:
    """视同缴费月数 on record now: the latest row's, 0 when none (REFERENCE.md Basic pension)."""
    return deemed_by_person([person_id])[person_id]


def deemed_by_person(person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's deemed months on record now, 0 for a person with none — for many persons
    at once (a benefit run), one query per ``chunks`` slice, never one per person."""
    wanted = sorted(set(person_ids))
    found = dict.fromkeys(wanted, 0)
    for chunk in chunks(wanted):
        latest = (
            DeemedMonths.objects.filter(person_id__in=chunk)
            .values("person_id")
            .annotate(last=Max("pk"))
            .values("last")
        )
        found.update(DeemedMonths.objects.filter(pk__in=latest).values_list("person_id", "months"))
    return found


def persons_of_region(region: str) -> QuerySet[Person]:
    """Every person whose agency region ``region`` covers: for set-based readers above the
    registry (the enrollment match), which scope and log their own use."""
    return Person.objects.filter(regions.within("agency_region", region))


def relations_of_region(region: str) -> QuerySet[InsuranceRelation]:
    """Every insurance relation of those persons."""
    return InsuranceRelation.objects.filter(regions.within("person__agency_region", region))
