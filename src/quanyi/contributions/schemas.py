"""What contributions answers over the API and prints on the command line: an employer's bills,
a posting run, payments taken, a declaration taken in; and its part of the person record."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Schema

from quanyi.contributions.models import BillKind, BillStatus
from quanyi.registry.models import Insurance
from quanyi.workflow.schemas import Case, ChangeOut


class EmployerRef(Schema):
    uscc: str
    name: str


class BillRow(Schema):
    """A bill with what it still owes (and its late fee) or has been paid beyond."""

    id: int
    month: str
    kind: BillKind
    lines: int
    due_fen: int
    paid_fen: int
    status: BillStatus
    owed_fen: int
    late_fee_fen: int
    fee_from: date | None = None  # the first day of late fee, while anything is owed
    overpaid_fen: int


class Bills(Schema):
    """An employer's bills, newest first, as of a day (the late fee grows daily)."""

    employer: EmployerRef
    on: date
    bills: list[BillRow]


class PostOutcome(Schema):
    """A posting run (月报): bills and lines written, employers an interrupted run had billed,
    and lines billed on the lower bound for want of a declaration."""

    month: str
    bills: int
    lines: int
    skipped: int
    at_lower_bound: int


class Payments(Schema):
    payments: int


class DeclaredCase(Case):
    """A ``contribution.declare`` case as taken in, with the number of rows and the wages the
    bounds clamped."""

    rows: int
    clamped: list[ChangeOut]


class ContributionRow(Schema):
    """A month of the record's ``contributions`` (DESIGN.md)."""

    insurance: Insurance
    month: str
    base_fen: int
    employer_fen: int
    employee_fen: int
    status: Literal["paid", "owed", "transferred_in"]
    uscc: str = ""  # the employer whose bill holds the month ("" for none)
