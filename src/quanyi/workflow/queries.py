"""Reads of cases: one case with its history and diff, the review queue, the modification log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from quanyi.access.policy import allowed, authorize, scope
from quanyi.core.canonical import format_time
from quanyi.core.errors import QuanyiError, current_language
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.workflow import schemas, types
from quanyi.workflow.errors import case_not_found
from quanyi.workflow.models import Case, CaseStatus, Decision, MaintenanceEntry
from quanyi.workflow.stages import LABELS, Stage

STATUS_LABELS = {
    "open": ("办理中", "open"),
    "returned": ("已退回", "returned"),
    "approved": ("已办结", "approved"),
    "withdrawn": ("已撤回", "withdrawn"),
}
DECISION_LABELS = {
    "submit": ("受理提交", "submitted"),
    "approve": ("通过", "approved"),
    "reject": ("退回", "rejected"),
    "resubmit": ("重新提交", "resubmitted"),
    "withdraw": ("撤回", "withdrawn"),
}


def _label(labels: Mapping[Any, tuple[str, str]], key: str) -> str:
    zh, en = labels.get(key, (key, key))
    return en if current_language() == "en" else zh


def _stage_label(stage: str) -> str:
    return _label(LABELS, stage) if stage else ""  # Stage is a StrEnum: its keys are strings


def _visible(principal: Principal) -> QuerySet[Case]:
    authorize(principal, "case.read")
    return scope(Case.objects.all(), principal)


def case(principal: Principal, case_id: int, *, with_diff: bool = True) -> schemas.Case:
    """The case (DESIGN.md): id, type, status, stage, decisions — plus its payload,
    attachments and, while open, the diff of what approving it will change."""
    found = _visible(principal).filter(pk=case_id).first()
    if found is None:
        raise case_not_found()
    return as_schema(principal, found, with_diff=with_diff)


def _listed(found: Case) -> dict[str, Any]:
    """What the queue shows of a case, and the case begins with."""
    return {
        "id": found.pk,
        "type": found.type,
        "type_label": types.get(found.type).label(current_language()),
        "status": CaseStatus(found.status),
        "status_label": _label(STATUS_LABELS, found.status),
        "stage": Stage(found.stage) if found.stage else None,
        "stage_label": _stage_label(found.stage),
        "submitted_by": found.submitted_by,
        "submitted_at": format_time(found.submitted_at),
    }


def as_schema(principal: Principal, found: Case, *, with_diff: bool = True) -> schemas.Case:
    case_type = types.get(found.type)
    body = schemas.Case(
        **_listed(found),
        stages=list(case_type.stages),
        stage_labels=[_stage_label(s) for s in case_type.stages],
        round=found.round,
        region=found.region,
        result=found.result or None,
        payload=found.payload,
        decisions=[
            schemas.DecisionOut(
                round=d.round,
                stage=Stage(d.stage),
                stage_label=_stage_label(d.stage),
                actor=d.actor,
                time=format_time(d.decided_at),
                decision=Decision(d.decision),
                decision_label=_label(DECISION_LABELS, d.decision),
                opinion=d.opinion,
            )
            for d in found.decisions.order_by("pk")
        ],
        attachments=[
            schemas.AttachmentOut(file_name=a.file_name, size=a.size, sha256=a.sha256)
            for a in found.attachments.order_by("pk")
        ],
    )
    if with_diff and found.status in (CaseStatus.OPEN, CaseStatus.RETURNED):
        try:
            payload = case_type.load(found.payload)
            body.changes = [c.out() for c in case_type.changes(principal, payload)]
        except QuanyiError as problem:  # the data moved since intake: show why
            body.changes = []
            body.problem = problem.message()
    return body


def queue(principal: Principal, stage: str | None = None) -> list[schemas.QueuedCase]:
    """Open cases waiting at the stages this principal's roles act on (or one stage), oldest
    first; returned cases for their submitter."""
    visible = _visible(principal)
    stages = [s for s in Stage if allowed(principal, f"case.{s}")]
    if stage:
        stages = [s for s in stages if s == stage]
    waiting = visible.filter(status=CaseStatus.OPEN, stage__in=[str(s) for s in stages])
    returned = visible.filter(status=CaseStatus.RETURNED, submitted_by=principal.actor)
    rows = list(waiting.order_by("submitted_at", "pk")[:500]) + list(
        returned.order_by("submitted_at", "pk")[:100]
    )
    return [schemas.QueuedCase(**_listed(c)) for c in rows]


def modifications(principal: Principal, month: str) -> list[schemas.MaintenanceRow]:
    """The month's modification log (003 §5; 001 art. 12): time, content, reason, method and
    the responsible person of every applied correction."""
    authorize(principal, "maintenance.read")
    YearMonth.parse(month, "month")
    entries = MaintenanceEntry.objects.filter(month=month).order_by("maintained_at", "pk")
    return [
        schemas.MaintenanceRow(
            time=format_time(e.maintained_at),
            case=e.case_id,
            object_type=e.object_type,
            object_id=e.object_id,
            content=e.content,
            reason=e.reason,
            method=e.method,
            responsible=e.responsible,
            submitted_by=e.submitted_by,
        )
        for e in entries
    ]
