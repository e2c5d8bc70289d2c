"""Permissions of the rulebook (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from enum import StrEnum

from quanyi.core.permissions import Permission, Scope, permission


class RulebookPermission(StrEnum):
    WRITE = "rulebook.write"


PERMISSIONS: dict[str, Permission] = {
    RulebookPermission.WRITE: permission(
        "政策参数只能经审批后的参数调整业务件写入",
        "parameters are written only by an approved parameter.change case",
        scope=Scope.CASES_DECIDE,  # the decision whose approval applies the case
        applying=True,
    ),
}
