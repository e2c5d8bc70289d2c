"""Objections (异议, 001 art. 11, 16; 003 §4 (二)): a person — or an employer about its staff —
disputes part of a record, with evidence. The objection is a reviewed case: upheld, it is
answered by a ``record.correct`` case citing it (the correction's reason names the objection);
not upheld, the reviewer's or approver's opinion is the written answer, and the case returns
to the one who filed it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import Field, field_validator

from quanyi.access.errors import Refused
from quanyi.core.errors import InvalidInput, NotFound
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.core.schemas import Month, Payload
from quanyi.disclosure.cases import listed_items
from quanyi.disclosure.decision import record_items
from quanyi.registry import services as registry
from quanyi.registry.models import InsuranceRelation, Person
from quanyi.workflow import documents
from quanyi.workflow.documents import DocumentName, Sha256
from quanyi.workflow.stages import REGISTRY_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register


class Objection(Payload):
    id_number: str
    items: list[str]
    month: Month | Literal[""] = ""
    description: str = Field(min_length=1, max_length=2000)
    document_sha256: Sha256 | None = None
    document_name: DocumentName = ""

    @field_validator("items", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> list[str]:
        return listed_items(value)


def objected_person(principal: Principal, id_number: str) -> Person:
    """Whose record the objection disputes — one's own for a person, a present or former
    employee's for an employer, anyone's in the region for the counter."""
    try:
        person = registry.person_by_id_number(principal, id_number)
    except NotFound as missing:
        raise InvalidInput.one("id_number", "not_found", missing.zh, missing.en) from None
    if principal.kind == "person" and principal.person_id != person.pk:
        raise Refused(
            "只可对本人的权益记录提出异议（001 第十一条）",
            "refused: a person objects to their own record only (001 art. 11)",
            "objection.file",
        )
    if (
        principal.kind == "employer"
        and not InsuranceRelation.objects.filter(
            person=person, employer_id=principal.employer_id or 0
        ).exists()
    ):
        raise Refused(
            "用人单位只可对本单位职工的权益记录提出异议（001 第十六条）",
            "refused: an employer objects to its own staff's records only (001 art. 16)",
            "objection.file",
        )
    return person


@register
class ObjectionCase(CaseType[Objection]):
    name = "record.objection"
    zh = "权益记录异议"
    en = "objection to a record"
    stages = REGISTRY_STAGES
    payload = Objection
    permissions = {"intake": "objection.file"}
    fields = (
        FormField("id_number", "公民身份号码", "id number", True, "id_number"),
        FormField("items", "异议事项", "what is disputed", True, "choices", "record_item"),
        FormField("month", "所涉年月", "month concerned", False, "month"),
        FormField("description", "异议内容", "the objection", True, "textarea"),
    )

    def attached(
        self, data: Mapping[str, Any], files: Sequence[tuple[str, str]]
    ) -> Mapping[str, Any]:
        # Evidence is welcome, not required: a person may object with what they remember.
        return documents.with_document(data, files) if files else data

    def check(self, principal: Principal, data: Mapping[str, Any]) -> Objection:
        payload = self.parse(data)
        person = objected_person(principal, payload.id_number)
        known = record_items()
        unknown = [item for item in payload.items if item not in known]
        if not payload.items or unknown:
            raise InvalidInput.one(
                "items",
                "bad_items",
                f"须从以下事项中选择：{'、'.join(known)}",
                f"choose among {', '.join(known)}",
            )
        chosen = [item for item in known if item in payload.items]
        return payload.model_copy(update={"id_number": person.id_number, "items": chosen})

    def changes(self, principal: Principal, payload: Objection) -> list[Change]:
        person = registry.person_by_id_number(principal, payload.id_number)
        label = f"person {person.pk} {mask(person.id_number)} objection"
        return [
            Change(label, "items", None, ",".join(payload.items), person.name),
            Change(label, "month", None, payload.month or None, person.name),
            Change(label, "description", None, payload.description, person.name),
            Change(label, "document_name", None, payload.document_name or None, person.name),
        ]

    def apply(self, principal: Principal, payload: Objection) -> str:
        # Upheld: the record itself changes only by a record.correct case citing this one.
        return "objection upheld: corrected by a record.correct case citing it"
