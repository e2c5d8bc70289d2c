"""Reads of cases: one case with its history and diff, the review queue, the modification log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from quanyi.access.policy import allowed, authorize, scope
from quanyi.core import labels
from quanyi.core.canonical import format_time
from quanyi.core.errors import QuanyiError, current_language
from quanyi.core.identifiers import mask_text, mask_value
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.workflow import schemas, types
from quanyi.workflow.errors import case_not_found
from quanyi.workflow.models import Case, CaseStatus, Decision, DiffKind, MaintenanceEntry
from quanyi.workflow.permissions import CasePermission
from quanyi.workflow.stages import Stage


def _stage_label(stage: str) -> str:
    return labels.label("stage", stage) if stage else ""


def _visible(principal: Principal) -> QuerySet[Case]:
    """The cases of the types the principal may read (business cases for staff, account cases
    for the sysadmin and the security administrator), in their region. Refuses, naming the
    rule, one who may read no case at all."""
    readable = [t.name for t in types.all_types() if allowed(principal, t.permission("read"))]
    if not readable:
        authorize(principal, CasePermission.READ)
    return scope(Case.objects.filter(type__in=readable), principal)


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
        "status_label": labels.label("case_status", found.status),
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
        payload={key: mask_value(key, value) for key, value in found.payload.items()},
        decisions=[
            schemas.DecisionOut(
                round=d.round,
                stage=Stage(d.stage),
                stage_label=_stage_label(d.stage),
                actor=d.actor,
                time=format_time(d.decided_at),
                decision=Decision(d.decision),
                decision_label=labels.label("decision", d.decision),
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
            body.changes = [_masked(c.out()) for c in case_type.changes(principal, payload)]
        except QuanyiError as problem:  # the data moved since intake: show why
            body.changes = []
            body.problem = problem.message()
    elif with_diff:
        kept = found.diffs.order_by("-pk").first()
        if kept is not None:
            body.changes = [_masked(schemas.ChangeOut(**c)) for c in kept.changes]
            if found.status == CaseStatus.APPROVED and kept.kind == DiffKind.APPLIED:
                body.outcome = str(kept.summary.get(current_language(), ""))
    return body


def shown_changes(changes: list[types.Change]) -> list[schemas.ChangeOut]:
    """A diff as the screens show it (a preview before intake): masked."""
    return [_masked(change.out()) for change in changes]


def _masked(change: schemas.ChangeOut) -> schemas.ChangeOut:
    """A line of a diff as any surface shows it: id numbers and phones masked (a reviewer
    checks them against the documents attached, not against the screen)."""
    field = change.field
    return change.model_copy(
        update={
            "object": mask_text(change.object),
            "before": mask_value(field, change.before),
            "after": mask_value(field, change.after),
        }
    )


def queue(principal: Principal, stage: str | None = None) -> list[schemas.QueuedCase]:
    """Open cases waiting at the stages this principal's roles act on (or one stage), oldest
    first; returned cases for their submitter."""
    visible = _visible(principal)
    mine = Q(pk__in=[])
    for case_type in types.all_types():
        for step in case_type.stages[1:]:
            if (not stage or step == stage) and allowed(principal, case_type.permission(step)):
                mine |= Q(type=case_type.name, stage=step)
    waiting = visible.filter(mine, status=CaseStatus.OPEN)
    returned = visible.filter(status=CaseStatus.RETURNED, submitted_by=principal.actor)
    rows = list(waiting.order_by("submitted_at", "pk")[:500]) + list(
        returned.order_by("submitted_at", "pk")[:100]
    )
    return [schemas.QueuedCase(**_listed(c)) for c in rows]


def mine(principal: Principal) -> list[schemas.QueuedCase]:
    """The cases this principal took in that are still in flight (open or returned)."""
    rows = _visible(principal).filter(
        submitted_by=principal.actor, status__in=(CaseStatus.OPEN, CaseStatus.RETURNED)
    )
    return [schemas.QueuedCase(**_listed(c)) for c in rows.order_by("-submitted_at", "-pk")[:200]]


SEARCH_LIMIT = 200


def about(principal: Principal, subject: str) -> list[dict[str, Any]]:
    """The cases about one person or employer (its id number or credit code) that the principal
    may read, newest first — for the person's and the employer's page; none for one who may
    read no case."""
    if not any(allowed(principal, t.permission("read")) for t in types.all_types()):
        return []
    rows = _visible(principal).filter(subject=subject).order_by("-submitted_at", "-pk")
    return [
        {
            "id": c.pk,
            "type": c.type,
            "type_label": types.get(c.type).label(current_language()),
            "status": c.status,
            "stage": c.stage,
            "submitted_at": c.submitted_at,
        }
        for c in rows[:SEARCH_LIMIT]
    ]


def search(principal: Principal, criteria: schemas.CaseSearch) -> list[schemas.QueuedCase]:
    """Cases the principal may read matching every criterion given, newest first (at most
    ``SEARCH_LIMIT``): number, type, status, subject (an id number or credit code, found by
    its blind index), submitted from/to (dates in the agency's time zone)."""
    found = _visible(principal)
    if criteria.number is not None:
        found = found.filter(pk=criteria.number)
    if criteria.type:
        found = found.filter(type=criteria.type)
    if criteria.status:
        found = found.filter(status=criteria.status)
    if criteria.subject:
        found = found.filter(subject=criteria.subject)
    if criteria.submitted_from:
        found = found.filter(submitted_at__date__gte=criteria.submitted_from)
    if criteria.submitted_to:
        found = found.filter(submitted_at__date__lte=criteria.submitted_to)
    rows = found.order_by("-submitted_at", "-pk")[:SEARCH_LIMIT]
    return [schemas.QueuedCase(**_listed(c)) for c in rows]


# Fields that identify a person (PIPL art. 28; DESIGN.md invariant 4): the auditor sees that
# they changed and when, never their values, unless the security administrator approves a
# reveal request (``workflow/reveal.py``).
IDENTITY_FIELDS = frozenset({"id_number", "name", "sex", "birth_date", "phone"})


def modifications(principal: Principal, month: str) -> list[schemas.MaintenanceRow]:
    """The month's modification log (003 §5; 001 art. 12): time, content, reason, method and
    the responsible person of every applied correction in the principal's region — identities
    masked: an identity field shows that it changed, not its values, and an id number anywhere
    else shows masked (``110105********123X``)."""
    authorize(principal, CasePermission.MAINTENANCE_READ)

    YearMonth.parse(month, "month")
    return [
        schemas.MaintenanceRow.model_validate(entry_json(e, masked=True))
        for e in maintenance_entries(principal).filter(month=month).order_by("maintained_at", "pk")
    ]


def maintenance_entries(principal: Principal) -> QuerySet[MaintenanceEntry]:
    """Entries of corrections in the principal's region; others answer like absent ones."""
    return scope(MaintenanceEntry.objects.all(), principal, "case__region")


def entry_json(entry: MaintenanceEntry, *, masked: bool) -> dict[str, Any]:
    return {
        "entry": entry.pk,
        "time": format_time(entry.maintained_at),
        "case": entry.case_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "content": [_change(c, masked) for c in entry.content],
        "reason": mask_text(entry.reason) if masked else entry.reason,
        "method": mask_text(entry.method) if masked else entry.method,
        "responsible": entry.responsible,
        "submitted_by": entry.submitted_by,
    }


def _change(change: Mapping[str, Any], masked: bool) -> dict[str, Any]:
    field = str(change.get("field", ""))
    if not masked:
        return {"field": field, "before": change.get("before"), "after": change.get("after")}
    if field in IDENTITY_FIELDS:
        return {"field": field, "before": None, "after": None, "hidden": True}
    return {
        "field": field,
        "before": _mask_value(change.get("before")),
        "after": _mask_value(change.get("after")),
        "hidden": False,
    }


def _mask_value(value: Any) -> Any:
    return mask_text(value) if isinstance(value, str) else value


def filed_by(principal: Principal, type_name: str) -> list[dict[str, Any]]:
    """The cases of one type this principal filed, newest first, each with the opinions its
    reviewers wrote — for a person or employer following their own objections, the answers."""
    found = (
        Case.objects.filter(type=type_name, submitted_by=principal.actor)
        .order_by("-pk")
        .prefetch_related("decisions")[:50]
    )
    return [
        {
            "id": case.pk,
            "status": case.status,
            "stage": case.stage,
            "submitted_at": case.submitted_at,
            "answers": [
                {"stage": d.stage, "decision": d.decision, "opinion": d.opinion}
                for d in case.decisions.all()
                if d.stage != "intake" and d.opinion
            ],
        }
        for case in found
    ]
