"""Permissions ``access`` checks (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import Role
from quanyi.core.permissions import Permission, permission

PERMISSIONS: dict[str, Permission] = {
    "account.manage": permission(
        "仅系统管理员可管理账户和角色",
        "only the sysadmin manages accounts and roles",
        Role.SYSADMIN,
        scope="accounts:manage",
    ),
    "security.check": permission(
        "仅系统管理员和安全审计员可执行安全检查",
        "only the sysadmin and the auditor run the security check",
        Role.SYSADMIN,
        Role.AUDITOR,
    ),
}
