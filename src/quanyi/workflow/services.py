"""Moving cases through their stages (001 art. 7; 003 §4-5). The only code that writes cases.

- ``submit`` is the intake decision: the payload is validated (every reason at once) and the
  case waits at the next stage.
- ``act``: approve moves the case on; the approval at the last stage applies it, in the same
  transaction; reject returns it to the submitter with the opinion; withdraw (submitter only)
  ends it.
- ``resubmit`` continues a returned case, with a corrected payload if given.
- One person acts on at most one stage of a case, so the submitter never approves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from quanyi.access import applying
from quanyi.access.errors import Refused
from quanyi.access.policy import authorize, scope
from quanyi.audit import services as audit
from quanyi.core.canonical import digest
from quanyi.core.errors import InvalidInput, QuanyiError
from quanyi.core.principal import Principal
from quanyi.workflow import diffs, storage, types
from quanyi.workflow.errors import ApplyFailed, case_not_found, wrong_state
from quanyi.workflow.models import (
    Attachment,
    Case,
    CaseDecision,
    CaseStatus,
    Decision,
    DiffKind,
    MaintenanceEntry,
)
from quanyi.workflow.stages import LABELS, Stage

MAX_ATTACHMENT_BYTES = 1024 * 1024 * 1024  # legacy import files are large
# An opinion is a reviewer's sentence or two; a longer text is pasted by mistake (DESIGN.md
# invariant 8: every input bounded).
OPINION_MAX = 2000
log = logging.getLogger("quanyi.workflow")


@dataclass(frozen=True)
class NewAttachment:
    file_name: str
    content: bytes | Path  # the bytes, or a file to read as a stream


def _assert_transaction() -> None:
    assert connection.in_atomic_block, "workflow services run inside the caller's transaction"


def _now() -> datetime:
    return datetime.now(UTC)


def _payload_digest(payload: Mapping[str, Any]) -> str:
    return digest(dict(payload))


def _decide(
    principal: Principal, case: Case, stage: str, decision: Decision, opinion: str
) -> CaseDecision:
    if len(opinion) > OPINION_MAX:
        raise InvalidInput.one(
            "opinion", "too_long", f"最多 {OPINION_MAX} 个字符", f"at most {OPINION_MAX} characters"
        )
    return audit.create_entry(
        principal,
        f"case.{decision}",
        CaseDecision,
        case=case,
        round=case.round,
        stage=stage,
        actor=principal.actor,
        decided_at=_now(),
        decision=decision,
        opinion=opinion,
        payload_digest=_payload_digest(case.payload),
    )


def _check(principal: Principal, case_type: types.CaseType[Any], payload: Any) -> dict[str, Any]:
    """The payload as the case keeps it: checked once, cleaned, as its schema dumps it."""
    if not isinstance(payload, Mapping):
        raise InvalidInput.one(
            "data", "not_object", "业务数据须为 JSON 对象", "data is a JSON object"
        )
    return case_type.dump(case_type.check(principal, payload))


def preview(principal: Principal, type_name: str, payload: Any) -> list[types.Change]:
    """What taking in this payload would change, checked as intake checks it — and writing
    nothing: the intake screen shows it before the clerk submits."""
    case_type = types.get(type_name)
    authorize(principal, case_type.permission(Stage.INTAKE))
    cleaned = _check(principal, case_type, payload)
    changes = case_type.changes(principal, case_type.load(cleaned))
    if not changes:
        raise diffs.nothing_to_change()
    return changes


def submit(
    principal: Principal,
    type_name: str,
    payload: Any,
    attachments: tuple[NewAttachment, ...] = (),
    opinion: str = "",
    intake_key: str | None = None,
    once: bool = False,
) -> Case:
    """受理: validate and take in a case; it then waits at its second stage. A form sent again
    with the same ``intake_key`` (a double click) gets the case it made; with ``once`` (the
    screens), so does the same data sent again by the same clerk while their case for it is in
    flight (the back button fetches a fresh form)."""
    _assert_transaction()
    case_type = types.get(type_name)
    authorize(principal, case_type.permission(Stage.INTAKE))
    if intake_key:
        made = Case.objects.filter(intake_key=intake_key).first()
        if made is not None:
            if made.submitted_by != principal.actor:
                raise InvalidInput.one(
                    "intake_key", "used", "该表单已被使用", "this form was already used"
                )
            return made
    # Stored before intake checks the payload, so a type can check the documents it names
    # against what the case will carry; if intake refuses, files no case refers to go again.
    stored = [_store(attachment) for attachment in attachments]
    try:
        cleaned = _check(principal, case_type, _attached(case_type, payload, stored))
    except QuanyiError:
        discard_unreferenced(sha for _, sha, _ in stored)
        raise
    if once and (made := _in_flight(principal, case_type, cleaned)) is not None:
        return made
    case = Case.objects.create(
        type=case_type.name,
        payload=cleaned,
        status=CaseStatus.OPEN,
        stage=case_type.stages[1],
        region=principal.region,
        submitted_by=principal.actor,
        submitted_at=_now(),
        intake_key=intake_key or None,
        subject=case_type.subject(cleaned),
    )
    audit.record_row(principal, "case.open", case)
    diffs.at_intake(principal, case, case_type, cleaned)
    for name, sha, size in stored:
        _attachment_row(principal, case, name, sha, size)
    _decide(principal, case, Stage.INTAKE, Decision.SUBMIT, opinion)
    return case


def _in_flight(
    principal: Principal, case_type: types.CaseType[Any], cleaned: dict[str, Any]
) -> Case | None:
    """The clerk's open or returned case of this type with exactly this data, if any."""
    candidates = Case.objects.filter(
        type=case_type.name,
        submitted_by=principal.actor,
        status__in=(CaseStatus.OPEN, CaseStatus.RETURNED),
    )
    subject = case_type.subject(cleaned)
    if subject:
        candidates = candidates.filter(subject=subject)
    for candidate in candidates.order_by("-pk")[:50]:
        if candidate.payload == cleaned:
            return candidate
    return None


