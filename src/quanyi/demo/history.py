"""Contribution history for the demo: every month of the demo's years up to the month before
last, billed from the relations as ``contributions post`` would, paid the next month (a few
employers leave the latest months unpaid, so arrears show), credited to the personal
accounts, and each year that is over closed with its interest. Last month is left unposted so
that a tour can post it.

The rows go in by the bulk paths of the real services — units of employers, one transaction
and one audit event per table each — so ``audit verify``, ``check consistency`` and
``accounts rebuild`` hold for the demo as for real data.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.db import transaction

from quanyi.contributions import services as contributions
from quanyi.core.errors import QuanyiError
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth, month_range
from quanyi.personal_accounts import flows as account_flows
from quanyi.personal_accounts import services as accounts
from quanyi.registry.models import EMPLOYEE_INSURANCES, Employer, InsuranceRelation
from quanyi.rulebook import calc
from quanyi.rulebook.calc import Rates
from quanyi.rulebook.queries import Rulebook

UNIT_RELATIONS = 20_000  # relations per unit of work (each spans every month of the history)
PROGRESS_STEPS = 20  # a small demo still moves its progress bar: at least this many units


class Progress(Protocol):
    """What a long build reports: each phase with its total, then each unit of work done."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, done: int) -> None: ...


UNPAID_SHARE = 0.1  # of employers, for each of the latest three months
WAGE_GROWTH = 1.06  # a year


@dataclass
class History:
    months: int = 0
    bills: int = 0
    lines: int = 0
    unpaid_bills: int = 0
    years_closed: int = 0
    declarations: int = 0
    to_post: str = ""  # the month after the history: the tour posts it


@dataclass(frozen=True)
class _Span:
    person_id: int
    insurance: str
    first: int  # month indexes, inclusive
    last: int


