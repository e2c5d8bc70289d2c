"""``quanyi demo``: employers, persons (some of them minors with guardians) and insurance
relations with job changes and gaps, written in bulk as units of work of ``CHUNK`` persons.

Each unit is one transaction with one audit event per table holding the Merkle root of the rows
it inserted. Refused on a database that holds non-demo registry data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from faker import Faker

from quanyi.audit import services as audit
from quanyi.audit.models import AuditEvent
from quanyi.core import regions
from quanyi.core.errors import QuanyiError
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.demo import accounts, identities, parameters, pensioners, population
from quanyi.demo import history as contribution_history
from quanyi.registry.models import Employer, InsuranceRelation, Person
from quanyi.statements import services as statements

DEMO_ACTOR = "demo"
# Registry data decides "non-demo"; accounts (e.g. the first sysadmin) do not.
REGISTRY_TYPES = ("employer", "person", "relation")
CHUNK = 10_000
MIN_CHUNK = 50  # persons; smaller demos still move the progress bar in steps
EMPLOYEE_SHARE = 0.75
MINOR_SHARE_OF_RESIDENTS = 0.3
MIGRANT_SHARE = 0.3
LATE_JOINER_SHARE = 0.25
INJURY_CLASS_WEIGHTS = (30, 25, 15, 10, 8, 6, 4, 2)
EMPLOYEE_INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")

# README's tour names them: the first employer and the first employee of a new demo.
TOUR_USCC = "91110000600037341L"
TOUR_ID_NUMBER = "110105198506150022"


@dataclass
class Summary:
    persons: int = 0
    employers: int = 0
    relations: int = 0
    parameters: int = 0  # rows of the parameter history a case added
    pensions: pensioners.Outcome | None = None
    population: population.Outcome | None = None
    history: contribution_history.History | None = None
    seconds: float = 0.0
    accounts_file: Path | None = None
    generated_password: str | None = None
    outside_accounts: int = 0  # employer, person and external accounts for the portals
    addresses: int = 0  # mailing addresses for the annual statements


class NonDemoData(QuanyiError):
    code = "non_demo_data"


def has_persons() -> bool:
    return Person.objects.exists()


def _refuse_on_real_data() -> None:
    # The demo staff register the demo's pensioners by a case (``pensioners``), within the
    # demo command's own request: those events are the demo's too.
    demo_requests = AuditEvent.objects.filter(actor=DEMO_ACTOR).values("request_id")
    real = (
        AuditEvent.objects.filter(object_type__in=REGISTRY_TYPES)
        .exclude(actor=DEMO_ACTOR)
        .exclude(request_id__in=demo_requests)
        .exists()
    )
    if real:
        raise NonDemoData(
            "数据库中已有非演示数据，拒绝生成演示数据",
            "the database holds non-demo data; refusing to add demo data",
        )


@dataclass
class _Context:
    rng: random.Random
    fake: Any
    today: date
    local_counties: list[str]
    all_counties: list[str]
    used_ids: set[str]
    employer_ids: list[int]
    window_start: YearMonth
    now: YearMonth


def build(
    persons: int,
    employers: int,
    years: int,
    seed: int | None = None,
    progress: bool | contribution_history.Progress = False,
    history: bool = True,
) -> Summary:
    if persons < 0 or employers < 1 or years < 1:
        raise QuanyiError(
            "人数不能为负，单位数和年数至少为1",
            "persons must be >= 0, employers and years >= 1",
            "bad_usage",
        )
    _refuse_on_real_data()
    started = time.perf_counter()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(rng.randrange(2**32))
    today = date.today()
    region = settings.QUANYI_REGION
    principal = Principal(actor=DEMO_ACTOR, source="batch", region=region)
    summary = Summary()
    with transaction.atomic():
        summary.accounts_file, summary.generated_password = accounts.ensure(principal)
        summary.employers = _employers(principal, rng, fake, region, employers)
    summary.parameters = parameters.load_history()
    now = YearMonth.of(today)
    window_start = now.add(-12 * years + 1)
    if history:
        # Relations start where the history can (the rulebook's first billable month), so a
        # demo person's record is whole: no years of relations without contributions.
        window_start = (
            contribution_history.first_billable(region, window_start, now.add(-2)) or window_start
        )
    context = _Context(
        rng=rng,
        fake=fake,
        today=today,
        local_counties=identities.county_codes(region),
        all_counties=identities.county_codes(),
        used_ids=set(Person.objects.values_list("id_number", flat=True)),
        employer_ids=list(Employer.objects.filter(status="active").values_list("pk", flat=True)),
        window_start=window_start,
        now=now,
    )
    retirees = pensioners.how_many(persons) if history else 0
    workers = persons - retirees
    chunk = min(CHUNK, max(workers // contribution_history.PROGRESS_STEPS, MIN_CHUNK))
    with _progress_bar(progress) as bar:
        bar.start("演示人员 demo persons", persons)
        done = 0
        while done < workers:
            size = min(chunk, workers - done)
            with transaction.atomic():
                summary.relations += _persons_unit(principal, context, size)
            done += size
            summary.persons += size
            bar.advance(size)
        planned = pensioners.register(
            principal,
            rng,
            fake,
            retirees,
            context.window_start,
            context.local_counties,
            context.used_ids,
        )
        summary.persons += len(planned)
        summary.relations += len(planned) * len(EMPLOYEE_INSURANCES)
        bar.advance(len(planned))
        if history:
            clerk = Principal(
                actor=DEMO_ACTOR,
                source="batch",
                region=region,
                roles=frozenset({"operator"}),
                request_id=principal.request_id,
            )
            summary.history = contribution_history.build(
                clerk, rng, context.window_start, now.add(-2), bar
            )
            bar.start("养老金 pensions", len(planned))
            summary.pensions = pensioners.grant_and_pay(principal, rng, planned, now.add(-2), today)
            bar.advance(len(planned))
    with transaction.atomic():
        summary.outside_accounts = accounts.ensure_outside(principal)
        summary.addresses = _addresses(principal, rng, fake)
    if persons:
        summary.population = population.build(
            principal,
            rng,
            fake,
            TOUR_ID_NUMBER,
            {p.id_number for p in planned},
            context.local_counties,
        )
    with connection.cursor() as cursor:
        # After a bulk load the planner's statistics are stale, and PostgreSQL's visibility map
        # is empty: without ANALYZE it scans every relation for each unit of a posting, and
        # without VACUUM it cannot answer from the covering index alone.
        # (VACUUM cannot run inside a transaction, as when a test builds a demo.)
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    summary.seconds = time.perf_counter() - started
    return summary


class _Quiet:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, done: int) -> None:
        pass


class _Bar:
    """One line per phase on stderr, each moving as its units of work are done."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.task: Any = None

    def start(self, label: str, total: int) -> None:
        self.task = self.bar.add_task(label, total=max(total, 1))
        if total == 0:
            self.bar.advance(self.task, 1)

    def advance(self, done: int) -> None:
        self.bar.advance(self.task, done)


