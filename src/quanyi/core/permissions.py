"""Permissions as data: each app declares the permissions it checks (in its ``Plugin``), and
``access.policy`` turns every declaration into one predicate. Nothing here imports an app, so
any layer may declare a permission without importing the one that enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    """Who may: holders of any of ``roles`` — never an administrative role where ``business``
    (001 art. 26) — with a token that carries ``scope`` if the call comes with a token; also the
    final approval applying a case where ``applying``; and, where ``region``, only on objects of
    a region the principal's agency covers. ``zh``/``en`` name the rule in a refusal."""

    zh: str
    en: str
    roles: frozenset[str] = frozenset()
    scope: str | None = None
    business: bool = False
    applying: bool = False
    region: bool = False


def permission(
    zh: str,
    en: str,
    *roles: str,
    scope: str | None = None,
    business: bool = False,
    applying: bool = False,
    region: bool = False,
) -> Permission:
    return Permission(zh, en, frozenset(roles), scope, business, applying, region)


SECADMIN = "secadmin"

PERMISSIONS: dict[str, Permission] = {
    "keys.rotate": permission(
        "仅安全管理员可轮换主密钥",
        "only the security administrator rotates the master key",
        SECADMIN,
    ),
}
