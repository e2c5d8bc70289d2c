"""Insured persons with contribution lines for statistics tests: registered by the registry's
service in the agency region given, their lines written by the contributions bulk writer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from quanyi.access import applying
from quanyi.contributions import bulk
from quanyi.contributions.models import Bill
from quanyi.core.principal import Principal
from quanyi.registry.models import Employer, Person
from tests.registry import builders


def _applier(region: str) -> Principal:
    return Principal(
        actor=f"approver-{region}", source="cli", region=region, roles=frozenset({"approver"})
    )


class Population:
    """Persons of several agency regions and the lines they paid, one bill per employer and
    month."""

    def __init__(self) -> None:
        with applying.granted(_applier("110000"), 0) as applier:
            self.employers = [builders.employer(applier), builders.employer(applier)]
        self._bills: dict[tuple[int, str], int] = {}
        self.names: list[str] = []
        self.id_numbers: list[str] = []
        self.birth_dates: list[date] = []

    def person(self, region: str, birth: date, male: bool, name: str) -> Person:
        with applying.granted(_applier(region), 0) as applier:
            person = builders.person(
                applier, id_number=builders.id_number(birth=birth, male=male), name=name
            )
        self.names.append(name)
        self.id_numbers.append(person.id_number)
        self.birth_dates.append(birth)
        return person

    def lines(
        self,
        person: Person,
        months: Iterable[str],
        insurance: str = "pension",
        employer_fen: int = 1000,
        employee_fen: int = 400,
        employer: int = 0,
    ) -> None:
        rows: list[bulk.LineRow] = [
            (
                self._bill(self.employers[employer], month),
                person.pk,
                insurance,
                month,
                5000_00,
                employer_fen,
                employee_fen,
                0,
                "due",
            )
            for month in months
        ]
        bulk.write_lines(rows, seq=1)

    def _bill(self, employer: Employer, month: str) -> int:
        if (employer.pk, month) not in self._bills:
            bill = Bill.objects.create(employer=employer, month=month, due_fen=0, lines=0)
            self._bills[employer.pk, month] = bill.pk
        return self._bills[employer.pk, month]


def months(year: int, first: int = 1, last: int = 12) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]