def _addresses(principal: Principal, rng: random.Random, fake: Any) -> int:
    """A mailing address for nine adults in ten, so statements are batched by postal district
    and some wait at the counter for want of an address. Demo data: the postcode follows the
    county code, not the post office's table."""
    clerk = Principal(
        actor=DEMO_ACTOR,
        source="batch",
        region=principal.region,
        roles=frozenset({"operator"}),
        request_id=principal.request_id,
    )
    rows = []
    adults = Person.objects.filter(guardian__isnull=True).order_by("pk")
    for pk, county in adults.values_list("pk", "residence_region"):
        if rng.random() < 0.9:
            street = f"{fake.street_name()}{rng.randint(1, 300)}号{rng.randint(1, 30)}单元"
            postcode = f"{int(county[:2]) - 1:02d}{county[4:6]}{rng.randint(0, 1)}0"
            region = regions.lookup(county)
            rows.append((pk, f"{region.name if region else ''}{street}", postcode))
    return statements.add_addresses(clerk, rows)


@contextmanager
def _progress_bar(
    enabled: bool | contribution_history.Progress,
) -> Iterator[contribution_history.Progress]:
    if not isinstance(enabled, bool):  # a caller's own (a test counting the steps)
        yield enabled
        return
    if not enabled:
        yield _Quiet()
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True)) as bar:
        yield _Bar(bar)


def _employers(principal: Principal, rng: random.Random, fake: Any, region: str, count: int) -> int:
    counties = identities.county_codes(region)
    used = set(Employer.objects.values_list("uscc", flat=True))
    seq = audit.reserve_seq()
    rows = []
    for _ in range(count):
        county = rng.choice(counties)
        uscc = identities.credit_code(rng, county, used)
        if TOUR_USCC not in used:  # the first employer of a new demo is the tour's
            used.add(TOUR_USCC)
            uscc = TOUR_USCC
        rows.append(
            Employer(
                uscc=uscc,
                name=fake.company(),
                region=county,
                address=fake.street_address(),
                injury_class=rng.choices(range(1, 9), weights=INJURY_CLASS_WEIGHTS)[0],
                agency_region=region,
                audit_seq=seq,
            )
        )
    audit.stamp_rows(rows, seq)
    Employer.objects.bulk_create(rows, batch_size=2000)
    audit.record_batch(principal, "employer.register", Employer, seq)
    return count


