"""Posting a month (月报): one bill per employer from its relations active in the month, with a
line per person and insurance. Each employer's bill is a unit of work — one transaction, one
audit event for the bill and one for its lines (the Merkle root of their digests). Posting is
resumable (employers already billed are skipped) and refused once the month is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from django.db import transaction
from django.db.models import Q

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
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
        """(employer, employee, personal-account) fen for one line, each rounded half-up once."""
        employer_rate = (
            self.injury[injury_class] if insurance == "injury" else self.employer[insurance]
        )
        share = self.account if insurance == "pension" else Fraction(0)
        return (
            _times(base_fen, employer_rate),
            _times(base_fen, self.employee[insurance]),
            _times(base_fen, share),
        )


def _times(base_fen: int, rate: Fraction) -> int:
    return round_ratio(base_fen * rate.numerator, rate.denominator)


@dataclass
class PostOutcome:
    month: str
    bills: int = 0
    lines: int = 0
    skipped: int = 0  # employers billed by an earlier, interrupted run
    at_lower_bound: int = 0  # lines with no declaration: the lower bound was used


def employers_to_bill(month: YearMonth, region: str) -> Iterator[int]:
    active = (
        InsuranceRelation.objects.filter(
            employer__isnull=False,
            insurance__in=EMPLOYEE_INSURANCES,
            start_month__lte=str(month),
            employer__agency_region__startswith=regions.prefix(region),
        )
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=str(month)))
        .values_list("employer_id", flat=True)
        .distinct()
        .order_by("employer_id")
    )
    yield from active.iterator(chunk_size=5000)


def post_month(
    principal: Principal,
    month_text: str,
    region: str,
    progress: Callable[[int, int], None] | None = None,
    stop_after: int | None = None,
) -> PostOutcome:
    """Post every employer's bill for the month; each unit commits on its own."""
    authorize(principal, "contributions.post")
    month = YearMonth.parse(month_text, "month")
    if PostedMonth.objects.filter(month=str(month), region=region).exists():
        raise Conflict(f"{month} 已记账，不能重复记账", f"{month} is posted already")
    outcome = PostOutcome(str(month))
    book = Rulebook.load()
    rates = Rates.of(book, region, month)
    employer_ids = list(employers_to_bill(month, region))
    billed = set(
        Bill.objects.filter(month=str(month), kind="monthly").values_list("employer_id", flat=True)
    )
    for done, employer_id in enumerate(employer_ids, start=1):
        if employer_id in billed:
            outcome.skipped += 1
        else:
            with transaction.atomic():
                lines, at_lower = _bill_employer(principal, employer_id, month, rates)
            outcome.bills += 1
            outcome.lines += lines
            outcome.at_lower_bound += at_lower
            if stop_after is not None and outcome.bills >= stop_after:
                return outcome
        if progress:
            progress(done, len(employer_ids))
    with transaction.atomic():
        totals = Bill.objects.filter(month=str(month), kind="monthly", employer_id__in=employer_ids)
        audit.create_entry(
            principal,
            "contribution.posted",
            PostedMonth,
            month=str(month),
            region=region,
            bills=totals.count(),
            lines=sum(totals.values_list("lines", flat=True)),
        )
    return outcome


def _bill_employer(
    principal: Principal, employer_id: int, month: YearMonth, rates: Rates
) -> tuple[int, int]:
    employer = Employer.objects.get(pk=employer_id)
    if Bill.objects.filter(employer=employer, month=str(month), kind="monthly").exists():
        return 0, 0  # another run got here first
    relations = list(
        InsuranceRelation.objects.filter(
            employer=employer, insurance__in=EMPLOYEE_INSURANCES, start_month__lte=str(month)
        )
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=str(month)))
        .order_by("person_id", "insurance")
        .values_list("person_id", "insurance")
    )
    bases = _bases(employer_id, [p for p, _ in relations], month)
    rows = []
    at_lower = 0
    for person_id, insurance in relations:
        base = bases.get(person_id)
        if base is None:
            if rates.lower_fen is None:
                raise Conflict(
                    f"{month} 无缴费基数下限参数，且有人员未申报基数",
                    f"no lower bound for {month} and a person without a declared base",
                )
            base, at_lower = rates.lower_fen, at_lower + 1
        employer_fen, employee_fen, account_fen = rates.amounts(
            insurance, base, employer.injury_class
        )
        rows.append((person_id, insurance, base, employer_fen, employee_fen, account_fen))
    due = sum(r[3] + r[4] for r in rows)
    bill = Bill.objects.create(employer=employer, month=str(month), due_fen=due, lines=len(rows))
    audit.record_row(principal, "contribution.bill", bill)
    seq = audit.reserve_seq()
    Line.objects.bulk_create(
        [
            Line(
                bill=bill,
                person_id=p,
                insurance=i,
                month=str(month),
                base_fen=b,
                employer_fen=er,
                employee_fen=ee,
                account_fen=ac,
                audit_seq=seq,
            )
            for p, i, b, er, ee, ac in rows
        ],
        batch_size=5000,
    )
    audit.record_batch(principal, "contribution.lines", Line, seq)
    return len(rows), at_lower


def _bases(employer_id: int, person_ids: list[int], month: YearMonth) -> dict[int, int]:
    """Each person's latest declared base with this employer that has started by the month."""
    found: dict[int, tuple[str, int]] = {}
    for person_id, valid_from, base in Declaration.objects.filter(
        employer_id=employer_id, person_id__in=set(person_ids), valid_from__lte=str(month)
    ).values_list("person_id", "valid_from", "base_fen"):
        if person_id not in found or valid_from > found[person_id][0]:
            found[person_id] = (valid_from, base)
    return {person_id: base for person_id, (_, base) in found.items()}
