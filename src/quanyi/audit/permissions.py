"""Permissions of the audit chain's tools (declared as data; ``access.policy`` enforces them,
so ``audit`` needs import nothing above ``core``)."""

from __future__ import annotations

from enum import StrEnum

from quanyi.core.permissions import Permission, Scope, permission

AUDITOR, SECADMIN = "auditor", "secadmin"


class AuditPermission(StrEnum):
    VERIFY = "audit.verify"
    CHECKPOINT = "audit.checkpoint"
    FORK_PROPOSE = "audit.fork.propose"
    FORK_APPROVE = "audit.fork.approve"
    READ = "audit.read"


PERMISSIONS: dict[str, Permission] = {
    AuditPermission.VERIFY: permission(
        "仅安全审计员可校验审计链",
        "only the security auditor verifies the audit chain",
        AUDITOR,
        scope=Scope.RECORDS_READ,
    ),
    AuditPermission.CHECKPOINT: permission(
        "仅安全审计员可签署检查点",
        "only the security auditor signs checkpoints",
        AUDITOR,
        scope=Scope.CASES_DECIDE,
    ),
    AuditPermission.FORK_PROPOSE: permission(
        "仅安全审计员可提出分叉登记（备份恢复）",
        "only the security auditor proposes a fork (restore from backup)",
        AUDITOR,
        scope=Scope.CASES_SUBMIT,
    ),
    AuditPermission.FORK_APPROVE: permission(
        "仅安全管理员可批准分叉登记",
        "only the security administrator approves a fork",
        SECADMIN,
        scope=Scope.CASES_DECIDE,
    ),
    AuditPermission.READ: permission(
        "仅安全审计员可查阅审计日志",
        "only the security auditor reads the audit log",
        AUDITOR,
        scope=Scope.RECORDS_READ,
    ),
}
