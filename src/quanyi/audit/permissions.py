"""Permissions of the audit chain's tools (declared as data; ``access.policy`` enforces them,
so ``audit`` needs import nothing above ``core``)."""

from __future__ import annotations

from quanyi.core.permissions import Permission, permission

AUDITOR, SECADMIN = "auditor", "secadmin"

PERMISSIONS: dict[str, Permission] = {
    "audit.verify": permission(
        "仅安全审计员可校验审计链", "only the security auditor verifies the audit chain", AUDITOR
    ),
    "audit.checkpoint": permission(
        "仅安全审计员可签署检查点", "only the security auditor signs checkpoints", AUDITOR
    ),
    "audit.fork.propose": permission(
        "仅安全审计员可提出分叉登记（备份恢复）",
        "only the security auditor proposes a fork (restore from backup)",
        AUDITOR,
    ),
    "audit.fork.approve": permission(
        "仅安全管理员可批准分叉登记",
        "only the security administrator approves a fork",
        SECADMIN,
    ),
    "audit.read": permission(
        "仅安全审计员可查阅审计日志", "only the security auditor reads the audit log", AUDITOR
    ),
}
