"""Permissions of the registry (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.core.permissions import Permission, permission

PERMISSIONS: dict[str, Permission] = {
    "registry.write": permission(
        "登记数据只能经业务件审批后由系统写入，不得直接修改（001 第六条）",
        "registered data is written only by the final approval of a case, never directly"
        " (001 art. 6)",
        applying=True,
        region=True,
    ),
}