def build(
    principal: Principal,
    rng: random.Random,
    first: YearMonth,
    last: YearMonth,
    progress: Progress | None = None,
) -> History:
    history = History(to_post=str(last.add(1)))
    if last.index < first.index:
        return history
    region = principal.region
    book = Rulebook.load()
    rates, bounds = _billable(book, region, first, last)
    if not rates:
        return history
    months = [YearMonth.from_index(index) for index in sorted(rates)]
    first = months[0]
    injury = dict(Employer.objects.values_list("pk", "injury_class"))
    spans: dict[int, list[_Span]] = defaultdict(list)
    for employer_id, person_id, insurance, start, end in InsuranceRelation.objects.filter(
        employer__isnull=False,
        insurance__in=EMPLOYEE_INSURANCES,
        start_month__lte=str(last),
    ).values_list("employer_id", "person_id", "insurance", "start_month", "end_month"):
        span = _Span(
            person_id,
            insurance,
            max(YearMonth.parse(start).index, first.index),
            min(YearMonth.parse(end).index, last.index) if end else last.index,
        )
        if span.first <= span.last:
            spans[employer_id].append(span)
    wage = _Wages(rng, first.year)
    unit: list[int] = []
    size = 0
    limit = min(UNIT_RELATIONS, max(sum(map(len, spans.values())) // PROGRESS_STEPS, 1))
    if progress:
        progress.start("缴费历史 contribution history (employers)", len(spans))
    for employer_id in sorted(spans):
        unit.append(employer_id)
        size += len(spans[employer_id])
        if size >= limit:
            _unit(principal, rng, unit, spans, rates, bounds, injury, wage, last, history)
            if progress:
                progress.advance(len(unit))
            unit, size = [], 0
    if unit:
        _unit(principal, rng, unit, spans, rates, bounds, injury, wage, last, history)
        if progress:
            progress.advance(len(unit))
    with transaction.atomic():
        for month in months:
            contributions.record_posted(principal, str(month), region)
        history.declarations = _declare(principal, spans, wage, last, book)
    history.months = len(months)
    years = range(first.year, min(last.year + 1, date.today().year))
    if progress:
        progress.start("结息 interest (years)", len(years))
    for year in years:
        if year not in accounts.closed_years(region):
            with transaction.atomic():
                accounts.credit_interest(principal, year, region)
            history.years_closed += 1
        if progress:
            progress.advance(1)
    return history


def first_billable(region: str, first: YearMonth, last: YearMonth) -> YearMonth | None:
    """The first month from ``first`` to ``last`` the rulebook holds rates and base bounds
    for: where the demo's history can start, and so where its relations start (a record with
    years of relations and no contributions looks like years lost)."""
    rates, _ = _billable(Rulebook.load(), region, first, last, stop_at_first=True)
    return YearMonth.from_index(min(rates)) if rates else None


def _billable(
    book: Rulebook, region: str, first: YearMonth, last: YearMonth, *, stop_at_first: bool = False
) -> tuple[dict[int, Rates], dict[int, tuple[int, int]]]:
    rates: dict[int, Rates] = {}
    bounds: dict[int, tuple[int, int]] = {}
    for month in month_range(first, last):
        try:
            on = month.first_day()
            bounds[month.index] = (
                book.fen("base.lower", region, on),
                book.fen("base.upper", region, on),
            )
            rates[month.index] = Rates.of(book, region, month, EMPLOYEE_INSURANCES)
        except QuanyiError:  # before the rulebook's first year: no history there
            bounds.pop(month.index, None)
            continue
        if stop_at_first:
            break
    return rates, bounds


def _declare(
    principal: Principal,
    spans: dict[int, list[_Span]],
    wages: _Wages,
    last: YearMonth,
    book: Rulebook,
) -> int:
    """This year's base declarations (from January) for everyone employed at the end of the
    history, so posting last month bills declared bases, not the lower bound."""
    year = last.add(1).year
    valid_from = f"{year}-01"
    try:
        bounds = (
            book.fen("base.lower", principal.region, date(year, 1, 1)),
            book.fen("base.upper", principal.region, date(year, 1, 1)),
        )
    except QuanyiError:
        return 0
    rows = []
    for employer_id in sorted(spans):
        for person_id in sorted({s.person_id for s in spans[employer_id] if s.last == last.index}):
            wage = wages.wage(person_id, year)
            base = calc.bounded_base(wage, *bounds)
            rows.append(
                (person_id, employer_id, valid_from, wage, base.base_fen, base.clamped, None)
            )
    return contributions.write_declarations(principal, rows)


class _Wages:
    """Each person's wage, drawn once and grown yearly: bases that change from year to year."""

    def __init__(self, rng: random.Random, first_year: int) -> None:
        self.rng = rng
        self.first_year = first_year
        self.drawn: dict[int, int] = {}

    def wage(self, person_id: int, year: int) -> int:
        if person_id not in self.drawn:
            self.drawn[person_id] = int(self.rng.lognormvariate(13.8, 0.45))  # ≈ 10,000 yuan
        return int(self.drawn[person_id] * WAGE_GROWTH ** (year - self.first_year))

    def base(self, person_id: int, year: int, bounds: tuple[int, int]) -> int:
        return calc.bounded_base(self.wage(person_id, year), *bounds).base_fen


def _unit(
    principal: Principal,
    rng: random.Random,
    employer_ids: list[int],
    spans: dict[int, list[_Span]],
    rates: dict[int, Rates],
    bounds: dict[int, tuple[int, int]],
    injury: dict[int, int],
    wages: _Wages,
    last: YearMonth,
    history: History,
) -> None:
    """Bills, lines, payments and credits of these employers for every month, in one
    transaction."""
    computed: dict[tuple[int, int], list[tuple[int, str, int, int, int, int]]] = defaultdict(list)
    for employer_id in employer_ids:
        for span in spans[employer_id]:
            for index in range(span.first, span.last + 1):
                month = YearMonth.from_index(index)
                base = wages.base(span.person_id, month.year, bounds[index])
                er, ee, ac = rates[index].amounts(span.insurance, base, injury[employer_id])
                computed[(employer_id, index)].append(
                    (span.person_id, span.insurance, base, er, ee, ac)
                )
    paid_on: dict[tuple[int, int], date | None] = {}
    for key in computed:
        recent = key[1] > last.index - 3
        if recent and rng.random() < UNPAID_SHARE:
            paid_on[key] = None
        else:
            following = YearMonth.from_index(key[1] + 1)
            paid_on[key] = date(following.year, following.month, rng.randint(1, 15))
    keys = sorted(computed, key=lambda k: (k[1], k[0]))
    with transaction.atomic():
        written = contributions.write_history(
            principal,
            [
                contributions.PastBill(
                    employer_id,
                    str(YearMonth.from_index(index)),
                    "monthly",
                    computed[(employer_id, index)],
                    paid_on[(employer_id, index)],
                )
                for employer_id, index in keys
            ],
            "bank",
            lambda bill_id: f"demo:{bill_id}",
            persons_from_relations=True,
        )
        by_year = account_flows.credits_by_year(
            written.rows, written.first_line, written.paid_on, lambda _: principal.region
        )
        for year, credits in sorted(by_year.items()):
            accounts.credit(principal, credits, date(year, 12, 31))
        accounts.count_paid_months(written.paid_months())
    history.bills += len(keys)
    history.lines += len(written.rows)
    history.unpaid_bills += len(keys) - len(written.paid_on)
