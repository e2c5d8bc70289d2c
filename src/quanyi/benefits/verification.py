"""Eligibility verification (领取待遇资格认证): each beneficiary of a monthly benefit is
verified once a year; those past due are listed, and a suspension case is opened for each —
reviewed like any other, never applied automatically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max

from quanyi.access.policy import authorize, scope
from quanyi.benefits.models import ONE_OFF, Grant, Result, Verification
from quanyi.benefits.queries import held_by, this_month
from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.registry.models import Person
from quanyi.workflow import services as cases

PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class PastDue:
    person: Person
    since: date  # the last passed verification, or the first month of the benefit
    case_id: int | None = None
    refused: str = ""


def past_due(principal: Principal, today: date) -> list[PastDue]:
    """Beneficiaries in payment whose last passed verification (or, never verified, the
    start of their benefit) is more than a year old."""
    authorize(principal, "benefits.pay")
    now = this_month()
    starts: dict[int, date] = {}
    for person_id, start in (
        scope(Grant.objects.exclude(kind__in=ONE_OFF), principal)
        .values("person_id")
        .annotate(latest=Max("start_month"))
        .values_list("person_id", "latest")
    ):
        starts[person_id] = date(int(start[:4]), int(start[5:]), 1)
    # The region's, not ``person_id__in`` a list: a region's pensioners outnumber the
    # variables one SQLite statement may bind.
    verified = dict(
        scope(Verification.objects.filter(result=Result.PASSED), principal)
        .values("person_id")
        .annotate(last=Max("verified_on"))
        .values_list("person_id", "last")
    )
    due: dict[int, date] = {}
    for person_id in sorted(starts):
        since = max(starts[person_id], verified.get(person_id, starts[person_id]))
        if today - since <= PERIOD:
            continue
        if not any(not h.one_off and h.state.status(now) == "active" for h in held_by(person_id)):
            continue
        due[person_id] = since
    ids = list(due)
    persons: dict[int, Person] = {}
    for first in range(0, len(ids), 1000):
        persons.update(Person.objects.in_bulk(ids[first : first + 1000]))
    return [PastDue(persons[person_id], since) for person_id, since in due.items()]


def open_suspensions(principal: Principal, today: date) -> list[PastDue]:
    """A ``benefit.suspend`` case (reason: not verified) for each beneficiary past due,
    once per overdue period: a second run gives the cases the first one opened."""
    opened = []
    month = str(this_month().add(1))
    for due in past_due(principal, today):
        try:
            case = cases.submit(
                principal,
                "benefit.suspend",
                {
                    "id_number": due.person.id_number,
                    "from_month": month,
                    "reason": "unverified",
                    "note": f"上次认证 {due.since.isoformat()}，逾期未认证",
                },
                intake_key=f"unverified:{due.person.pk}:{due.since.isoformat()}",
            )
        except InvalidInput as refused:
            opened.append(PastDue(due.person, due.since, None, refused.errors[0].en))
            continue
        opened.append(PastDue(due.person, due.since, case.pk))
    return opened


def masked(due: PastDue) -> str:
    return mask(due.person.id_number)
