"""Permissions of the registry (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from enum import StrEnum

from quanyi.core.permissions import Permission, Scope, permission


class RegistryPermission(StrEnum):
    WRITE = "registry.write"


PERMISSIONS: dict[str, Permission] = {
    RegistryPermission.WRITE: permission(
        "登记数据只能经业务件审批后由系统写入，不得直接修改（001 第六条）",
        "registered data is written only by the final approval of a case, never directly"
        " (001 art. 6)",
        scope=Scope.CASES_DECIDE,  # the decision whose approval applies the case
        applying=True,
        region=True,
    ),
}
