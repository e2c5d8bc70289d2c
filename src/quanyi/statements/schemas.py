"""What the statements commands print (JSON)."""

from __future__ import annotations

from ninja import Schema


class GenerateOut(Schema):
    year: int
    out: str
    deadline: str
    late: bool
    statements: int
    issued_before: int
    employee: int
    resident: int
    to_guardian: int
    without_address: int
    batches: list[str]


class IssuedOut(Schema):
    code: str
    verification_code: str
    kind: str
    period_from: str
    period_to: str
    file: str
    sha256: str


class VerdictOut(Schema):
    result: str
    authentic: bool
    reason: str
    code: str
    kind: str
    period: str
    masked_name: str


class ReturnOut(Schema):
    code: str
    returned_on: str
    reason: str


class YearStatus(Schema):
    year: int
    deadline: str
    statements: int
    mailed: int
    handed_out: int
    returned: int
    to_guardian: int
    batches: int


class NoticesOut(Schema):
    year: int
    employers: int
    files: list[str]
