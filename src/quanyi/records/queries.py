"""``records.read``: the one path by which CLI, API, web, statements and disclosure read a
person's record. It asks the policy which parts this principal may see ("parts the user may
not see are absent") and logs every read by anyone but the person themself."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from quanyi.access.policy import allowed, authorize
from quanyi.audit import services as audit
from quanyi.core.principal import Principal
from quanyi.records import parts, querylog
from quanyi.records.models import Result
from quanyi.registry.models import Person
from quanyi.registry.queries import find_person, person_by_reference

DEFAULT_PURPOSE = "record query"
BATCH_ACTION = "records.batch"


def read(
    principal: Principal,
    id_number: str,
    items: Iterable[str] | None = None,
    purpose: str = DEFAULT_PURPOSE,
    *,
    basis: str = "",
) -> dict[str, Any]:
    """The record's parts this principal may see, restricted to ``items`` (all when None).

    Refused (not empty) for a principal who may read no records; a person outside the
    principal's region is "not found", as if absent (need to know, 001 art. 14-22).
    """
    authorize(principal, "record.read")
    return _read(principal, find_person(principal, id_number), items, purpose, basis)


def read_by_reference(
    principal: Principal,
    person_id: int,
    items: Iterable[str] | None = None,
    purpose: str = DEFAULT_PURPOSE,
) -> dict[str, Any]:
    """``read`` of the person a screen's opaque reference names (so the id number stays out
    of URLs and logs), checked and logged the same way."""
    authorize(principal, "record.read")
    return _read(principal, person_by_reference(principal, person_id), items, purpose, "")


def locate(principal: Principal, id_number: str) -> int:
    """The row number of the person with this id number, for an opaque reference: checked like
    ``read`` (refused, or "not found" outside the principal's region) and not logged — nothing
    of the record is read until the reference is followed, and that read is logged."""
    authorize(principal, "record.read")
    return find_person(principal, id_number).pk


def _read(
    principal: Principal,
    person: Person,
    items: Iterable[str] | None,
    purpose: str,
    basis: str,
) -> dict[str, Any]:
    wanted = frozenset(parts.all_items() if items is None else items)
    record: dict[str, Any] = {}
    withheld = False
    for part, load in parts.declared():
        asked = wanted.intersection(part.items)
        if not asked:
            continue
        if not allowed(principal, part.permission, person):
            withheld = True
            continue
        record.update({k: v for k, v in load(person.pk, frozenset(asked)).items() if k in asked})
    if principal.person_id != person.pk:
        querylog.log(
            principal,
            person.pk,
            items=[item for item in parts.all_items() if item in record],
            purpose=purpose,
            basis=basis,
            result=Result.PARTIAL if withheld else Result.SHOWN,
        )
    return record


def read_batch(
    principal: Principal,
    id_numbers: Iterable[str],
    basis: str,
    items: Iterable[str] | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A statutory batch (annual statements, reports): each person read under the declared
    ``basis`` (e.g. "annual statements 2026"), logged per person with it, and the batch as a
    whole by one ``records.batch`` audit event (its basis and how many were read) once the last
    person is read."""
    chosen = None if items is None else tuple(items)
    count = 0
    for number in id_numbers:
        yield number, read(principal, number, chosen, purpose=f"batch: {basis}", basis=basis)
        count += 1
    audit.record(principal, BATCH_ACTION, "query_batch", basis[:64], rows=count)
