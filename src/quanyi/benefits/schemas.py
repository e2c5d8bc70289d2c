"""What benefits print and serve: the record's ``benefits`` rows, a grant's explanation, the
payment run, verifications and the past-due list."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class BenefitRow(Schema):
    """A row of the record's ``benefits`` (DESIGN.md ``record show``)."""

    id: int
    kind: str
    insurance: str
    start_month: str
    end_month: str
    monthly_fen: int
    basic_fen: int
    account_fen: int
    transitional_fen: int
    status: str
    case_id: int | None = None


class GrantExplained(Schema):
    id: int
    kind: str
    start_month: str
    monthly_fen: int
    case_id: int | None
    explained: dict[str, Any]


class BenefitExplanation(Schema):
    """``record explain ID_NUMBER --benefit``: every grant with every input, rule version and
    formula of its decision (001 art. 6 ¶4)."""

    id_number: str
    grants: list[GrantExplained]


class PayRun(Schema):
    month: str
    persons: int
    payments: int
    amount_fen: int
    account_fen: int
    arrears: int
    one_off: int
    bank_file: str


class VerificationOut(Schema):
    id: int
    id_number: str
    verified_on: str
    channel: str
    result: str
    by: str


class PastDueOut(Schema):
    id_number: str
    name: str
    since: str
    case_id: int | None
    refused: str = ""


class PastDueList(Schema):
    past_due: list[PastDueOut]


class EstimateYearOut(Schema):
    year: int
    balance_fen: int
    months: int


class Formula(Schema):
    name: str
    zh: str
    en: str


class EstimateOut(Schema):
    """``benefits estimate``: an estimate (``estimate`` is always true), its assumptions, the
    amounts and the account year by year until retirement."""

    id_number: str
    estimate: bool
    statutory_month: str
    retire: str
    assumptions: dict[str, Any]
    contribution_months_at_retirement: int
    minimum_months: int
    short_months: int
    basic_fen: int
    account_fen: int
    transitional_fen: int
    monthly_fen: int
    divisor: str
    years: list[EstimateYearOut]
    formulas: list[Formula]
