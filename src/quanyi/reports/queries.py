"""The figures behind de-identified statistics (001 art. 17): one grouped read of a year's
contribution lines, limited to the persons whose agency region the principal's covers. Only
counts and sums leave the database; no identity, name or birth date is read into Python."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Cast, Concat

from quanyi.access.policy import authorize, scope
from quanyi.contributions.models import Line
from quanyi.core.principal import Principal
from quanyi.registry.models import Insurance
from quanyi.reports import calc
from quanyi.reports.calc import Dimension, Figures, Key, Table


def _age_band(year: int) -> Case:
    """The age band on 31 December of ``year``: born on or before 31 December of ``year - N``
    is at least N then, so the bands compare birth dates and need no date arithmetic in SQL."""
    return Case(
        *(
            When(Q(person__birth_date__lte=date(year - youngest, 12, 31)), then=Value(band))
            for band, youngest in calc.AGE_BANDS
        ),
        default=Value(calc.YOUNGEST_BAND),
        output_field=CharField(),
    )


def _dimension(dimension: Dimension, year: int) -> F | Case:
    expressions: dict[Dimension, F | Case] = {
        Dimension.REGION: F("person__agency_region"),
        Dimension.INSURANCE: F("insurance"),
        Dimension.SEX: F("person__sex"),
        Dimension.AGE_BAND: _age_band(year),
    }
    return expressions[dimension]


def observed(
    principal: Principal, year: int, by: Sequence[Dimension]
) -> tuple[list[list[str]], dict[Key, Figures]]:
    """The values seen for each dimension (in reading order) and the figures of each cell with
    anyone in it: distinct persons, distinct person-months, employer and employee shares."""
    authorize(principal, "stats.read")
    lines = scope(
        Line.objects.filter(month__gte=f"{year:04d}-01", month__lte=f"{year:04d}-12"),
        principal,
        "person__agency_region",
    )
    # Aliases of their own: ``insurance`` would clash with the line's column of that name.
    aliases = {f"by_{d.value}": _dimension(d, year) for d in by}
    rows: list[dict[str, Any]] = list(
        lines.annotate(**aliases)
        .values(*aliases)
        .annotate(
            persons=Count("person_id", distinct=True),
            # A person with two lines in a month (two employers, a back-payment) worked one
            # month: count the distinct (person, month) pairs.
            months=Count(
                Concat(Cast("person_id", CharField()), Value(":"), "month"), distinct=True
            ),
            contributions_fen=Sum(F("employer_fen") + F("employee_fen")),
        )
        .order_by()
    )
    found: dict[Key, Figures] = {}
    for row in rows:
        key = tuple(str(row[alias]) for alias in aliases)
        found[key] = Figures(
            int(row["persons"]), int(row["months"]), int(row["contributions_fen"] or 0)
        )
    values = [
        calc.ordered(d, (key[i] for key in found), order=Insurance.values) for i, d in enumerate(by)
    ]
    return values, found


def stats(principal: Principal, year: int, by: Sequence[Dimension]) -> Table:
    """The published table for ``year`` by the dimensions ``by`` (``calc.tabulate``)."""
    values, found = observed(principal, year, by)
    return calc.tabulate(by, values, found)
