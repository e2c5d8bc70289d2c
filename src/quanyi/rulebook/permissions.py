"""Permissions of the rulebook (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.core.permissions import Permission, permission

PERMISSIONS: dict[str, Permission] = {
    "rulebook.write": permission(
        "政策参数只能经审批后的参数调整业务件写入",
        "parameters are written only by an approved parameter.change case",
        applying=True,
    ),
}
