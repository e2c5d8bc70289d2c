"""Permissions of business cases (declared as data, enforced by ``access.policy``).

The ``case.<stage>`` permissions are the defaults a case type acts on; a type may name its own
in their place (``CaseType.permissions``), as account cases and reveal requests do.
"""

from __future__ import annotations

from enum import StrEnum

from quanyi.access.roles import RECORD_READERS, Role
from quanyi.access.roles import label as role_label
from quanyi.core.permissions import Permission, Scope, permission
from quanyi.workflow.stages import LABELS, Stage


class CasePermission(StrEnum):
    INTAKE = "case.intake"
    CHECK = "case.check"
    REVIEW = "case.review"
    RECHECK = "case.recheck"
    APPROVAL = "case.approval"
    SUBMIT = "case.submit"
    READ = "case.read"
    MAINTENANCE_READ = "maintenance.read"
    REVEAL_PROPOSE = "maintenance.reveal.propose"
    REVEAL_APPROVE = "maintenance.reveal.approve"
    REVEAL_READ = "maintenance.reveal.read"


# Each review stage needs its own role (001 art. 7; 003 §4); the one-person-one-stage rule is
# the workflow's, over the case's decisions.
_STAGES = (
    (Stage.INTAKE, Role.OPERATOR),
    (Stage.CHECK, Role.CHECKER),
    (Stage.REVIEW, Role.REVIEWER),
    (Stage.RECHECK, Role.RECHECKER),
    (Stage.APPROVAL, Role.APPROVER),
)

PERMISSIONS: dict[str, Permission] = {
    **{
        CasePermission(f"case.{stage}"): permission(
            f"{LABELS[stage][0]}环节须由{role_label(role)}办理（001 第七条）",
            f"the {LABELS[stage][1]} stage needs the {role_label(role, 'en')} role (001 art. 7)",
            role,
            business=True,
            scope=Scope.CASES_SUBMIT if stage is Stage.INTAKE else Scope.CASES_DECIDE,
            region=True,
        )
        for stage, role in _STAGES
    },
    CasePermission.SUBMIT: permission(
        "仅业务经办用户可受理业务件",
        "only operators take in cases",
        Role.OPERATOR,
        business=True,
        scope=Scope.CASES_SUBMIT,
    ),
    CasePermission.READ: permission(
        "仅本统筹区的经办、审核类用户可查看业务件",
        "only staff of the case's region read it",
        *RECORD_READERS,
        business=True,
        scope=Scope.RECORDS_READ,
        region=True,
    ),
    CasePermission.MAINTENANCE_READ: permission(
        "仅安全审计员可查阅维护日志",
        "only the security auditor reads the maintenance log",
        Role.AUDITOR,
        scope=Scope.RECORDS_READ,
    ),
    # The auditor sees the modification log masked; a value is shown only through a request
    # the security administrator approves (DESIGN.md invariant 4).
    CasePermission.REVEAL_PROPOSE: permission(
        "仅安全审计员可申请查看维护日志中的身份信息",
        "only the security auditor asks to see the identities in a maintenance entry",
        Role.AUDITOR,
        scope=Scope.CASES_SUBMIT,
        region=True,
    ),
    CasePermission.REVEAL_APPROVE: permission(
        "查看维护日志中的身份信息须经安全管理员审批",
        "the security administrator approves showing the identities of a maintenance entry",
        Role.SECADMIN,
        scope=Scope.CASES_DECIDE,
        region=True,
    ),
    CasePermission.REVEAL_READ: permission(
        "仅本统筹区的安全审计员和安全管理员可查看身份信息查看申请",
        "only the auditor and the security administrator of the region read reveal requests",
        Role.AUDITOR,
        Role.SECADMIN,
        scope=Scope.RECORDS_READ,
        region=True,
    ),
}
