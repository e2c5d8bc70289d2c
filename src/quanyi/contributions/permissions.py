"""Permissions of contributions (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "contributions.post": permission(
        "仅业务经办用户可执行记账批处理",
        "only operators run the posting batch",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    "contributions.pay": permission(
        "仅业务经办用户可导入缴费结果",
        "only operators import payments",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
}
