"""Reads of accounts: user lists and the separation-of-duties report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User

from quanyi.access import roles as role_rules
from quanyi.access.models import RoleGrant
from quanyi.access.permissions import AccessPermission
from quanyi.access.policy import authorize, scope
from quanyi.core.principal import Principal


@dataclass(frozen=True)
class UserRow:
    username: str
    kind: str | None  # None: a Django user with no quanyi account
    region: str
    roles: tuple[str, ...]
    active: bool
    second_factor: bool


def users(principal: Principal) -> list[UserRow]:
    """The accounts of the regions the principal covers."""
    authorize(principal, AccessPermission.ACCOUNT_MANAGE)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    held = _live_grants()
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = []
    accounts = scope(User.objects.select_related("account"), principal, "account__region")
    for user in accounts.order_by("username"):
        account = getattr(user, "account", None)
        rows.append(
            UserRow(
                user.username,
                account.kind if account else None,
                account.region if account else "",
                tuple(sorted(held[user.pk])),
                user.is_active,
                user.pk in with_device,
            )
        )
    return rows


def _live_grants() -> dict[int, set[str]]:
    held: dict[int, set[str]] = defaultdict(set)
    for user_id, role in RoleGrant.objects.filter(revoked_at__isnull=True).values_list(
        "user_id", "role"
    ):
        held[user_id].add(role)
    return held


def duty_violations(principal: Principal) -> list[tuple[str, role_rules.Violation]]:
    """Every live combination of roles that breaks a rule (``roles.RULES``) — however it got
    into the database — in every region: an account anywhere holding two duties is the
    finding."""
    authorize(principal, AccessPermission.SECURITY_CHECK)
    names = dict(User.objects.values_list("pk", "username"))
    found = []
    for user_id, held in sorted(_live_grants().items()):
        for violation in role_rules.violations(held):
            found.append((names.get(user_id, f"#{user_id}"), violation))
    return found
