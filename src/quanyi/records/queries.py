"""``records.read``: the one path by which CLI, API, web, statements and disclosure read a
person's record. The disclosure decision says what this principal may see of it ("parts the
user may not see are absent"); every read by anyone but the person themself is logged, a
refused one too, and every look-up of an id number counts against the reader's limit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from quanyi.access.errors import Refused
from quanyi.access.policy import allowed, authorize, scope
from quanyi.audit import services as audit
from quanyi.core import kept
from quanyi.core.bulkwork import chunks
from quanyi.core.identifiers import parse_id_number
from quanyi.core.principal import Principal
from quanyi.disclosure import batches, decision, limits
from quanyi.disclosure.clip import clip
from quanyi.records import parts, querylog
from quanyi.records.models import Result
from quanyi.registry.errors import person_not_found
from quanyi.registry.models import Person

DEFAULT_PURPOSE = "record query"
BATCH_ACTION = "records.batch"


def read(
    principal: Principal,
    id_number: str,
    items: Iterable[str] | None = None,
    purpose: str = DEFAULT_PURPOSE,
    *,
    basis: str = "",
    request: int | None = None,
) -> dict[str, Any]:
    """The record's parts this principal may see, restricted to ``items`` (all when None);
    ``request``: the approved ``disclosure.request`` an outside requester reads under.

    Refused (not empty) for a principal with no basis to read it; a person outside the
    principal's region is "not found", as if absent (need to know, 001 art. 14-22).
    """
    if principal.kind == "staff":
        # Staff who may read no record are refused before anything is looked up.
        authorize(principal, "record.read")
    return _read(principal, _find(principal, id_number), items, purpose, basis, request)


def read_by_reference(
    principal: Principal,
    person_id: int,
    items: Iterable[str] | None = None,
    purpose: str = DEFAULT_PURPOSE,
) -> dict[str, Any]:
    """``read`` of the person a screen's opaque reference names (so the id number stays out
    of URLs and logs), checked and logged the same way."""
    person = scope(Person.objects.all(), principal).filter(pk=person_id).first()
    if person is None:
        raise person_not_found()
    return _read(principal, person, items, purpose, "", None)


def locate(principal: Principal, id_number: str) -> int:
    """The row number of the person with this id number, for an opaque reference: counted and
    checked like ``read`` (refused, or "not found" outside the principal's region) but not
    logged — nothing of the record is read until the reference is followed, and that read is."""
    authorize(principal, "record.read")
    return _find(principal, id_number).pk


def _find(principal: Principal, id_number: str, *, counted: bool = True) -> Person:
    number = parse_id_number(id_number).number
    if counted:
        limits.admit(principal, number)
    person = scope(Person.objects.all(), principal).filter(id_number=number).first()
    if person is None:
        raise person_not_found()
    return person


def _read(
    principal: Principal,
    person: Person,
    items: Iterable[str] | None,
    purpose: str,
    basis: str,
    request: int | None,
) -> dict[str, Any]:
    wanted = frozenset(parts.all_items() if items is None else items)
    view = _decided(principal, person, wanted, purpose, basis, request)
    plan, withheld = _plan(principal, person, view, wanted)
    record: dict[str, Any] = {}
    for part, load in parts.declared():
        if part.name in plan:
            record.update(load(person.pk, plan[part.name]))
    return _shown(principal, person, view, plan, record, withheld, purpose, basis)


def _decided(
    principal: Principal,
    person: Person,
    wanted: frozenset[str],
    purpose: str,
    basis: str,
    request: int | None,
) -> decision.View:
    """The disclosure decision; a refusal is logged (kept past the rollback) and raised."""
    try:
        return decision.decide(principal, person, request)
    except Refused:
        asked = [item for item in parts.all_items() if item in wanted]
        kept.keep(
            lambda: querylog.log(
                principal,
                person.pk,
                items=asked,
                purpose=purpose,
                basis=f"request: case {request}" if request is not None else basis,
                result=Result.REFUSED,
            )
        )
        raise


def _plan(
    principal: Principal, person: Person, view: decision.View, wanted: frozenset[str]
) -> tuple[dict[str, frozenset[str]], bool]:
    """Which items of which part this read loads, and whether any asked for is withheld."""
    plan: dict[str, frozenset[str]] = {}
    withheld = False
    for part, _ in parts.declared():
        asked_here = wanted.intersection(part.items)
        if not asked_here:
            continue
        if view.items is not None:
            withheld = withheld or not asked_here <= view.items
            asked_here &= view.items
            if not asked_here:
                continue
        elif not allowed(principal, part.permission, person):
            withheld = True
            continue
        plan[part.name] = frozenset(asked_here)
    return plan, withheld


def _shown(
    principal: Principal,
    person: Person,
    view: decision.View,
    plan: dict[str, frozenset[str]],
    loaded: dict[str, Any],
    withheld: bool,
    purpose: str,
    basis: str,
    log: bool = True,
) -> dict[str, Any]:
    asked = frozenset().union(*plan.values()) if plan else frozenset()
    record = clip({k: v for k, v in loaded.items() if k in asked}, view)
    if log and principal.person_id != person.pk:
        querylog.log(
            principal,
            person.pk,
            items=[item for item in parts.all_items() if item in record],
            purpose=purpose,
            basis=basis or view.basis,
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
    person is read. A batch is not a run of look-ups: it does not count against the limit, and
    it needs a statutory basis or an approved ``disclosure.export`` case (``batches``)."""
    batches.check_basis(basis)
    chosen = None if items is None else tuple(items)
    count = 0
    for number in id_numbers:
        person = _find(principal, number, counted=False)
        yield number, _read(principal, person, chosen, f"batch: {basis}", basis, None)
        count += 1
    audit.record(principal, BATCH_ACTION, "query_batch", basis[:64], rows=count)


BATCH_CHUNK = 500


def read_many(
    principal: Principal,
    person_ids: Iterable[int],
    basis: str,
    items: Iterable[str] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``read_batch`` by row number, each part loaded for a chunk of persons at once (one
    query where a reader went person by person): what the annual statements read. Each person
    is decided, clipped and logged exactly as ``read`` does; a person outside the principal's
    region is skipped, one whose read is refused is logged and skipped."""
    batches.check_basis(basis)
    wanted = frozenset(parts.all_items() if items is None else items)
    purpose = f"batch: {basis}"
    loaders = parts.many_loaders()
    count = 0
    for chunk in chunks(list(person_ids), BATCH_CHUNK):
        persons = scope(Person.objects.all(), principal).in_bulk(chunk)
        plans: dict[int, tuple[decision.View, dict[str, frozenset[str]], bool]] = {}
        for pk in chunk:
            person = persons.get(pk)
            if person is None:
                continue
            try:
                view = _decided(principal, person, wanted, purpose, basis, None)
            except Refused:
                continue
            plan, withheld = _plan(principal, person, view, wanted)
            plans[pk] = (view, plan, withheld)
        loaded: dict[int, dict[str, Any]] = {pk: {} for pk in plans}
        for part, _ in parts.declared():
            needing = [pk for pk, (_, plan, _) in plans.items() if part.name in plan]
            if not needing:
                continue
            union = frozenset().union(*(plans[pk][1][part.name] for pk in needing))
            for pk, values in loaders[part.name](needing, union).items():
                loaded[pk].update(values)
        entries = []
        for pk, (view, plan, withheld) in plans.items():
            record = _shown(
                principal, persons[pk], view, plan, loaded[pk], withheld, purpose, basis, False
            )
            if principal.person_id != pk:
                entries.append(
                    querylog.Entry(
                        pk,
                        [item for item in parts.all_items() if item in record],
                        basis or view.basis,
                        Result.PARTIAL if withheld else Result.SHOWN,
                    )
                )
            count += 1
            yield pk, record
        querylog.log_many(principal, entries, purpose)
    audit.record(principal, BATCH_ACTION, "query_batch", basis[:64], rows=count)


def accesses(principal: Principal, id_number: str) -> list[dict[str, Any]]:
    """Who read this record, newest first (001 art. 21): what the query log kept of every read
    by anyone but the person — refusals included. The person sees their own; staff who may
    read the record see it too."""
    authorize(principal, "record.accesses")
    if principal.kind == "staff":
        authorize(principal, "record.read")
    person = _find(principal, id_number)
    if principal.kind != "staff" and principal.person_id != person.pk:
        raise Refused(
            "只可查看本人权益记录的查询记录（001 第二十一条）",
            "refused: a person sees who read their own record only (001 art. 21)",
            "record.accesses",
        )
    return querylog.accesses(person.pk)
