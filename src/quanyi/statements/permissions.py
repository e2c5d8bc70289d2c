"""Who may make, hand out and record statements and certificates."""

from __future__ import annotations

from quanyi.access.roles import RECORD_READERS, Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "statements.generate": permission(
        "仅业务经办用户可生成年度权益记录单和单位年度告知（000 第三条）",
        "only operators make the annual statements and employer notices (000 §3)",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    "statements.issue": permission(
        "仅本人、受委托人和本统筹区的业务经办、查询类用户可出具权益记录单或参保证明"
        "（001 第十五条）",
        "only the person, a delegate and the region's staff who read records issue a"
        " statement or certificate (001 art. 15)",
        Role.PERSON,
        Role.EXTERNAL,
        *RECORD_READERS,
        scope=Scope.RECORDS_READ,
    ),
    "statements.returns": permission(
        "仅业务经办用户可登记退信",
        "only operators record a statement returned undelivered",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
}
