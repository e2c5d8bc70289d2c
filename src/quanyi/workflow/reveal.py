"""Seeing the identities a correction changed (DESIGN.md invariant 4; PIPL art. 28): the
auditor reads the modification log masked. An ``audit.reveal`` case names one maintenance entry
and why its values are needed; the security administrator approves it; then the auditor who
asked may see that entry's values once (``quanyi audit reveal CASE_ID``), and the showing is an
audit event of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.access.errors import Refused
from quanyi.access.policy import authorize, scope
from quanyi.audit import services as audit
from quanyi.audit.models import AuditEvent
from quanyi.core.bounds import parse_id
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.schemas import Payload
from quanyi.workflow.errors import case_not_found, wrong_state
from quanyi.workflow.models import Case, CaseStatus
from quanyi.workflow.permissions import CasePermission
from quanyi.workflow.queries import entry_json, maintenance_entries
from quanyi.workflow.stages import Stage
from quanyi.workflow.types import CaseType, Change, FormField, register

TYPE = "audit.reveal"
SHOWN = "maintenance.reveal"  # the audit action of the one showing
MAX_REASON = 1000


def _entry_id(principal: Principal, value: Any) -> int:
    entry = parse_id(value, "entry")
    if not maintenance_entries(principal).filter(pk=entry).exists():
        raise InvalidInput.one(
            "entry", "no_entry", "没有该维护日志条目", "no such maintenance entry"
        )
    return entry


def _check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    problems: list[InvalidInput] = [
        InvalidInput.one(name, "unknown_field", "未知字段", "unknown field")
        for name in sorted(set(payload) - {"entry", "reason"})
    ]
    entry = 0
    try:
        entry = _entry_id(principal, payload.get("entry"))
    except InvalidInput as problem:
        problems.append(problem)
    reason = str(payload.get("reason") or "").strip()
    if not reason or len(reason) > MAX_REASON or not reason.isprintable():
        problems.append(
            InvalidInput.one(
                "reason",
                "required",
                f"须说明查看原因（1 至 {MAX_REASON} 个可打印字符）",
                f"give the reason (1 to {MAX_REASON} printable characters)",
            )
        )
    if problems:
        raise InvalidInput([error for problem in problems for error in problem.errors])
    return {"entry": entry, "reason": reason}


def _changes(principal: Principal, payload: Mapping[str, Any]) -> list[Change]:
    return [Change(f"maintenance {payload['entry']}", "values", "masked", "shown once")]


def _apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    """The approval itself is the permission; it writes nothing else."""
    _entry_id(principal, payload["entry"])
    return f"maintenance {payload['entry']}: may be shown once"


class RevealPayload(Payload):
    entry: int
    reason: str


@register
class AuditReveal(CaseType[RevealPayload]):
    name = TYPE
    zh = "查看维护日志身份信息申请"
    en = "request to see the identities of a maintenance entry"
    stages = (Stage.INTAKE, Stage.APPROVAL)
    payload = RevealPayload
    fields = (
        FormField("entry", "维护日志条目编号", "maintenance entry", True),
        FormField("reason", "查看原因", "reason", True),
    )
    permissions = {
        Stage.INTAKE: CasePermission.REVEAL_PROPOSE,
        Stage.APPROVAL: CasePermission.REVEAL_APPROVE,
        "read": CasePermission.REVEAL_READ,
    }

    def check(self, principal: Principal, data: Mapping[str, Any]) -> RevealPayload:
        return self.parse(_check(principal, data))

    def changes(self, principal: Principal, payload: RevealPayload) -> list[Change]:
        return _changes(principal, self.dump(payload))

    def apply(self, principal: Principal, payload: RevealPayload) -> str:
        return _apply(principal, self.dump(payload))


def reveal(principal: Principal, case_id: int) -> dict[str, Any]:
    """The values of the entry an approved request names, once, to the auditor who asked."""
    authorize(principal, CasePermission.REVEAL_PROPOSE)
    case = scope(Case.objects.select_for_update(), principal).filter(pk=case_id, type=TYPE).first()
    if case is None:
        raise case_not_found()
    if case.submitted_by != principal.actor:
        raise Refused(
            "无权操作：只有提出申请的审计员可以查看",
            "refused: only the auditor who asked sees the values",
            SHOWN,
            f"case {case.pk}",
        )
    if case.status != CaseStatus.APPROVED:
        raise wrong_state("申请尚未经安全管理员批准", "the request is not approved")
    if AuditEvent.objects.filter(action=SHOWN, object_type="case", object_id=str(case.pk)).exists():
        raise wrong_state("该申请的信息已查看过一次", "the values were shown once already")
    entry = maintenance_entries(principal).get(pk=case.payload["entry"])
    audit.record(principal, SHOWN, "case", str(case.pk))
    return entry_json(entry, masked=False)
