"""The demo's population (全民参保登记, 002): the region's people as the household register of
the public security bureau lists them, so the enrollment screens, the counter's and the
portal's prompts and the statistics have something to show on a fresh demo.

The file lists every demo person (by community, with the employment status their category
implies, a phone for most) and some more whom nobody insured here — a twentieth of the demo,
at least five. Two names are written as another department spells them (inaccurate), and the
tour's employee has no employment status, so the portal asks for it. It comes in as the
agency's own work does: one ``enrollment.import`` case taken in by the demo's operator and
approved at each later stage by its own member of the demo staff; then one match on DuckDB when
the optional ``scale`` extra is installed (without it the population waits for its first
``quanyi enrollment match``)."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from quanyi.core.principal import Principal
from quanyi.demo import identities
from quanyi.demo.parameters import STAGE_ROLES, staff
from quanyi.registry.models import Person
from quanyi.workflow import services as cases

SOURCE = "公安户籍"
FILE_NAME = "demo-population.csv"
COLUMNS = ("id_number", "name", "hukou_region", "residence_region", "employment_status", "phone")
STREETS = 3
COMMUNITIES = 4  # per street
EMPLOYMENT = {"employee": "11", "resident": ""}
RETIRED = "41"
NO_PHONE = 15  # one person in so many has none on the register


@dataclass
class Outcome:
    listed: int = 0
    unregistered: int = 0
    case_id: int = 0
    matched: dict[str, int] | None = None


def build(
    principal: Principal,
    rng: random.Random,
    fake: Any,
    tour_id_number: str,
    pensioners: set[str],
    counties: list[str],
) -> Outcome:
    team = {
        role: replace(staff(role), request_id=principal.request_id)
        for role in ("operator", *STAGE_ROLES.values())
    }
    outcome = Outcome()
    rows = _registered_rows(rng, tour_id_number, pensioners)
    used = set(Person.objects.values_list("id_number", flat=True))
    outcome.unregistered = max(len(rows) // 20, 5)
    today = timezone.localdate()
    for _ in range(outcome.unregistered):
        county = rng.choice(counties)
        birth = identities.birth_date(rng, 1, 80, today)
        number = identities.id_number(rng, county, birth, rng.random() < 0.5, used)
        rows.append([number, fake.name(), county, _community(rng, county), "", _phone(rng)])
    for row in rng.sample(rows[: len(rows) - outcome.unregistered], min(2, len(rows))):
        if row[0] != tour_id_number:
            row[1] = row[1][:-1] + ("华" if row[1][-1] != "华" else "明")
    outcome.listed = len(rows)
    data = _csv(rows)
    with transaction.atomic():
        case = cases.submit(
            team["operator"],
            "enrollment.import",
            {"source": SOURCE, "file": FILE_NAME, "sha256": cases.store_content(data)},
            (cases.NewAttachment(FILE_NAME, data),),
        )
        while case.status == "open":
            case = cases.act(team[STAGE_ROLES[case.stage]], case.pk, "approve", "同意")
    outcome.case_id = case.pk
    outcome.matched = _match(team["operator"], today)
    return outcome


def _registered_rows(
    rng: random.Random, tour_id_number: str, pensioners: set[str]
) -> list[list[str]]:
    rows = []
    persons = Person.objects.filter(status="active").order_by("pk")
    for number, name, category, hukou, residence, phone in persons.values_list(
        "id_number", "name", "category", "hukou_region", "residence_region", "phone"
    ):
        employment = RETIRED if number in pensioners else EMPLOYMENT.get(category, "")
        if number == tour_id_number:
            employment = ""  # the portal's prompt on the tour
        if rng.randrange(NO_PHONE) == 0:
            phone = ""
        rows.append([number, name, hukou, _community(rng, residence), employment, phone])
    return rows


def _community(rng: random.Random, county: str) -> str:
    """A community code under the county: street (3 digits), then community (3)."""
    street = rng.randint(1, STREETS)
    return f"{county}{street:03d}{rng.randint(1, COMMUNITIES):03d}"


def _phone(rng: random.Random) -> str:
    return "" if rng.randrange(NO_PHONE) == 0 else identities.mobile(rng)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def _match(operator: Principal, today: date) -> dict[str, int] | None:
    try:
        import duckdb  # noqa: F401  (the optional extra the match runs on)
    except ImportError:
        return None
    from quanyi.enrollment import flows

    with transaction.atomic():  # as the command runs it
        return flows.run_match(operator, today.strftime("%Y-%m"), "duckdb", []).counts