def _new_person(
    context: _Context, *, youngest: int, oldest: int, category: str, seq: int, region: str
) -> Person:
    rng = context.rng
    migrant = rng.random() < MIGRANT_SHARE
    hukou = rng.choice(context.all_counties if migrant else context.local_counties)
    residence = rng.choice(context.local_counties)
    male = rng.random() < 0.5
    birth = identities.birth_date(rng, youngest, oldest, context.today)
    name = context.fake.name_male() if male else context.fake.name_female()
    number = identities.id_number(rng, hukou, birth, male, context.used_ids)
    if category == "employee" and TOUR_ID_NUMBER not in context.used_ids:
        # The first employee of a new demo is the tour's person (README).
        context.used_ids.add(TOUR_ID_NUMBER)
        number, hukou, birth, male = TOUR_ID_NUMBER, "110105", date(1985, 6, 15), False
        name = context.fake.name_female()
    return Person(
        id_number=number,
        name=name,
        sex="M" if male else "F",
        birth_date=birth,
        phone=identities.mobile(rng) if rng.random() < 0.9 else "",
        hukou_region=hukou,
        residence_region=residence,
        category=category,
        agency_region=region,
        audit_seq=seq,
    )


def _persons_unit(principal: Principal, context: _Context, size: int) -> int:
    rng = context.rng
    seq = audit.reserve_seq()
    adults: list[Person] = []
    minors: list[Person] = []
    for _ in range(size):
        if rng.random() < EMPLOYEE_SHARE:
            adults.append(
                _new_person(
                    context,
                    youngest=18,
                    oldest=59,
                    category="employee",
                    seq=seq,
                    region=principal.region,
                )
            )
        elif rng.random() < MINOR_SHARE_OF_RESIDENTS:
            minors.append(
                _new_person(
                    context,
                    youngest=0,
                    oldest=17,
                    category="resident",
                    seq=seq,
                    region=principal.region,
                )
            )
        else:
            adults.append(
                _new_person(
                    context,
                    youngest=18,
                    oldest=75,
                    category="resident",
                    seq=seq,
                    region=principal.region,
                )
            )
    audit.stamp_rows(adults, seq)
    Person.objects.bulk_create(adults, batch_size=2000)
    guardians = [p for p in adults if p.birth_date.year <= context.today.year - 25] or adults
    for minor in minors:
        minor.guardian_id = rng.choice(guardians).pk
    audit.stamp_rows(minors, seq)
    Person.objects.bulk_create(minors, batch_size=2000)
    audit.record_batch(principal, "person.register", Person, seq)

    seq = audit.reserve_seq()
    relations: list[InsuranceRelation] = []
    for person in adults + minors:
        relations.extend(_relations(context, person, seq))
    audit.stamp_rows(relations, seq)
    InsuranceRelation.objects.bulk_create(relations, batch_size=5000)
    audit.record_batch(principal, "relation.start", InsuranceRelation, seq)
    return len(relations)


def _start(context: _Context, person: Person) -> YearMonth:
    """Most are insured when the demo's window opens (the tour's person too: the README shows
    their whole history); some join later within it."""
    late = context.rng.random() < LATE_JOINER_SHARE
    if late and person.id_number != TOUR_ID_NUMBER:
        months = context.now.index - context.window_start.index
        return context.window_start.add(context.rng.randrange(0, max(months, 1)))
    return context.window_start


def _relations(context: _Context, person: Person, seq: int) -> Iterator[InsuranceRelation]:
    rng = context.rng
    born = YearMonth.of(person.birth_date)
    if person.category == "resident":
        start = max(born, _start(context, person))
        kinds = ["resident_medical"] + (["resident_pension"] if born.add(16 * 12) <= start else [])
        for insurance in kinds:
            yield InsuranceRelation(
                person_id=person.pk,
                insurance=insurance,
                start_month=str(start),
                end_month=None,
                audit_seq=seq,
            )
        return
    month = max(born.add(18 * 12), _start(context, person))
    while month <= context.now:
        end = month.add(rng.randrange(6, 61))
        last = end >= context.now
        closed = not last or rng.random() < 0.15
        end_month = str(min(end, context.now)) if closed else None
        employer = rng.choice(context.employer_ids)
        for insurance in EMPLOYEE_INSURANCES:
            yield InsuranceRelation(
                person_id=person.pk,
                employer_id=employer,
                insurance=insurance,
                start_month=str(month),
                end_month=end_month,
                audit_seq=seq,
            )
        if last:
            return
        gap = rng.randrange(1, 9) if rng.random() < 0.3 else 0
        month = end.add(1 + gap)
