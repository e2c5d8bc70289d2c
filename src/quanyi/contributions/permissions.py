"""Permissions of contributions (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "contributions.own": permission(
        "用人单位账户只可查看本单位的账单、缴费和职工（001 第十六条）",
        "an employer's account sees its own bills, payments and staff only (001 art. 16)",
        Role.EMPLOYER,
        scope=Scope.RECORDS_READ,
    ),
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
    "contributions.history": permission(
        "历史缴费记录只能经导入业务件审批后写入（或由业务经办用户的批处理写入）",
        "contribution history is written only by an approved import, or an operator's batch",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
        applying=True,
    ),
}
