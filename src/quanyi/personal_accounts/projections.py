"""What the ledgers give for the account's projections, and every row where the stored
projection differs (001 art. 6 ¶4; DESIGN.md invariants 2 and 5).

One computation serves ``accounts rebuild`` (which writes what the ledgers give),
``check consistency`` (the operator's) and ``audit verify`` (registered in ``apps.py``). Each is
one pass: the ledgers are summed in the database (GROUP BY person and year, or person and
insurance) and streamed in person order beside the stored rows, so memory holds one person at a
time whatever the region's size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db.models import BigIntegerField, Case, Count, F, Sum, Value, When

from quanyi.audit import checks
from quanyi.contributions.models import BillStatus, Line
from quanyi.core.projection import Difference, capped, differs, walk
from quanyi.core.regions import covers
from quanyi.personal_accounts import services
from quanyi.personal_accounts.models import Entry, InterestYear, PaidMonths, YearBalance
from quanyi.personal_accounts.services import INTEREST_KINDS
from quanyi.registry.models import Person

Balance = tuple[int, int, int, int]  # opening, credited, interest, closing
BALANCE_FIELDS = ("opening_fen", "credited_fen", "interest_fen", "closing_fen")
STREAM_CHUNK = 10000
BALANCES = YearBalance._meta.db_table
MONTHS = PaidMonths._meta.db_table


def _closed_years() -> Callable[[str], list[int]]:
    """The closed years of a person's region (closed by it or by a region covering it)."""
    closed = list(InterestYear.objects.values_list("year", "region"))
    known: dict[str, list[int]] = {}

    def of(region: str) -> list[int]:
        if region not in known:
            known[region] = sorted({y for y, r in closed if covers(r, region)})
        return known[region]

    return of


def _year_balances(sums: dict[int, tuple[int, int]], shut: list[int]) -> dict[int, Balance]:
    """An account's years from its first entry: each year with entries, and each closed year
    since (its interest may be nil, its row still stands), the closing carried forward."""
    first = min(sums)
    result: dict[int, Balance] = {}
    closing = 0
    for year in sorted(set(sums).union(y for y in shut if y >= first)):
        credited, interest = sums.get(year, (0, 0))
        opening = closing
        closing = opening + credited + interest
        result[year] = (opening, credited, interest, closing)
    return result


def expected_balances() -> Iterator[tuple[int, dict[int, Balance]]]:
    """(person id, {year: balance}) for every account with entries, by person id."""
    interest = list(INTEREST_KINDS)

    def share(of_interest: bool) -> Sum:
        wanted, other = (F("amount_fen"), Value(0)) if of_interest else (Value(0), F("amount_fen"))
        return Sum(
            Case(
                When(kind__in=interest, then=wanted),
                default=other,
                output_field=BigIntegerField(),
            )
        )

    sums = (
        Entry.objects.values("person_id", "year")
        .annotate(credited=share(False), interest=share(True))
        .order_by("person_id", "year")
        .values_list("person_id", "year", "credited", "interest")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    regions = (
        Person.objects.order_by("pk")
        .values_list("pk", "agency_region")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    shut_for = _closed_years()
    for person_id, (years, person) in walk(sums, regions):
        if years:
            region = person[0][1] if person else ""
            yield person_id, _year_balances({y: (c, i) for _, y, c, i in years}, shut_for(region))


def expected_months() -> Iterator[tuple[int, dict[str, int]]]:
    """(person id, {insurance: months}) from the distinct months of the paid bills' lines."""
    counted = (
        Line.objects.filter(bill__status=BillStatus.PAID)
        .values("person_id", "insurance")
        .annotate(months=Count("month", distinct=True))
        .order_by("person_id")
        .values_list("person_id", "insurance", "months")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    less = services.reversed_months()  # months every paid line of which a correction reversed
    for person_id, group in walk(counted):
        counts = {
            insurance: months - less.get((person_id, insurance), 0)
            for _, insurance, months in group[0]
        }
        yield person_id, {insurance: months for insurance, months in counts.items() if months}


def balance_differences() -> Iterator[Difference]:
    stored = (
        YearBalance.objects.order_by("person_id", "year")
        .values_list("person_id", "year", *BALANCE_FIELDS)
        .iterator(chunk_size=STREAM_CHUNK)
    )
    for person_id, (given, held) in walk(expected_balances(), stored):
        expected = given[0][1] if given else {}
        rows = {row[1]: tuple(row[2:]) for row in held}
        for year in sorted(set(expected) | set(rows)):
            found = differs(
                BALANCES,
                f"account of person {person_id} in {year}",
                f"人员 {person_id} 的 {year} 年度个人账户",
                _named(BALANCE_FIELDS, rows.get(year)),
                _named(BALANCE_FIELDS, expected.get(year)),
            )
            if found:
                yield found


def month_differences() -> Iterator[Difference]:
    stored = (
        PaidMonths.objects.order_by("person_id")
        .values_list("person_id", "insurance", "months")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    for person_id, (given, held) in walk(expected_months(), stored):
        expected = given[0][1] if given else {}
        counts = {insurance: months for _, insurance, months in held}
        for insurance in sorted(set(expected) | set(counts)):
            found = differs(
                MONTHS,
                f"contribution months of person {person_id} ({insurance})",
                f"人员 {person_id} 的缴费月数（{insurance}）",
                _named(("months",), (counts[insurance],) if insurance in counts else None),
                _named(("months",), (expected[insurance],) if insurance in expected else None),
            )
            if found:
                yield found


def differences() -> Iterator[Difference]:
    """Every year balance and contribution count that its ledgers do not reproduce."""
    yield from balance_differences()
    yield from month_differences()


def verify_check() -> Iterator[checks.Finding]:
    """``audit verify``'s check of the account projections (registered in ``apps.py``)."""
    for en, zh in capped(differences()):
        yield checks.Finding(en, zh)


def _named(names: tuple[str, ...], values: tuple[int, ...] | None) -> dict[str, object] | None:
    return None if values is None else dict(zip(names, values, strict=True))
