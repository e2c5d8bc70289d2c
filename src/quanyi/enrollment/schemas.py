"""Typed contracts of what the enrollment commands print (CONTRIBUTING: typed contracts)."""

from __future__ import annotations

from ninja import Schema


class Counts(Schema):
    enrolled: int
    partly_enrolled: int
    not_enrolled: int
    enrolled_elsewhere: int
    duplicate: int
    inaccurate: int


class MatchOut(Schema):
    """``quanyi enrollment match``: the counts per status over the population, as of a month."""

    counts: Counts
    run: int
    as_of: str
    engine: str
    population: int
    needs_survey: int
    exchange: list[str]


class DivisionStats(Schema):
    division: str
    population: int
    counts: Counts
    registration_rate: float
    coverage: dict[str, int]


class MonthStats(Schema):
    as_of: str
    run: int
    population: int
    registration_rate: float


class StatsOut(Schema):
    """``quanyi enrollment stats``: registration rate, coverage by insurance and reasons for not
    enrolling, by division, and the rate month by month (002 art. 28-31)."""

    run: int
    as_of: str
    level: str
    population: int
    registration_rate: float
    divisions: list[DivisionStats]
    reasons: dict[str, int]
    months: list[MonthStats]


class ListOut(Schema):
    """``quanyi enrollment list``: the survey list written, and how many persons it holds."""

    run: int
    division: str
    persons: int
    file: str


class ExportOut(Schema):
    """``quanyi enrollment export``: the exchange file written for the upper-level registry
    (002 art. 10)."""

    file: str
    as_of: str
    region: str
    rows: int
    persons: int
    sha256: str


class ReportOut(Schema):
    """``quanyi enrollment report``: the periodic report written (002 art. 30): its run, the
    headline figures, how many persons its detail table lists and the files."""

    directory: str
    run: int
    as_of: str
    population: int
    registration_rate: float
    needs_survey: int
    files: list[str]
    sha256: str


class RefreshOut(Schema):
    """``quanyi enrollment refresh`` when the insurance records and the population agree: no
    case is made (when they differ it prints the ``enrollment.import`` case, like ``case
    submit``)."""

    proposed: int
    as_of: str
    message: str
