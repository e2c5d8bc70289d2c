"""Who may read person records (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import RECORD_READERS
from quanyi.core.permissions import Permission, permission

PERMISSIONS: dict[str, Permission] = {
    "record.read": permission(
        "仅本统筹区的业务经办、审核类和信息查询用户可查看个人权益记录；系统管理员和数据库管理员不得查看",
        "only operators, reviewers and queriers of the record's region may read it;"
        " sysadmin and DBA may not (001 art. 26)",
        *RECORD_READERS,
        business=True,
        scope="records:read",
        region=True,
    ),
}
