"""Registration, change and cancellation (登记, 变更, 注销): the only code that writes the registry.

Every function takes the acting principal, runs inside the caller's transaction, validates with
``registry.validation`` (every reason at once, nothing written on error), writes, and appends the
audit event for each row it wrote. Only a case's final approval may call them (``registry.write``).

The ``*_bulk`` services register many rows at once for a set-based caller (the legacy import)
that has checked them with ``registry.validation``'s field rules against what it read in bulk:
one INSERT and one batch event (the Merkle root of the rows' digests) per table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.core import regions
from quanyi.core.errors import ErrorCollector, InvalidInput, NotFound
from quanyi.core.identifiers import parse_id_number, validate_uscc
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import validation
from quanyi.registry.errors import (
    employer_not_found,
    person_not_found,
    relation_not_found,
)
from quanyi.registry.models import (
    DeemedMonths,
    Employer,
    EmployerStatus,
    InsuranceRelation,
    Person,
    PersonStatus,
)

T = TypeVar("T", bound=Model)


def _assert_transaction() -> None:
    assert connection.in_atomic_block, "registry services run inside the caller's transaction"


def _in_region_or_absent(
    principal: Principal, agency_region: str, absent: Callable[[], NotFound]
) -> None:
    """Another region's object answers exactly like an absent one: its existence is not the
    business of staff outside that region (DESIGN.md, one meaning of "region covers")."""
    if not regions.covers(principal.region, agency_region):
        raise absent()


def employer_by_uscc(principal: Principal, uscc: str) -> Employer:
    employer = Employer.objects.filter(uscc=validate_uscc(uscc)).first()
    if employer is None:
        raise employer_not_found()
    _in_region_or_absent(principal, employer.agency_region, employer_not_found)
    return employer


def person_by_id_number(principal: Principal, id_number: str) -> Person:
    person = Person.objects.filter(id_number=parse_id_number(id_number).number).first()
    if person is None:
        raise person_not_found()
    _in_region_or_absent(principal, person.agency_region, person_not_found)
    return person


# --- employers -------------------------------------------------------------------------------


def register_employer(principal: Principal, data: Mapping[str, Any]) -> Employer:
    _assert_transaction()
    authorize(principal, "registry.write")
    cleaned = validation.clean_employer(principal, data)
    employer = Employer.objects.create(agency_region=principal.region, **cleaned)
    audit.record_row(principal, "employer.register", employer)
    return employer


def change_employer(principal: Principal, uscc: str, data: Mapping[str, Any]) -> Employer:
    _assert_transaction()
    authorize(principal, "registry.write")
    employer = employer_by_uscc(principal, uscc)
    cleaned = validation.clean_employer_change(principal, employer, data)
    return _update(principal, employer, cleaned, "employer.change")


def cancel_employer(principal: Principal, uscc: str, cancelled_on: date) -> Employer:
    """注销: refused while any of its relations is still open — end them first."""
    _assert_transaction()
    authorize(principal, "registry.write")
    employer = employer_by_uscc(principal, uscc)
    if employer.status == EmployerStatus.CANCELLED:
        raise InvalidInput.one("uscc", "cancelled", "单位已注销", "already cancelled")
    open_count = employer.relations.filter(end_month__isnull=True).count()
    if open_count:
        raise InvalidInput.one(
            "uscc",
            "open_relations",
            f"尚有 {open_count} 条未终止的参保关系，须先终止",
            f"{open_count} insurance relations are still open; end them first",
        )
    changes = {"status": EmployerStatus.CANCELLED, "cancelled_on": cancelled_on}
    return _update(principal, employer, changes, "employer.cancel")


# --- persons ---------------------------------------------------------------------------------


def register_person(principal: Principal, data: Mapping[str, Any]) -> Person:
    _assert_transaction()
    authorize(principal, "registry.write")
    cleaned = validation.clean_person(principal, data)
    person = Person.objects.create(agency_region=principal.region, **cleaned)
    audit.record_row(principal, "person.register", person)
    return person


def change_person(principal: Principal, id_number: str, data: Mapping[str, Any]) -> Person:
    _assert_transaction()
    authorize(principal, "registry.write")
    person = person_by_id_number(principal, id_number)
    cleaned = validation.clean_person_change(principal, person, data)
    return _update(principal, person, cleaned, "person.change")


def cancel_person(
    principal: Principal,
    id_number: str,
    deceased_date: date | None = None,
    end_month: YearMonth | None = None,
) -> Person:
    """注销 a registration (death, emigration, duplicate): open relations end at ``end_month``
    (the month of death when a death date is given)."""
    _assert_transaction()
    authorize(principal, "registry.write")
    person = person_by_id_number(principal, id_number)
    if person.status == PersonStatus.CANCELLED:
        raise InvalidInput.one("id_number", "cancelled", "人员已注销", "already cancelled")
    if deceased_date is not None and deceased_date < person.birth_date:
        raise InvalidInput.one(
            "deceased_date",
            "before_birth",
            "死亡日期早于出生日期",
            "the date of death precedes birth",
        )
    last = end_month or (
        YearMonth.of(deceased_date) if deceased_date else YearMonth.of(date.today())
    )
    for relation in person.relations.filter(end_month__isnull=True).order_by("pk"):
        _end(principal, relation, str(max(last, YearMonth.parse(relation.start_month))))
    changes = {"status": PersonStatus.CANCELLED, "deceased_date": deceased_date}
    return _update(principal, person, changes, "person.cancel")


# --- insurance relations ---------------------------------------------------------------------


def start_relation(principal: Principal, data: Mapping[str, Any]) -> InsuranceRelation:
    _assert_transaction()
    authorize(principal, "registry.write")
    cleaned = validation.clean_relation(principal, data)
    relation = InsuranceRelation.objects.create(**cleaned)
    audit.record_row(principal, "relation.start", relation)
    return relation


def end_relation(
    principal: Principal, relation_id: int, data: Mapping[str, Any]
) -> InsuranceRelation:
    _assert_transaction()
    authorize(principal, "registry.write")
    relation = InsuranceRelation.objects.select_related("person").filter(pk=relation_id).first()
    if relation is None:
        raise relation_not_found()
    _in_region_or_absent(principal, relation.person.agency_region, relation_not_found)
    end = validation.clean_relation_end(principal, relation, data)
    return _end(principal, relation, end)


def _end(principal: Principal, relation: InsuranceRelation, end: str) -> InsuranceRelation:
    return _update(principal, relation, {"end_month": end}, "relation.end")


def _update(principal: Principal, row: T, changes: Mapping[str, Any], action: str) -> T:
    return audit.update_row(principal, action, row, **changes)


# --- corrections (更正): only through an approved record.correct case -------------------------


def correct_person(principal: Principal, id_number: str, changes: Mapping[str, Any]) -> Person:
    _assert_transaction()
    authorize(principal, "registry.write")
    person = person_by_id_number(principal, id_number)
    cleaned = validation.clean_person_correction(principal, person, changes)
    return _update(principal, person, cleaned, "record.correct")


def correct_employer(principal: Principal, uscc: str, changes: Mapping[str, Any]) -> Employer:
    _assert_transaction()
    authorize(principal, "registry.write")
    employer = employer_by_uscc(principal, uscc)
    cleaned = validation.clean_employer_correction(principal, employer, changes)
    return _update(principal, employer, cleaned, "record.correct")


def relation_by_id(principal: Principal, relation_id: int) -> InsuranceRelation:
    relation = (
        InsuranceRelation.objects.select_related("person", "employer")
        .filter(pk=relation_id)
        .first()
    )
    if relation is None:
        raise relation_not_found()
    _in_region_or_absent(principal, relation.person.agency_region, relation_not_found)
    return relation


def correct_relation(
    principal: Principal, relation_id: int, changes: Mapping[str, Any]
) -> InsuranceRelation:
    _assert_transaction()
    authorize(principal, "registry.write")
    relation = relation_by_id(principal, relation_id)
    cleaned = validation.clean_relation_correction(principal, relation, changes)
    return _update(principal, relation, cleaned, "record.correct")


# --- deemed months (视同缴费月数): only through an approved person.deemed case or import ----


def record_deemed(
    principal: Principal,
    id_number: str,
    months: int,
    source: str,
    case_id: int | None = None,
) -> DeemedMonths:
    """A person's deemed months from now on (a new ledger row; the latest one counts), as an
    archive document establishes them (国发〔1997〕26号; REFERENCE.md Basic pension).
    ``case_id`` defaults to the case being applied."""
    _assert_transaction()
    authorize(principal, "registry.write")
    person = person_by_id_number(principal, id_number)
    errors = ErrorCollector()
    checked = validation.deemed_months(errors, months)
    found = validation.text(
        errors, source, "source", required=True, max_length=validation.DEEMED_SOURCE_MAX
    )
    errors.raise_if_any()
    return audit.create_entry(
        principal,
        "person.deemed",
        DeemedMonths,
        person=person,
        months=checked,
        source=found,
        case_id=case_id if case_id is not None else principal.case_id,
    )


@dataclass(frozen=True)
class NewDeemed:
    person_id: int
    months: int  # checked: 0..DEEMED_MONTHS_MAX
    source: str


def record_deemed_bulk(principal: Principal, rows: Sequence[NewDeemed]) -> int:
    """Checked deemed months of registered persons (the legacy import), stamped with the case
    being applied; returns how many."""
    return _bulk(
        principal,
        "person.deemed",
        [DeemedMonths(case_id=principal.case_id, **vars(row)) for row in rows],
    )


# --- registering in bulk (the legacy import) -------------------------------------------------

BULK_BATCH = 5000  # rows per INSERT statement


# The rows below become models through ``vars(row)``, not ``asdict``, which would copy each
# row again: an import registers millions.


@dataclass(frozen=True)
class NewEmployer:
    uscc: str
    name: str
    region: str
    injury_class: int


@dataclass(frozen=True)
class NewPerson:
    id_number: str
    name: str
    sex: str  # from the id number, as ``identifiers.parse_id_number`` gives it
    birth_date: date
    phone: str
    hukou_region: str
    residence_region: str
    category: str


@dataclass(frozen=True)
class NewRelation:
    person_id: int
    employer_id: int | None
    insurance: str
    start_month: str
    end_month: str | None


def register_employers_bulk(principal: Principal, rows: Sequence[NewEmployer]) -> int:
    """Register checked employers in the principal's agency region; returns how many."""
    return _bulk(
        principal,
        "employer.register",
        [Employer(agency_region=principal.region, **vars(row)) for row in rows],
    )


def register_persons_bulk(principal: Principal, rows: Sequence[NewPerson]) -> int:
    """Register checked persons in the principal's agency region; returns how many."""
    return _bulk(
        principal,
        "person.register",
        [Person(agency_region=principal.region, **vars(row)) for row in rows],
    )


def start_relations_bulk(principal: Principal, rows: Sequence[NewRelation]) -> int:
    """Start checked insurance relations of registered persons; returns how many."""
    return _bulk(principal, "relation.start", [InsuranceRelation(**vars(row)) for row in rows])


def _bulk(principal: Principal, action: str, rows: list[T]) -> int:
    _assert_transaction()
    authorize(principal, "registry.write")
    if not rows:
        return 0
    seq = audit.reserve_seq()
    audit.stamp_rows(rows, seq)
    type(rows[0])._default_manager.bulk_create(rows, batch_size=BULK_BATCH)
    audit.record_batch(principal, action, type(rows[0]), seq)
    return len(rows)
