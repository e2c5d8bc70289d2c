"""``quanyi accounts rebuild``: recompute every projection from the ledgers and report what
differed (nothing, when all is well). The ledgers are the truth (DESIGN invariant 2)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.contributions.models import BillStatus, Line
from quanyi.core.principal import Principal
from quanyi.core.regions import covers
from quanyi.personal_accounts.models import Entry, InterestYear, PaidMonths, YearBalance
from quanyi.personal_accounts.services import INTEREST_KINDS
from quanyi.registry.models import Person

Balance = tuple[int, int, int, int]  # opening, credited, interest, closing


@dataclass
class RebuildReport:
    balances: int = 0
    months: int = 0
    differences: list[str] = field(default_factory=list)


def expected_balances() -> dict[tuple[int, int], Balance]:
    sums: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for person_id, year, kind, amount in Entry.objects.values_list(
        "person_id", "year", "kind", "amount_fen"
    ).iterator(chunk_size=20000):
        sums[person_id][year][1 if kind in INTEREST_KINDS else 0] += amount
    closed = list(InterestYear.objects.values_list("year", "region"))
    region_of = dict(Person.objects.filter(pk__in=list(sums)).values_list("pk", "agency_region"))
    result: dict[tuple[int, int], Balance] = {}
    for person_id, years in sums.items():
        first = min(years)
        region = region_of[person_id]
        shut = {y for y, r in closed if covers(r, region) and y >= first}
        closing = 0
        for year in sorted(set(years) | shut):
            credited, interest = years.get(year, [0, 0])
            opening = closing
            closing = opening + credited + interest
            result[(person_id, year)] = (opening, credited, interest, closing)
    return result


def expected_months() -> dict[tuple[int, str], int]:
    paid = (
        Line.objects.filter(bill__status=BillStatus.PAID)
        .values_list("person_id", "insurance", "month")
        .distinct()
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for person_id, insurance, _ in paid.iterator(chunk_size=20000):
        counts[(person_id, insurance)] += 1
    return dict(counts)


@dataclass
class Comparison:
    balances: dict[tuple[int, int], Balance]
    months: dict[tuple[int, str], int]
    differences: list[str]


def compare() -> Comparison:
    """What the ledgers say the projections should hold, and every place they do not."""
    balances = expected_balances()
    stored = {
        (p, y): (o, c, i, cl)
        for p, y, o, c, i, cl in YearBalance.objects.values_list(
            "person_id", "year", "opening_fen", "credited_fen", "interest_fen", "closing_fen"
        )
    }
    differences = [
        f"account of person {key[0]} in {key[1]}: {stored.get(key)}, ledger {balances.get(key)}"
        for key in sorted(set(balances) | set(stored))
        if balances.get(key) != stored.get(key)
    ]
    months = expected_months()
    counted = {
        (p, i): m for p, i, m in PaidMonths.objects.values_list("person_id", "insurance", "months")
    }
    differences += [
        f"contribution months of person {pair[0]} ({pair[1]}): {counted.get(pair, 0)},"
        f" paid lines {months.get(pair, 0)}"
        for pair in sorted(set(months) | set(counted))
        if months.get(pair, 0) != counted.get(pair, 0)
    ]
    return Comparison(balances, months, differences)


def rebuild(principal: Principal) -> RebuildReport:
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "accounts.close")
    found = compare()
    balances, months = found.balances, found.months
    report = RebuildReport(differences=found.differences)
    YearBalance.objects.all().delete()
    YearBalance.objects.bulk_create(
        [
            YearBalance(
                person_id=p, year=y, opening_fen=o, credited_fen=c, interest_fen=i, closing_fen=cl
            )
            for (p, y), (o, c, i, cl) in balances.items()
        ],
        batch_size=10000,
    )
    PaidMonths.objects.all().delete()
    PaidMonths.objects.bulk_create(
        [PaidMonths(person_id=p, insurance=i, months=m) for (p, i), m in months.items()],
        batch_size=10000,
    )
    report.balances, report.months = len(balances), len(months)
    audit.record(
        principal,
        "account.rebuild",
        "projection",
        "",
        rows=len(balances) + len(months),
        result="ok" if not report.differences else "differed",
    )
    return report
