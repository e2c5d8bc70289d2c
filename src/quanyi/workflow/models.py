"""Cases (业务件) and their ledgers: decisions, attachments, maintenance-log entries.

A case's status and stage change as it moves, so ``Case`` is a tracked row (its current content
matches the digest of its latest audit event). Decisions, attachments and maintenance-log
entries are facts: append-only ledgers, tracked as well.
"""

from __future__ import annotations

from django.db import models

from quanyi.audit.appendonly import append_only
from quanyi.audit.tracking import tracked
from quanyi.core.fields import BlindIndex, SealedJSON, SealedText


class CaseStatus(models.TextChoices):
    OPEN = "open", "办理中"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


@tracked(
    "case",
    (
        "type",
        "payload",
        "status",
        "stage",
        "region",
        "submitted_by",
        "submitted_at",
        "round",
        "result",
    ),
)
class Case(models.Model):
    type = models.CharField("业务类型", max_length=40, db_index=True)
    payload = SealedJSON("业务数据")  # sealed whole: it holds id numbers and phones
    status = models.CharField(max_length=10, choices=CaseStatus.choices, db_index=True)
    stage = models.CharField(max_length=10, blank=True, default="")
    region = models.CharField("经办统筹区", max_length=6, db_index=True)
    submitted_by = models.CharField(max_length=150)
    submitted_at = models.DateTimeField()
    round = models.PositiveIntegerField(default=1)  # grows at every resubmission
    result = models.CharField(max_length=100, blank=True, default="")  # what applying wrote
    # Derived, outside the audited content: the one-time key of the intake form that made the
    # case (a form sent twice makes one case), and whom or what it is about — the id number or
    # credit code its payload names, sealed and found by its blind index (case search).
    intake_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    subject_index = BlindIndex(source="subject", purpose="case_subject", null=True, db_index=True)
    subject = SealedText("业务对象", purpose="case_subject", max_length=18, null=True, blank=True)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "stage", "region"]),
            models.Index(fields=["submitted_by", "status"]),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} {self.type}"


class Decision(models.TextChoices):
    SUBMIT = "submit", "提交"
    APPROVE = "approve", "通过"
    REJECT = "reject", "退回"
    RESUBMIT = "resubmit", "重新提交"
    WITHDRAW = "withdraw", "撤回"


@append_only
@tracked(
    "decision",
    ("case_id", "round", "stage", "actor", "decided_at", "decision", "opinion", "payload_digest"),
)
class CaseDecision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    round = models.PositiveIntegerField()
    stage = models.CharField(max_length=10)
    actor = models.CharField(max_length=150)
    decided_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    opinion = models.TextField(blank=True, default="")
    payload_digest = models.CharField(max_length=64)  # what was decided on
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"case {self.case_id} {self.stage}: {self.decision}"


class DiffKind(models.TextChoices):
    INTAKE = "intake", "受理时"
    APPLIED = "applied", "办结时"


@append_only
@tracked("case_diff", ("case_id", "round", "kind", "changes", "summary", "taken_at"))
class CaseDiff(models.Model):
    """What a case changes, kept: as its reviewers saw it at intake (each round) and as its
    approval applied it, so the diff and a sentence saying what was done stay with the case
    after it is closed. Sealed: a diff holds id numbers and phones."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="diffs")
    round = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=DiffKind.choices)
    changes = SealedJSON("变更内容")
    summary = models.JSONField(default=dict)  # {"zh": …, "en": …}
    taken_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"case {self.case_id} round {self.round} {self.kind}"


@append_only
@tracked("attachment", ("case_id", "file_name", "size", "sha256", "added_by", "added_at"))
class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    file_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField()
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return self.file_name


@append_only
@tracked(
    "maintenance",
    (
        "case_id",
        "month",
        "maintained_at",
        "object_type",
        "object_id",
        "content",
        "reason",
        "method",
        "responsible",
        "submitted_by",
    ),
)
class MaintenanceEntry(models.Model):
    """维护日志 (001 art. 12; 003 §5): time, content, reason, method, responsible person."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="maintenance")
    month = models.CharField(max_length=7, db_index=True)
    maintained_at = models.DateTimeField()
    object_type = models.CharField(max_length=20)
    object_id = models.CharField(max_length=40)
    content = SealedJSON()  # [{"field", "before", "after"}], sealed whole
    reason = models.TextField()
    method = models.TextField()
    responsible = models.CharField(max_length=150)  # who approved it
    submitted_by = models.CharField(max_length=150)
    audit_seq = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.month} {self.object_type} {self.object_id}"
