"""Reading benefits: a person's grants with their state now, for the record and the cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from quanyi.benefits.models import ONE_OFF, Grant, GrantChange, Payment, PaymentKind
from quanyi.benefits.state import GrantState, Step
from quanyi.core import regions
from quanyi.core.bulkwork import among, chunks
from quanyi.core.yearmonth import YearMonth


@dataclass(frozen=True)
class Held:
    """A grant with its state."""

    grant: Grant
    state: GrantState

    @property
    def one_off(self) -> bool:
        return self.grant.kind in ONE_OFF


def this_month() -> YearMonth:
    return YearMonth.of(timezone.localdate())


def steps_by_grant(grant_ids: Iterable[int]) -> dict[int, list[Step]]:
    """The changes of these grants (a chunk's worth at most), each grant's in month order."""
    found: dict[int, list[Step]] = defaultdict(list)
    wanted = list(grant_ids)
    if not wanted:
        return found
    where, params = among("grant_id", wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT grant_id, kind, month, amount_fen, reason FROM {GrantChange._meta.db_table}"
            f" WHERE {where} ORDER BY month, id",
            params,
        )
        for grant_id, action, month, amount, reason in cursor.fetchall():
            found[grant_id].append(Step(action, YearMonth.parse(month), amount, reason))
    return found


def state_of(grant: Grant, steps: Iterable[Step]) -> GrantState:
    return GrantState.of(
        grant.start_month, grant.end_month, grant.monthly_fen, grant.account_fen, steps
    )


def held_by(person_id: int) -> list[Held]:
    grants = list(Grant.objects.filter(person_id=person_id).order_by("start_month", "pk"))
    steps = steps_by_grant(g.pk for g in grants)
    return [Held(g, state_of(g, steps.get(g.pk, []))) for g in grants]


def monthly_held(person_id: int, month: YearMonth | None = None) -> list[Held]:
    """The person's monthly grants not ended by ``month`` (default this month)."""
    when = month or this_month()
    return [h for h in held_by(person_id) if not h.one_off and h.state.status(when) != "ended"]


def record_parts(person_ids: Sequence[int], items: frozenset[str]) -> dict[int, dict[str, Any]]:
    """``record_part`` for many persons: one query finds the few who hold a grant."""
    if "benefits" not in items:
        return {pk: {} for pk in person_ids}
    holders: set[int] = set()
    for chunk in chunks(sorted(set(person_ids))):
        holders.update(
            Grant.objects.filter(person_id__in=chunk).values_list("person_id", flat=True)
        )
    return {pk: record_part(pk, items) if pk in holders else {"benefits": []} for pk in person_ids}


def record_part(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    """``benefits``: each grant with its amount and status now (DESIGN.md ``record show``)."""
    if "benefits" not in items:
        return {}
    now = this_month()
    paid_once = set(
        Payment.objects.filter(person_id=person_id, kind="once").values_list("grant_id", flat=True)
    )
    rows = []
    for held in held_by(person_id):
        grant, state = held.grant, held.state
        if held.one_off:
            status = "paid" if grant.pk in paid_once else "pending"
            monthly = grant.monthly_fen
        else:
            status = state.status(now)
            monthly = state.amount(now)
        rows.append(
            {
                "id": grant.pk,
                "kind": grant.kind,
                "insurance": grant.insurance,
                "start_month": grant.start_month,
                "end_month": str(state.end) if state.end and not held.one_off else grant.end_month,
                "monthly_fen": monthly,
                "basic_fen": grant.basic_fen,
                "account_fen": grant.account_fen,
                "transitional_fen": grant.transitional_fen,
                "status": status,
                "case_id": grant.case_id,
            }
        )
    return {"benefits": rows}


def monthly_payments_of_region(region: str) -> QuerySet[Payment]:
    """Every monthly payment to persons whose agency region ``region`` covers: for set-based
    readers above benefits (the enrollment match looks for a benefit paid twice, 002 art.
    29)."""
    return Payment.objects.filter(
        regions.within("person__agency_region", region), kind=PaymentKind.MONTHLY
    )


def pension_grants_of_region(region: str) -> QuerySet[Grant]:
    """Every pension grant of those persons."""
    return Grant.objects.filter(regions.within("person__agency_region", region), kind="pension")