def _attached(
    case_type: types.CaseType[Any], payload: Any, files: Iterable[tuple[str, str, int]]
) -> Any:
    if not isinstance(payload, Mapping):
        return payload  # refused by ``_check``
    return case_type.attached(payload, [(name, sha) for name, sha, _ in files])


def attach(principal: Principal, case: Case, attachment: NewAttachment) -> Attachment:
    """Keep a supporting document in the data dir under its SHA-256, sealed (``storage``); the
    row records it. A file given by its path is read as a stream."""
    return _attachment_row(principal, case, *_store(attachment))


def _store(attachment: NewAttachment) -> tuple[str, str, int]:
    """(file name, SHA-256, size) of a document kept in the data dir."""
    name = Path(attachment.file_name).name
    given = attachment.content
    size = given.stat().st_size if isinstance(given, Path) else len(given)
    if not name or size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput.one(
            "attachment",
            "bad_attachment",
            "附件须有文件名，且不超过 1 GB",
            "an attachment has a file name and at most 1 GB",
        )
    sha, size = storage.store(storage.file_chunks(given) if isinstance(given, Path) else [given])
    return name, sha, size


def _attachment_row(principal: Principal, case: Case, name: str, sha: str, size: int) -> Attachment:
    return audit.create_entry(
        principal,
        "case.attach",
        Attachment,
        case=case,
        file_name=name[:255],
        size=size,
        sha256=sha,
        added_by=principal.actor,
        added_at=_now(),
    )


def store_content(content: bytes) -> str:
    """Keep a file in the data dir under its SHA-256 (once, however often it is stored)."""
    return storage.store([content])[0]


def read_content(sha: str) -> bytes:
    """A stored file's content (for a large one, ``storage.content`` streams it)."""
    return storage.read(sha)


def discard_unreferenced(shas: Iterable[str]) -> None:
    """Remove stored files that no attachment row refers to (left by a refused submission)."""
    wanted = set(shas)
    kept = set(Attachment.objects.filter(sha256__in=wanted).values_list("sha256", flat=True))
    for sha in wanted - kept:
        stored_path(sha).unlink(missing_ok=True)


def stored_path(sha: str) -> Path:
    return storage.path_of(sha)


def attachment_path(row: Attachment) -> Path:
    return stored_path(row.sha256)


def _case_for(principal: Principal, case_id: int) -> Case:
    case = scope(Case.objects.select_for_update(), principal).filter(pk=case_id).first()
    if case is None:
        raise case_not_found()
    return case


def _check_may_act(principal: Principal, case: Case) -> Stage:
    if case.status != CaseStatus.OPEN:
        raise wrong_state(
            f"业务件状态为 {case.get_status_display()}，不能审批", f"the case is {case.status}"
        )
    stage = Stage(case.stage)
    authorize(principal, types.get(case.type).permission(stage), case)
    others = (
        CaseDecision.objects.filter(case=case, actor=principal.actor)
        .exclude(stage=stage)
        .values_list("stage", flat=True)
        .first()
    )
    if others is not None:
        other_zh = LABELS[Stage(others)][0]
        raise Refused(
            f"无权操作：同一人只能办理一个业务件的一个环节，您已办理{other_zh}环节（双人复核）",
            f"refused: one person acts on one stage of a case; you acted on {others} (four eyes)",
            f"case.{stage}",
            f"case {case.pk}",
        )
    return stage


def act(principal: Principal, case_id: int, decision: str, opinion: str = "") -> Case:
    _assert_transaction()
    case = _case_for(principal, case_id)
    if decision == Decision.WITHDRAW:
        return withdraw(principal, case, opinion)
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise InvalidInput.one(
            "decision",
            "bad_decision",
            "审批意见只能是 approve、reject 或 withdraw",
            "the decision is approve, reject or withdraw",
        )
    stage = _check_may_act(principal, case)
    if decision == Decision.REJECT:
        if not opinion.strip():
            raise InvalidInput.one(
                "opinion", "required", "退回须写明意见", "a rejection states its reason"
            )
        _decide(principal, case, stage, Decision.REJECT, opinion)
        return audit.update_row(
            principal, "case.return", case, status=CaseStatus.RETURNED, stage=Stage.INTAKE
        )
    case_type = types.get(case.type)
    position = case_type.stages.index(stage)
    if position + 1 < len(case_type.stages):
        _decide(principal, case, stage, Decision.APPROVE, opinion)
        return audit.update_row(
            principal, "case.advance", case, stage=case_type.stages[position + 1]
        )
    return _apply(principal, case, case_type, stage, opinion)


