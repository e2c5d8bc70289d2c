"""Permissions as data: each app declares the permissions it checks (in its ``Plugin``), and
``access.policy`` turns every declaration into one predicate. Nothing here imports an app, so
any layer may declare a permission without importing the one that enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """What an API token may be used for (on top of its user's roles, never instead of them).
    Each permission names the one scope a token needs to pass it."""

    RECORDS_READ = "records:read"  # read records (persons, bills, cases) within the user's roles
    CASES_SUBMIT = "cases:submit"  # open, resubmit and withdraw cases; the operators' batches
    CASES_DECIDE = "cases:decide"  # act on a stage of a case
    ACCOUNTS_MANAGE = "accounts:manage"  # tokens, disabling, unlocking, second factors


@dataclass(frozen=True)
class Permission:
    """Who may: holders of any of ``roles`` — never an administrative role where ``business``
    (001 art. 26) — with a token that carries ``scope`` if the call comes with a token; also the
    final approval applying a case where ``applying``; holders of ``roles`` only while applying
    the final approval of a case where ``applying_only``; and, where ``region``, only on objects
    of a region the principal's agency covers. ``zh``/``en`` name the rule in a refusal."""

    zh: str
    en: str
    roles: frozenset[str] = frozenset()
    scope: Scope | None = None
    business: bool = False
    applying: bool = False
    region: bool = False
    applying_only: bool = False


def permission(
    zh: str,
    en: str,
    *roles: str,
    scope: Scope | str | None = None,
    business: bool = False,
    applying: bool = False,
    region: bool = False,
    applying_only: bool = False,
) -> Permission:
    """``scope`` must be one of ``Scope`` (a plain string is checked against it: an unknown one
    fails at start-up, not at the first token that meets it)."""
    return Permission(
        zh,
        en,
        frozenset(roles),
        Scope(scope) if scope is not None else None,
        business,
        applying,
        region,
        applying_only,
    )


SECADMIN = "secadmin"

PERMISSIONS: dict[str, Permission] = {
    "keys.rotate": permission(
        "仅安全管理员可轮换主密钥",
        "only the security administrator rotates the master key",
        SECADMIN,
        scope=Scope.ACCOUNTS_MANAGE,
    ),
}
