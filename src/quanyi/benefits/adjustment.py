"""The yearly pension adjustment (调待) for a whole region, as one reviewed ``benefit.adjust``
case: a percentage of each pension, a fixed amount, an amount per contribution year and tilts
by age — all data in the case. Applied set-based: one change row per pension, written in
chunks by the bulk writer with one audit event per chunk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from quanyi.access.policy import authorize
from quanyi.audit import bulk
from quanyi.audit import services as audit
from quanyi.benefits.models import Action, Grant, GrantChange, Kind, Reason
from quanyi.benefits.queries import state_of, steps_by_grant
from quanyi.core import regions
from quanyi.core.bulkwork import chunks
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.rulebook.adjustment import AdjustmentRule, raise_for

CHUNK = 5000


@dataclass(frozen=True)
class Raise:
    grant_id: int
    person_id: int
    before_fen: int
    raise_fen: int


def raises(region: str, month: YearMonth, rule: AdjustmentRule) -> Iterator[Raise]:
    """Each pension of the region not ended by ``month`` and started before it, with its
    increase."""
    ids = list(
        Grant.objects.filter(
            regions.within("person__agency_region", region),
            kind=Kind.PENSION,
            start_month__lt=str(month),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in chunks(ids, CHUNK):
        grants = list(Grant.objects.filter(pk__in=chunk).select_related("person").order_by("pk"))
        steps = steps_by_grant(chunk)
        for grant in grants:
            state = state_of(grant, steps.get(grant.pk, []))
            if state.status(month) == "ended":
                continue
            explained = json.loads(grant.explained or "{}")
            months = int(explained.get("contribution_months", 0))
            born = grant.person.birth_date
            age = _age(born, month.first_day())
            before = state.amount(month.add(-1))
            found = raise_for(rule, before, months, age)
            if found:
                yield Raise(grant.pk, grant.person_id, before, found)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def apply(
    principal: Principal, area: object, region: str, month: YearMonth, rule: AdjustmentRule
) -> tuple[int, int]:
    """Write the adjustment; returns (pensions raised, total monthly increase in fen).
    ``area`` carries the region for the permission's region check."""
    authorize(principal, "benefits.write", area)
    count = total = 0
    batch: list[tuple[object, ...]] = []

    def flush() -> None:
        if batch:
            seq = audit.reserve_seq()
            _, digests = bulk.write_rows(GrantChange, batch, seq)
            audit.record_batch_leaves(principal, "benefit.adjust", GrantChange, seq, digests)
            batch.clear()

    for found in raises(region, month, rule):
        batch.append(
            (found.grant_id, Action.ADJUST.value, str(month), found.raise_fen,
             Reason.ADJUSTMENT.value, principal.case_id)
        )  # fmt: skip
        count += 1
        total += found.raise_fen
        if len(batch) >= CHUNK:
            flush()
    flush()
    return count, total
