"""What the personal account prints and serves: its part of the person record, how a year's
figures were computed (``record explain``), and the runs of ``accounts credit-interest`` and
``accounts rebuild``."""

from __future__ import annotations

from ninja import Schema

from quanyi.personal_accounts.models import EntryKind
from quanyi.rulebook.keys import InterestMethod


class YearRow(Schema):
    year: int
    opening_fen: int
    credited_fen: int
    withdrawn_fen: int = 0  # 支取: what left the account, less what was recovered
    interest_fen: int
    closing_fen: int


class AccountPart(Schema):
    """The record's ``account`` (DESIGN.md): the balance and each year's figures."""

    balance_fen: int
    by_year: list[YearRow]


class CreditLine(Schema):
    """An entry of the year; a credit from a contribution line names its base and rule."""

    kind: EntryKind
    month: str
    amount_fen: int
    base_fen: int | None = None
    share: str | None = None
    rule: str | None = None


class InterestWorking(Schema):
    """The year's interest: the method and formula, the rate and its source, the exact value
    before rounding, and whether it agrees with what was credited."""

    method: InterestMethod
    formula: str
    rate: str
    rate_source: str
    exact_fen: str
    rounded_fen: int
    credited_fen: int
    agrees: bool


class Explanation(Schema):
    """How a year's account figures were computed (001 art. 6 ¶4)."""

    person: str
    year: int
    opening_fen: int
    opening_rule: str
    credits: list[CreditLine]
    credited_fen: int
    closing_fen: int
    interest: InterestWorking | None = None


class InterestRun(Schema):
    year: int
    rate: str
    method: InterestMethod
    persons: int
    interest_fen: int


class RebuildRun(Schema):
    balances: int
    months: int
    differences: int
