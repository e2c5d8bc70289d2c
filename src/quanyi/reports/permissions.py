"""Who may read de-identified statistics (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import BUSINESS, Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    # No region object check: the figures themselves are limited to the persons whose agency
    # region the principal's region covers (``queries.stats``).
    "stats.read": permission(
        "仅业务经办、审核类、信息查询用户和外部查询单位可获取去标识化的统计数据（001 第十七条）；"
        "系统管理员和数据库管理员不得获取",
        "only operators, reviewers, queriers and external requesters read de-identified"
        " statistics (001 art. 17); sysadmin and DBA may not",
        *BUSINESS,
        Role.EXTERNAL,
        business=True,
        scope=Scope.RECORDS_READ,
    ),
}
