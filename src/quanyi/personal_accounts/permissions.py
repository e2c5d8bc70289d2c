"""Permissions of the personal account (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "accounts.close": permission(
        "仅业务经办用户可执行年度计息",
        "only operators run the yearly interest",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
        applying=True,
    ),
}