def _apply(
    principal: Principal, case: Case, case_type: types.CaseType[Any], stage: Stage, opinion: str
) -> Case:
    """The final approval: apply the case, then decide. Any failure raises ``ApplyFailed``: the
    savepoint rolls back, so neither the data nor the decision is kept and the case stays at
    approval. A failure that is no refusal (an overflow, a value the database refuses) is
    reported by its kind; its traceback goes to the server log, never to the user."""
    try:
        # A savepoint: nothing half-applied survives a failure.
        with transaction.atomic(), applying.granted(principal, case.pk) as applier:
            payload = case_type.load(case.payload)
            kept = case_type.maintenance or case_type.diff_at_intake
            changes = case_type.changes(applier, payload) if kept else []
            result = case_type.apply(applier, payload)
            if case_type.maintenance:
                for change_group in _group(changes):
                    _maintain(applier, case, change_group)
            if case_type.diff_at_intake:
                diffs.keep(applier, case, case_type, DiffKind.APPLIED, changes)
            _decide(principal, case, stage, Decision.APPROVE, opinion)
            return audit.update_row(
                principal,
                "case.approve",
                case,
                status=CaseStatus.APPROVED,
                stage="",
                result=result[:100],
            )
    except Refused:
        raise
    except QuanyiError as error:
        raise ApplyFailed(case.pk, error.message("zh"), error.message("en")) from error
    except Exception as error:
        kind = type(error).__name__
        log.exception("case %s (%s) could not be applied: %s", case.pk, case.type, kind)
        raise ApplyFailed(
            case.pk,
            f"无法执行：{kind}（详情见服务器日志）",
            f"could not be applied: {kind} (details in the server log)",
        ) from error


def _group(changes: list[types.Change]) -> list[list[types.Change]]:
    groups: dict[str, list[types.Change]] = {}
    for change in changes:
        groups.setdefault(change.object, []).append(change)
    return list(groups.values())


def _maintain(principal: Principal, case: Case, changes: list[types.Change]) -> MaintenanceEntry:
    now = _now()
    object_type, _, object_id = changes[0].object.partition(" ")
    return audit.create_entry(
        principal,
        "maintenance.log",
        MaintenanceEntry,
        case=case,
        month=timezone.localtime(now).strftime("%Y-%m"),  # the agency's month, not UTC's
        maintained_at=now,
        object_type=object_type,
        object_id=object_id,
        content=[{"field": c.field, "before": c.before, "after": c.after} for c in changes],
        reason=str(case.payload.get("reason", "")),
        method=str(case.payload.get("method", "")),
        responsible=principal.actor,
        submitted_by=case.submitted_by,
    )


def withdraw(principal: Principal, case: Case, opinion: str = "") -> Case:
    if principal.actor != case.submitted_by:
        raise Refused(
            "无权操作：只有受理人可以撤回业务件",
            "refused: only the submitter withdraws a case",
            "case.withdraw",
            f"case {case.pk}",
        )
    authorize(principal, types.get(case.type).permission(Stage.INTAKE), case)
    if case.status not in (CaseStatus.OPEN, CaseStatus.RETURNED):
        raise wrong_state("业务件已办结或已撤回", "the case is already closed")
    _decide(principal, case, Stage.INTAKE, Decision.WITHDRAW, opinion)
    return audit.update_row(principal, "case.withdraw", case, status=CaseStatus.WITHDRAWN, stage="")


def resubmit(
    principal: Principal, case_id: int, payload: Any | None = None, opinion: str = ""
) -> Case:
    """Continue a returned case (its submitter), with a corrected payload if given."""
    _assert_transaction()
    case = _case_for(principal, case_id)
    if principal.actor != case.submitted_by:
        raise Refused(
            "无权操作：只有受理人可以重新提交",
            "refused: only the submitter resubmits a case",
            "case.resubmit",
            f"case {case.pk}",
        )
    case_type = types.get(case.type)
    authorize(principal, case_type.permission(Stage.INTAKE), case)
    if case.status != CaseStatus.RETURNED:
        raise wrong_state("只有已退回的业务件可以重新提交", "only a returned case is resubmitted")
    carried = case.attachments.order_by("pk").values_list("file_name", "sha256", "size")
    cleaned = _check(
        principal,
        case_type,
        _attached(case_type, case.payload if payload is None else payload, carried),
    )
    audit.update_row(
        principal,
        "case.resubmit",
        case,
        payload=cleaned,
        status=CaseStatus.OPEN,
        stage=case_type.stages[1],
        round=case.round + 1,
    )
    diffs.at_intake(principal, case, case_type, cleaned)
    _decide(principal, case, Stage.INTAKE, Decision.RESUBMIT, opinion)
    return case
