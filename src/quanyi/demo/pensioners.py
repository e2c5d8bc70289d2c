"""Demo pensioners: a few retirees born 1955-1964 so the tour and the screens have pensions to
show — granted, paid, verified or past due.

Everything about them goes the way the agency's own work goes, never behind the workflow's
back (001 art. 6; DESIGN.md invariant 1):

- They come from the legacy system, as retirees' records do: one ``import.legacy`` case
  (persons with their deemed months 视同缴费, and their last employment) taken in by the demo's
  operator and approved at each later stage by its own member of the demo staff, as
  ``demo.parameters`` approves the parameter history. The import's apply writes the deemed
  months through the registry's bulk service (``record_deemed_bulk``); it is the one path that
  does so in bulk, and a deemed period needs an approved case — the demo has no other way to
  write one (only the workflow's final approval enters ``access.applying.granted``).
- The demo's contribution history then bills their last months of work like anyone else's.
- Each pension is a ``benefit.grant`` case through its five stages, approved by the demo staff:
  the grant's decision is the real one (``benefits.pension.facts/decide`` at approval), so
  ``record explain --benefit`` shows what a reviewer would. A direct ``add_grant`` would need
  an applying grant the demo cannot hold; the cases cost about 0.1 s each, and there are at
  most ``MAXIMUM`` of them.
- Some are verified at the counter within the last year (``benefits.services.verify``); the
  others are past due, so ``benefits unverified`` has cases to open.
- One payment run (``benefits.payments.pay_month``) for the history's last month pays every
  month since each start: the grants are approved today, so their months before are arrears,
  as for any grant approved late.

Every staff action shares the demo command's request id, which is how ``generate`` tells the
demo's own registrations from real data.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from quanyi.benefits import payments
from quanyi.benefits import services as benefits
from quanyi.contributions import flows as contribution_flows
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.demo import identities
from quanyi.demo.parameters import STAGE_ROLES, staff
from quanyi.registry.models import EMPLOYEE_INSURANCES, Employer, Person
from quanyi.rulebook import retirement
from quanyi.workflow import services as cases
from quanyi.workflow.models import Case

SHARE = 0.01  # of the demo's persons
MINIMUM = 3
MAXIMUM = 200
BORN = (1955, 1964)
OLDEST = 70  # years at the pension's start: the months divisor table's last age
MINIMUM_MONTHS = 180  # paid + deemed: the minimum for a pension through 2029
VERIFIED_SHARE = 0.5
CHANNELS = ("counter", "home", "online", "data")
# README's tour names him: the first pensioner of a new demo, a man born 1962-03 in 110105.
TOUR_PENSIONER = "110105196203120011"
SOURCE = "演示数据：原系统视同缴费认定 / demo: deemed period from the old system"


def how_many(persons: int) -> int:
    """About 1 % of the demo's persons, at least ``MINIMUM`` and at most ``MAXIMUM``; never
    more than a quarter of a very small demo, which stays a demo of working people."""
    return min(max(round(persons * SHARE), MINIMUM), MAXIMUM, persons // 4)


@dataclass(frozen=True)
class Planned:
    id_number: str
    start: YearMonth  # the pension's first month; the person worked until the month before


@dataclass
class Outcome:
    pensioners: int = 0
    verified: int = 0
    payments: int = 0
    amount_fen: int = 0


def _team(principal: Principal) -> dict[str, Principal]:
    """The demo staff by role, acting within the demo command's request."""
    return {
        role: replace(staff(role), request_id=principal.request_id)
        for role in ("operator", *STAGE_ROLES.values())
    }


def _approve(team: dict[str, Principal], case: Case) -> None:
    """Each later stage by its own member of the demo staff (001 art. 7)."""
    while case.status == "open":
        case = cases.act(team[STAGE_ROLES[case.stage]], case.pk, "approve", "同意")


