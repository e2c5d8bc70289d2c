"""Permissions of business cases (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import RECORD_READERS, Role
from quanyi.core.permissions import Permission, permission

PERMISSIONS: dict[str, Permission] = {
    "case.submit": permission(
        "仅业务经办用户可受理业务件",
        "only operators take in cases",
        Role.OPERATOR,
        business=True,
        scope="records:write",
    ),
    "case.read": permission(
        "仅本统筹区的经办、审核类用户可查看业务件",
        "only staff of the case's region read it",
        *RECORD_READERS,
        business=True,
        scope="records:read",
        region=True,
    ),
    "maintenance.read": permission(
        "仅安全审计员可查阅维护日志",
        "only the security auditor reads the maintenance log",
        Role.AUDITOR,
    ),
}
