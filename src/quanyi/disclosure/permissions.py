"""Permissions of disclosure and the portals (declared as data, enforced by ``access.policy``).
Which record a person, employer or outside requester may read is not a role question but the
disclosure decision's (``decision.decide``); these say who may use each door at all."""

from __future__ import annotations

from quanyi.access.roles import RECORD_READERS, Role
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "portal.person": permission(
        "仅参保人员账户可使用个人网上查询",
        "only an insured person's account uses the personal portal",
        Role.PERSON,
        scope=Scope.RECORDS_READ,
    ),
    "portal.employer": permission(
        "仅用人单位账户可使用单位网上查询",
        "only an employer's account uses the employer portal",
        Role.EMPLOYER,
        scope=Scope.RECORDS_READ,
    ),
    "record.accesses": permission(
        "仅本人和本统筹区的业务经办、审核类和信息查询用户可查看查询记录（001 第二十一条）",
        "only the person and the region's operators, reviewers and queriers see who read a"
        " record (001 art. 21)",
        Role.PERSON,
        *RECORD_READERS,
        scope=Scope.RECORDS_READ,
    ),
    "record.export": permission(
        "仅业务经办用户可执行经审批的批量提供（001 第二十二条）",
        "only operators write an approved bulk provision (001 art. 22)",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    "objection.file": permission(
        "仅参保人员、用人单位和业务经办用户可提出异议（001 第十一、十六条）",
        "only the person, the employer and operators file an objection (001 art. 11, 16)",
        Role.PERSON,
        Role.EMPLOYER,
        Role.OPERATOR,
        scope=Scope.CASES_SUBMIT,
    ),
}