def register(
    principal: Principal,
    rng: random.Random,
    fake: Any,
    count: int,
    first: YearMonth,
    local_counties: list[str],
    used: set[str],
) -> list[Planned]:
    """The retirees, by one approved ``import.legacy`` case; each worked until the month
    before their pension with a demo employer, from ``first`` (the history's first month)."""
    if count <= 0:
        return []
    usccs = sorted(Employer.objects.filter(status="active").values_list("uscc", flat=True))
    persons = io.StringIO()
    relations = io.StringIO()
    people = csv.writer(persons)
    jobs = csv.writer(relations)
    people.writerow(
        (
            "id_number",
            "name",
            "phone",
            "hukou_region",
            "residence_region",
            "category",
            "deemed_months",
        )
    )
    jobs.writerow(("id_number", "uscc", "insurance", "start_month", "end_month"))
    planned = []
    # The months divisor stops at 70 years: nobody older than that when the pension starts.
    earliest = max(YearMonth(BORN[0], 1), first.add(1 - OLDEST * 12))
    latest = YearMonth(BORN[1], 12)
    if earliest > latest:  # a demo built decades from now: none of them young enough
        return []
    for n in range(count):
        male = rng.random() < 0.5
        county = rng.choice(local_counties)
        born = YearMonth.from_index(rng.randint(earliest.index, latest.index)).first_day()
        born = born.replace(day=rng.randint(1, 28))
        if n == 0 and TOUR_PENSIONER not in used:
            number, county, born, male = TOUR_PENSIONER, "110105", date(1962, 3, 12), True
            used.add(number)
        else:
            number = identities.id_number(rng, county, born, male, used)
        track = retirement.track_of("M" if male else "F", None)
        statutory = retirement.statutory_month(track, YearMonth.of(born))
        start = max(statutory, first.add(1))
        paid = start.index - first.index  # every month billed and paid by the history
        deemed = max(MINIMUM_MONTHS - paid, 0) + rng.randrange(0, 180)
        name = fake.name_male() if male else fake.name_female()
        people.writerow((number, name, identities.mobile(rng), county, county, "employee", deemed))
        employer = rng.choice(usccs)
        for insurance in EMPLOYEE_INSURANCES:
            jobs.writerow((number, employer, insurance, str(first), str(start.add(-1))))
        planned.append(Planned(number, start))
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "persons.csv").write_text(persons.getvalue(), encoding="utf-8")
        Path(folder, "relations.csv").write_text(relations.getvalue(), encoding="utf-8")
        with transaction.atomic():
            team = _team(principal)
            case = contribution_flows.submit_legacy(team["operator"], Path(folder))
            _approve(team, case)
    return planned


def grant_and_pay(
    principal: Principal,
    rng: random.Random,
    planned: list[Planned],
    last: YearMonth,
    today: date,
) -> Outcome:
    """Each pension by its case, verifications for some, and the run of ``last`` (the
    history's last month: the tour pays the month after)."""
    outcome = Outcome()
    if not planned:
        return outcome
    team = _team(principal)
    operator = team["operator"]
    for pensioner in planned:
        with transaction.atomic():
            case = cases.submit(
                operator,
                "benefit.grant",
                {
                    "id_number": pensioner.id_number,
                    "insurance": "pension",
                    "start_month": str(pensioner.start),
                },
            )
            _approve(team, case)
        outcome.pensioners += 1
    with transaction.atomic():
        for pensioner in planned:
            if pensioner.id_number != TOUR_PENSIONER and rng.random() >= VERIFIED_SHARE:
                continue  # past due: never verified since the pension began
            benefits.verify(
                operator,
                Person.objects.get(id_number=pensioner.id_number),
                max(today - timedelta(days=rng.randrange(7, 300)), pensioner.start.first_day()),
                rng.choice(CHANNELS),
                "passed",
            )
            outcome.verified += 1
    run = payments.pay_month(operator, str(last), principal.region)
    outcome.payments, outcome.amount_fen = run.payments, run.amount_fen
    return outcome
