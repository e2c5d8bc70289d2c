"""The case as every surface shows it (DESIGN.md, CLI contract: ``id``, ``type``, ``status``,
``stage``, ``decisions``): ``case submit|act|resubmit|show``, ``import legacy``, the API and
the case screen print one ``Case``."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema
from pydantic import Field

from quanyi.workflow.models import CaseStatus, Decision
from quanyi.workflow.stages import Stage


class ChangeOut(Schema):
    """One line of the diff the reviewers see: what a field holds now and what it will hold."""

    object: str
    field: str
    before: Any
    after: Any
    name: str = ""  # how a user knows the object (a person's name, an employer's)


class DecisionOut(Schema):
    round: int
    stage: Stage
    stage_label: str
    actor: str
    time: str
    decision: Decision
    decision_label: str
    opinion: str


class AttachmentOut(Schema):
    file_name: str
    size: int
    sha256: str


class QueuedCase(Schema):
    """A case as the review queue lists it."""

    id: int
    type: str
    type_label: str
    status: CaseStatus
    status_label: str
    stage: Stage | None
    stage_label: str
    submitted_by: str
    submitted_at: str


class Case(QueuedCase):
    """A case with its history; while open or returned, ``changes`` is the diff of what
    approving it will change (or ``problem`` says why the data no longer allows it)."""

    stages: list[Stage]
    stage_labels: list[str]
    round: int
    region: str
    result: str | None
    payload: dict[str, Any]
    decisions: list[DecisionOut]
    attachments: list[AttachmentOut]
    changes: list[ChangeOut] | None = None
    problem: str | None = None
    # Once closed: what the approval did, in words, and ``changes`` is the diff it applied
    # (or, withdrawn, the diff its last round proposed).
    outcome: str | None = None


class CaseSearch(Schema):
    """Case search criteria, each optional; ``subject`` is an id number or credit code."""

    number: int | None = Field(default=None, ge=1, le=2**63 - 1)
    type: str | None = Field(default=None, max_length=40)
    status: CaseStatus | None = None
    subject: str | None = Field(default=None, max_length=18)
    submitted_from: date | None = None
    submitted_to: date | None = None


class FormFieldOut(Schema):
    name: str
    zh: str
    en: str
    required: bool


class CaseTypeOut(Schema):
    """A case type: its stages, the intake form's fields and the JSON schema of its payload."""

    type: str
    zh: str
    en: str
    stages: list[Stage]
    maintenance: bool
    fields: list[FormFieldOut]
    payload: dict[str, Any]


class FieldChange(Schema):
    field: str
    before: Any
    after: Any
    # An identity field shown to the auditor: that it changed, not its values.
    hidden: bool = False


class MaintenanceRow(Schema):
    """An entry of the modification log (维护日志, 003 §5; 001 art. 12)."""

    entry: int
    time: str
    case: int
    object_type: str
    object_id: str
    content: list[FieldChange]
    reason: str
    method: str
    responsible: str
    submitted_by: str
