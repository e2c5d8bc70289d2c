"""Posting a month (月报): one bill per employer from its relations active in the month, with a
line per person and insurance. Employers are taken in units of work — one transaction each,
written by ``services.bill_unit`` with one audit event for the bills and one for their lines
(the Merkle root of their digests). Posting is resumable (employers already billed are
skipped) and refused once the month is complete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from quanyi.access.policy import authorize
from quanyi.contributions import queries, services
from quanyi.core.errors import Conflict
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import EMPLOYEE_INSURANCES
from quanyi.rulebook.calc import Rates
from quanyi.rulebook.queries import Rulebook


@dataclass
class PostOutcome:
    month: str
    bills: int = 0
    lines: int = 0
    skipped: int = 0  # employers billed by an earlier, interrupted run
    at_lower_bound: int = 0  # lines with no declaration: the lower bound was used


def post_month(
    principal: Principal,
    month_text: str,
    region: str,
    progress: Callable[[int, int], None] | None = None,
    stop_after: int | None = None,
) -> PostOutcome:
    """Post every employer's bill for the month. Employers are taken in units of about
    ``QUANYI_POST_UNIT_LINES`` lines; each unit commits on its own, so an interrupted run
    leaves whole bills and the next run continues with the employers not yet billed."""
    authorize(principal, "contributions.post")
    month = YearMonth.parse(month_text, "month")
    if queries.is_posted(month, region):
        raise Conflict(f"{month} 已记账，不能重复记账", f"{month} is posted already")
    outcome = PostOutcome(str(month))
    rates = Rates.of(Rulebook.load(), region, month, EMPLOYEE_INSURANCES)
    sizes = queries.relation_counts(month, region)
    employer_ids = sorted(sizes)
    billed = queries.billed_employers(month)
    outcome.skipped = len(billed & set(employer_ids))
    units = _units([e for e in employer_ids if e not in billed], sizes)
    done = outcome.skipped
    for unit in units:
        with transaction.atomic():
            bills, lines, at_lower = services.bill_unit(principal, unit, month, rates)
        outcome.bills += bills
        outcome.lines += lines
        outcome.at_lower_bound += at_lower
        done += len(unit)
        if progress:
            progress(done, len(employer_ids))
        if stop_after is not None and outcome.bills >= stop_after:
            return outcome
    with transaction.atomic():
        services.record_posted(principal, str(month), region, employer_ids)
    return outcome


def _units(employer_ids: list[int], sizes: dict[int, int]) -> list[list[int]]:
    units: list[list[int]] = []
    current: list[int] = []
    lines = 0
    for employer_id in employer_ids:
        if current and lines + sizes[employer_id] > settings.QUANYI_POST_UNIT_LINES:
            units.append(current)
            current, lines = [], 0
        current.append(employer_id)
        lines += sizes[employer_id]
    if current:
        units.append(current)
    return units
