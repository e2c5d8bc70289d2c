"""Permissions ``access`` checks (declared as data, enforced by ``access.policy``).

Staff accounts and role grants change only through ``access.grant`` cases (``staff/cases.py``;
DESIGN.md invariant 4): the sysadmin proposes, the security administrator approves, and the
approval applies them. What the sysadmin still does directly (tokens, disabling, unlocking,
second factors) gives nobody a role.
"""

from __future__ import annotations

from enum import StrEnum

from quanyi.access.roles import Role
from quanyi.core.permissions import Permission, Scope, permission


class AccessPermission(StrEnum):
    ACCOUNT_MANAGE = "account.manage"
    ACCOUNT_PROPOSE = "account.propose"
    ACCOUNT_APPROVE = "account.approve"
    ACCOUNT_APPLY = "account.apply"
    ACCOUNT_CASE_READ = "account.case.read"
    SECURITY_CHECK = "security.check"


PERMISSIONS: dict[str, Permission] = {
    AccessPermission.ACCOUNT_MANAGE: permission(
        "仅系统管理员可管理账户",
        "only the sysadmin manages accounts",
        Role.SYSADMIN,
        scope=Scope.ACCOUNTS_MANAGE,
        region=True,
    ),
    AccessPermission.ACCOUNT_PROPOSE: permission(
        "仅系统管理员可提出开设账户或授予、撤销角色（三员分立）",
        "only the sysadmin proposes an account or a role grant or revocation"
        " (three administrators)",
        Role.SYSADMIN,
        scope=Scope.CASES_SUBMIT,
        region=True,
    ),
    AccessPermission.ACCOUNT_APPROVE: permission(
        "开设账户和授予、撤销角色须经安全管理员审批（三员分立）",
        "accounts and role grants are approved by the security administrator"
        " (three administrators)",
        Role.SECADMIN,
        scope=Scope.CASES_DECIDE,
        region=True,
    ),
    AccessPermission.ACCOUNT_APPLY: permission(
        "账户和角色只能由安全管理员审批通过的授权业务件写入",
        "accounts and roles are written only by an access.grant case the security"
        " administrator approves",
        Role.SECADMIN,
        scope=Scope.CASES_DECIDE,
        applying_only=True,
    ),
    AccessPermission.ACCOUNT_CASE_READ: permission(
        "仅本统筹区的系统管理员和安全管理员可查看授权业务件",
        "only the sysadmin and the security administrator of the region read account cases",
        Role.SYSADMIN,
        Role.SECADMIN,
        scope=Scope.RECORDS_READ,
        region=True,
    ),
    AccessPermission.SECURITY_CHECK: permission(
        "仅系统管理员、安全管理员和安全审计员可执行安全检查",
        "only the sysadmin, the security administrator and the auditor run the security check",
        Role.SYSADMIN,
        Role.SECADMIN,
        Role.AUDITOR,
        scope=Scope.RECORDS_READ,
    ),
}
