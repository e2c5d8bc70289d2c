"""Permissions of business cases (declared as data, enforced by ``access.policy``)."""

from __future__ import annotations

from quanyi.access.roles import RECORD_READERS, Role
from quanyi.access.roles import label as role_label
from quanyi.core.permissions import Permission, permission
from quanyi.workflow.stages import LABELS, Stage

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
        f"case.{stage}": permission(
            f"{LABELS[stage][0]}环节须由{role_label(role)}办理（001 第七条）",
            f"the {LABELS[stage][1]} stage needs the {role_label(role, 'en')} role (001 art. 7)",
            role,
            business=True,
            scope="records:write",
            region=True,
        )
        for stage, role in _STAGES
    },
    "case.submit": permission(
        "仅业务经办用户可受理业务件",
        "only operators take in cases",
        Role.OPERATOR,
        business=True,
        scope="records:write",
    ),
    "case.read": permission(
        "仅本统筹区的经办、审核类用户可查看业务件",
        "only staff of the case's region read it",
        *RECORD_READERS,
        business=True,
        scope="records:read",
        region=True,
    ),
    "maintenance.read": permission(
        "仅安全审计员可查阅维护日志",
        "only the security auditor reads the maintenance log",
        Role.AUDITOR,
    ),
}
