"""Identifiable data in bulk (001 art. 22): never a whole-database exchange — a named list of
persons, for a stated purpose and legal basis, as a ``disclosure.export`` case through all five
stages; once approved, ``quanyi record export CASE --out FILE`` writes it once, each person's
read logged under the case, the run itself a tracked row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from quanyi.access.errors import Refused
from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.identifiers import parse_id_number
from quanyi.core.principal import Principal
from quanyi.core.schemas import Payload
from quanyi.disclosure.cases import listed_items
from quanyi.disclosure.decision import record_items
from quanyi.disclosure.models import ExportRun
from quanyi.workflow import documents
from quanyi.workflow.documents import DocumentName, RestsOnDocument, Sha256
from quanyi.workflow.models import Case
from quanyi.workflow.stages import ALL_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register

MOST_PERSONS = 100_000


class ExportRequest(Payload):
    requester: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field(min_length=1, max_length=300)
    items: list[str]
    id_numbers: list[str] = Field(min_length=1, max_length=MOST_PERSONS)
    document_sha256: Sha256 | None = None
    document_name: DocumentName = ""

    @field_validator("items", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> list[str]:
        return listed_items(value)


@register
class ExportCase(RestsOnDocument, CaseType[ExportRequest]):
    name = "disclosure.export"
    zh = "批量提供个人权益数据"
    en = "bulk provision of identifiable data"
    missing = (
        "须附书面申请（扫描件）（001 第十九条）",
        "attach the written application (001 art. 19)",
    )
    stages = ALL_STAGES
    payload = ExportRequest
    fields = (
        FormField("requester", "申请单位", "requesting body", True),
        FormField("purpose", "用途", "purpose", True, "textarea"),
        FormField("legal_basis", "法律依据", "legal basis", True, "textarea"),
        FormField("items", "提供事项", "items", True, "choices", "record_item"),
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> ExportRequest:
        payload = self.parse(data)
        problems: list[FieldError] = []
        numbers: list[str] = []
        for row, typed in enumerate(payload.id_numbers, start=1):
            try:
                numbers.append(parse_id_number(typed, f"id_numbers[{row}]").number)
            except InvalidInput as bad:
                problems.extend(bad.errors)
        known = record_items()
        if not payload.items or any(item not in known for item in payload.items):
            problems.extend(
                InvalidInput.one(
                    "items", "bad_items", f"须从以下事项中选择：{'、'.join(known)}",
                    f"choose items among {', '.join(known)}",
                ).errors
            )  # fmt: skip
        if problems:
            raise InvalidInput(problems)
        unique = list(dict.fromkeys(numbers))
        chosen = [item for item in known if item in payload.items]
        return payload.model_copy(update={"id_numbers": unique, "items": chosen})

    def changes(self, principal: Principal, payload: ExportRequest) -> list[Change]:
        label = "export"
        return [
            Change(label, "requester", None, payload.requester),
            Change(label, "purpose", None, payload.purpose),
            Change(label, "legal_basis", None, payload.legal_basis),
            Change(label, "items", None, ",".join(payload.items)),
            Change(label, "persons", None, len(payload.id_numbers)),
            Change(label, "document_sha256", None, payload.document_sha256),
        ]

    def apply(self, principal: Principal, payload: ExportRequest) -> str:
        documents.carried(principal.case_id, payload.document_sha256)
        return f"export approved: {len(payload.id_numbers)} persons, to be written once"


def approved_export(principal: Principal, case_id: int) -> ExportRequest:
    """The approved export's payload, for the one run it allows."""
    authorize(principal, "record.export")
    case = Case.objects.filter(pk=case_id, type=ExportCase.name).first()
    if case is None or case.status != "approved":
        raise Refused(
            f"业务件 {case_id} 不是已审批的批量提供业务件（disclosure.export）",
            f"refused: case {case_id} is no approved disclosure.export case",
            "record.export",
        )
    if ExportRun.objects.filter(case_id=case_id).exists():
        raise Refused(
            f"业务件 {case_id} 批准的数据已提供过一次，不得重复提供",
            f"refused: case {case_id}'s data was written once already",
            "record.export",
        )
    return ExportCase().load(case.payload)


def record_run(principal: Principal, case_id: int, persons: int, sha256: str) -> ExportRun:
    return audit.create_entry(
        principal,
        "disclosure.export",
        ExportRun,
        case_id=case_id,
        actor=principal.actor,
        persons=persons,
        file_sha256=sha256,
    )
