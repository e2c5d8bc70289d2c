"""Posting a month (月报): one bill per employer from its relations active in the month, with a
line per person and insurance. Each employer's bill is a unit of work — one transaction, one
audit event for the bill and one for its lines (the Merkle root of their digests). Posting is
resumable (employers already billed are skipped) and refused once the month is complete.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from quanyi.access.policy import authorize
from quanyi.audit import bulk as audit_bulk
from quanyi.audit import services as audit
from quanyi.contributions import bulk
from quanyi.contributions.history import bill_values
from quanyi.contributions.models import Bill, Declaration, Line, PostedMonth
from quanyi.core import regions
from quanyi.core.errors import Conflict
from quanyi.core.money import round_ratio
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import EMPLOYEE_INSURANCES, Employer, InsuranceRelation
from quanyi.rulebook.queries import Rulebook


@dataclass(frozen=True)
class Rates:
    """One region's rates for one month, as exact fractions (integer arithmetic per line)."""

    employer: dict[str, Fraction]
    employee: dict[str, Fraction]
    injury: dict[int, Fraction]
    account: Fraction
    lower_fen: int | None  # None where the rulebook has no bounds for the month
    _cache: dict[tuple[str, int, int], tuple[int, int, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, book: Rulebook, region: str, month: YearMonth) -> Rates:
        on = month.first_day()

        def rate(key: str) -> Fraction:
            return Fraction(book.fraction(key, region, on))

        kinds = sorted(EMPLOYEE_INSURANCES - {"injury"})
        return cls(
            employer={k: rate(f"rate.employer.{k}") for k in kinds},
            employee={k: rate(f"rate.employee.{k}") for k in [*kinds, "injury"]},
            injury={c: rate(f"rate.injury.class{c}") for c in range(1, 9)},
            account=rate("account.share"),
            lower_fen=book.fen("base.lower", region, on)
            if book.find("base.lower", region, on)
            else None,
        )

    def amounts(self, insurance: str, base_fen: int, injury_class: int) -> tuple[int, int, int]:
        """(employer, employee, personal-account) fen for one line, each rounded half-up once.
        Bases repeat (bounds, common wages), so results are kept per month's rates."""
        key = (insurance, base_fen, injury_class)
        found = self._cache.get(key)
        if found is None:
            employer_rate = (
                self.injury[injury_class] if insurance == "injury" else self.employer[insurance]
            )
            share = self.account if insurance == "pension" else Fraction(0)
            found = (
                _times(base_fen, employer_rate),
                _times(base_fen, self.employee[insurance]),
                _times(base_fen, share),
            )
            self._cache[key] = found
        return found


def _times(base_fen: int, rate: Fraction) -> int:
    return round_ratio(base_fen * rate.numerator, rate.denominator)


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
    if PostedMonth.objects.filter(month=str(month), region=region).exists():
        raise Conflict(f"{month} 已记账，不能重复记账", f"{month} is posted already")
    outcome = PostOutcome(str(month))
    rates = Rates.of(Rulebook.load(), region, month)
    sizes = _relation_counts(month, region)
    employer_ids = sorted(sizes)
    billed = set(
        Bill.objects.filter(month=str(month), kind="monthly").values_list("employer_id", flat=True)
    )
    outcome.skipped = len(billed & set(employer_ids))
    units = _units([e for e in employer_ids if e not in billed], sizes)
    done = outcome.skipped
    for unit in units:
        with transaction.atomic():
            bills, lines, at_lower = _bill_unit(principal, unit, month, rates)
        outcome.bills += bills
        outcome.lines += lines
        outcome.at_lower_bound += at_lower
        done += len(unit)
        if progress:
            progress(done, len(employer_ids))
        if stop_after is not None and outcome.bills >= stop_after:
            return outcome
    with transaction.atomic():
        record_posted(principal, str(month), region, employer_ids)
    return outcome


def record_posted(
    principal: Principal, month: str, region: str, employer_ids: list[int] | None = None
) -> None:
    """Mark the month posted for the region (posting it again is refused from now on), with
    the count of its monthly bills and their lines."""
    totals = Bill.objects.filter(month=month, kind="monthly")
    if employer_ids is not None:
        totals = totals.filter(employer_id__in=employer_ids)
    audit.create_entry(
        principal,
        "contribution.posted",
        PostedMonth,
        month=month,
        region=region,
        bills=totals.count(),
        lines=sum(totals.values_list("lines", flat=True)),
    )


def _active(month: YearMonth) -> Q:
    return Q(
        employer__isnull=False,
        insurance__in=EMPLOYEE_INSURANCES,
        start_month__lte=str(month),
    ) & (Q(end_month__isnull=True) | Q(end_month__gte=str(month)))


def _relation_counts(month: YearMonth, region: str) -> dict[int, int]:
    rows = (
        InsuranceRelation.objects.filter(_active(month))
        .filter(employer__agency_region__startswith=regions.prefix(region))
        .values("employer_id")
        .annotate(n=Count("id"))
        .values_list("employer_id", "n")
    )
    return dict(rows)


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


def _bill_unit(
    principal: Principal, employer_ids: list[int], month: YearMonth, rates: Rates
) -> tuple[int, int, int]:
    """One unit of work: the bills of these employers and all their lines."""
    taken = set(
        Bill.objects.filter(
            month=str(month), kind="monthly", employer_id__in=employer_ids
        ).values_list("employer_id", flat=True)
    )
    employer_ids = [e for e in employer_ids if e not in taken]  # another run got there first
    if not employer_ids:
        return 0, 0, 0
    injury = dict(Employer.objects.filter(pk__in=employer_ids).values_list("pk", "injury_class"))
    relations = (
        InsuranceRelation.objects.filter(_active(month), employer_id__in=employer_ids)
        .order_by("employer_id", "person_id", "insurance")
        .values_list("employer_id", "person_id", "insurance")
    )
    bases = _bases(employer_ids, month)
    # Bill ids are taken first, so each line is built once, in its final form.
    first_bill = audit_bulk.next_ids("contributions_bill", len(employer_ids))
    bill_of: dict[int, int] = {}  # in order of first line: the bills' ids run on from first_bill
    due: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    month_text = str(month)
    rows: list[bulk.LineRow] = []
    append = rows.append
    at_lower = 0
    for employer_id, person_id, insurance in _fetch(relations):
        base = bases.get((employer_id, person_id))
        if base is None:
            if rates.lower_fen is None:
                raise Conflict(
                    f"{month} 无缴费基数下限参数，且有人员未申报基数",
                    f"no lower bound for {month} and a person without a declared base",
                )
            base, at_lower = rates.lower_fen, at_lower + 1
        employer_fen, employee_fen, account_fen = rates.amounts(
            insurance, base, injury[employer_id]
        )
        bill_id = bill_of.get(employer_id)
        if bill_id is None:
            bill_id = bill_of[employer_id] = first_bill + len(bill_of)
        append(
            (
                bill_id,
                person_id,
                insurance,
                month_text,
                base,
                employer_fen,
                employee_fen,
                account_fen,
                "due",
            )
        )
        due[employer_id] += employer_fen + employee_fen
        count[employer_id] += 1
    bill_seq = audit.reserve_seq()
    bills = [
        bill_values(employer_id, month_text, "monthly", due[employer_id], count[employer_id], False)
        for employer_id in bill_of
    ]
    _, bill_leaves = audit_bulk.write_rows(Bill, bills, bill_seq, first=first_bill)
    audit.record_batch_leaves(principal, "contribution.bills", Bill, bill_seq, bill_leaves)
    line_seq = audit.reserve_seq()
    _, leaves = bulk.write_lines(rows, line_seq, persons_from_relations=True)
    audit.record_batch_leaves(principal, "contribution.lines", Line, line_seq, leaves)
    return len(bills), len(rows), at_lower


def _fetch(rows: QuerySet[Any, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """A values_list query's rows straight from the cursor: the ORM's per-row conversion is
    most of the cost when a unit reads tens of thousands of plain integers and codes."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _bases(employer_ids: list[int], month: YearMonth) -> dict[tuple[int, int], int]:
    """Each person's latest declared base with each employer that has started by the month."""
    found: dict[tuple[int, int], tuple[str, int]] = {}
    for employer_id, person_id, valid_from, base in Declaration.objects.filter(
        employer_id__in=employer_ids, valid_from__lte=str(month)
    ).values_list("employer_id", "person_id", "valid_from", "base_fen"):
        key = (employer_id, person_id)
        if key not in found or valid_from > found[key][0]:
            found[key] = (valid_from, base)
    return {key: base for key, (_, base) in found.items()}
