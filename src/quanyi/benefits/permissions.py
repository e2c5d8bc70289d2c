"""Permissions of benefits (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "benefits.pay": permission(
        "仅业务经办用户可执行待遇发放批处理",
        "only operators run the benefit payment batch",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    "benefits.verify": permission(
        "仅业务经办用户可登记待遇资格认证",
        "only operators record eligibility verifications",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
        region=True,
    ),
    "benefits.write": permission(
        "待遇数据只能经业务件审批后由系统写入（001 第六条）",
        "benefit data is written only by the final approval of a case (001 art. 6)",
        scope=Scope.CASES_DECIDE,
        applying=True,
        region=True,
    ),
}
