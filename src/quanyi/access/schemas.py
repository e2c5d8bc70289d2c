"""What access answers over the API and prints for ``quanyi user|token|security``."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from quanyi.access.models import AccountKind
from quanyi.access.roles import Role
from quanyi.core.permissions import Scope


class Me(Schema):
    username: str
    region: str
    roles: list[Role]
    kind: AccountKind


class NewAccount(Schema):
    """An account just added; ``password`` only when it was generated (shown this once)."""

    username: str
    roles: list[Role]
    password: str | None


class AccountRow(Schema):
    username: str
    kind: AccountKind | None  # None: a Django user with no quanyi account
    region: str
    roles: list[Role]
    active: bool
    second_factor: bool


class SecondFactor(Schema):
    """A new TOTP device: its secret and the otpauth URI (the QR code's content)."""

    username: str
    secret: str
    uri: str


class NewToken(Schema):
    """An API token just created: the secret is shown this once, only its hash is kept."""

    prefix: str
    token: str
    expires_at: datetime
    scopes: list[Scope]


class DutyViolation(Schema):
    """Two roles one account holds together against a separation-of-duties rule (001 art. 26)."""

    username: str
    rule: str
    held: Role
    conflicting: Role
    rule_zh: str
    rule_en: str
