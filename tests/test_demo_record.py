"""A demo person's record is whole (issue 13): relations start where the demo's contribution
history can start, so there are no years of relations without contributions, and the first
year of an account opens at 0 because it is the first year of contributions. The progress of
``quanyi demo`` moves with every unit of work (DESIGN.md, CLI: "long commands show a progress
bar")."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from django.db import transaction

from quanyi.contributions.models import Line
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth, month_range
from quanyi.demo import generate
from quanyi.personal_accounts.models import YearBalance
from quanyi.registry.models import EMPLOYEE_INSURANCES, InsuranceRelation, Person
from quanyi.rulebook import services as rulebook

pytestmark = pytest.mark.django_db


class Steps:
    def __init__(self) -> None:
        self.phases: list[tuple[str, int]] = []
        self.done: dict[str, list[int]] = defaultdict(list)

    def start(self, label: str, total: int) -> None:
        self.phases.append((label, total))

    def advance(self, done: int) -> None:
        self.done[self.phases[-1][0]].append(done)


def test_a_demo_record_is_whole_and_the_demo_s_progress_moves() -> None:
    """One small demo (built once: it is the slow part) for the three checks below."""
    with transaction.atomic():
        rulebook.seed(Principal.system("system:init"))
    steps = Steps()
    demo = generate.build(persons=200, employers=5, years=4, seed=7, progress=steps)
    every_month_of_an_employee_relation_has_its_contribution(demo)
    the_tour_person_s_account_opens_at_zero_in_the_first_year_of_contributions()
    the_progress_moves_with_each_unit_of_work(steps)


def every_month_of_an_employee_relation_has_its_contribution(demo: generate.Summary) -> None:
    """001 art. 2: the record holds registration and contributions; a month of a relation
    with no line would read as a month lost."""
    assert demo.history and demo.history.lines > 0
    billed = set(Line.objects.values_list("person_id", "insurance", "month"))
    first = min(month for _, _, month in billed)
    last = max(month for _, _, month in billed)
    relations = InsuranceRelation.objects.filter(insurance__in=EMPLOYEE_INSURANCES)
    assert relations.exists()
    for relation in relations:
        assert relation.start_month >= first  # no relation before the history
        end = min(relation.end_month or last, last)
        for month in month_range(YearMonth.parse(relation.start_month), YearMonth.parse(end)):
            assert (relation.person_id, relation.insurance, str(month)) in billed


def the_tour_person_s_account_opens_at_zero_in_the_first_year_of_contributions() -> None:
    """The README's tour person (110105198506150022): relations, contributions and account
    start together."""
    person = Person.objects.get(id_number=generate.TOUR_ID_NUMBER)
    starts = InsuranceRelation.objects.filter(person=person).values_list("start_month", flat=True)
    months = Line.objects.filter(person=person).values_list("month", flat=True)
    assert min(starts) == min(months) == min(Line.objects.values_list("month", flat=True))
    years = list(YearBalance.objects.filter(person=person).order_by("year"))
    assert years[0].year == int(min(months)[:4]) and years[0].opening_fen == 0
    for before, after in itertools.pairwise(years):
        assert after.opening_fen == before.closing_fen > 0


def the_progress_moves_with_each_unit_of_work(steps: Steps) -> None:
    labels = [label for label, _ in steps.phases]
    assert len(labels) == 4 and "persons" in labels[0] and "history" in labels[1]
    assert "pensions" in labels[3]
    for label, total in steps.phases:
        assert sum(steps.done[label]) == total
    assert len(steps.done[labels[0]]) >= 4  # 200 persons in units of 50
    assert len(steps.done[labels[1]]) >= 3  # five employers, more than one unit
