"""Objections (异议, 001 art. 11, 16; 003 §4 (二)): a person — or an employer about its staff —
disputes part of a record, with evidence. The objection is a reviewed case: upheld, it is
answered by a ``record.correct`` case citing it (the correction's reason names the objection);
not upheld, the reviewer's or approver's opinion is the written answer, and the case returns
to the one who filed it."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

from django.utils import timezone
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

# 003 §4 (二): an objection to a reconciliation statement comes within three months of it.
WINDOW_MONTHS = 3
# Who received a statement and on which day, by its code: the statements app registers its
# look-up here (``statement_source``), as it sits above this one.
_statement_lookups: list[Callable[[str], tuple[int, date] | None]] = []


def statement_source(lookup: Callable[[str], tuple[int, date] | None]) -> None:
    _statement_lookups.append(lookup)


def _window_end(issued: date) -> date:
    month = issued.month - 1 + WINDOW_MONTHS
    year, month = issued.year + month // 12, month % 12 + 1
    return date(year, month, min(issued.day, monthrange(year, month)[1]))


def check_statement(person: Person, code: str, today: date) -> None:
    """The statement objected to is this person's, and its three months have not passed."""
    found = next((hit for lookup in _statement_lookups if (hit := lookup(code))), None)
    if found is None or found[0] != person.pk:
        raise InvalidInput.one(
            "statement",
            "not_found",
            "未找到该人员的这份权益记录单",
            "no statement of this person has that code",
        )
    last = _window_end(found[1])
    if today > last:
        raise InvalidInput.one(
            "statement",
            "window_closed",
            f"对权益记录单的异议须自其出具之日（{found[1].isoformat()}）起三个月内提出，"
            f"已于 {last.isoformat()} 截止（003 第四条（二））；如记录有误，可申请更正",
            f"an objection to a statement comes within three months of its date"
            f" ({found[1].isoformat()}); the window closed on {last.isoformat()}"
            " (003 §4 (二)); a wrong record can still be corrected on request",
        )


class Objection(Payload):
    id_number: str
    items: list[str]
    month: Month | Literal[""] = ""
    statement: str = Field(default="", max_length=40)
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
        FormField(
            "statement", "权益记录单编号（如对记录单有异议）", "statement code (if any)", False
        ),
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
        code = payload.statement.strip().upper().partition("-")[0]
        if code:
            check_statement(person, code, timezone.localdate())
        return payload.model_copy(
            update={"id_number": person.id_number, "items": chosen, "statement": code}
        )

    def changes(self, principal: Principal, payload: Objection) -> list[Change]:
        person = registry.person_by_id_number(principal, payload.id_number)
        label = f"person {person.pk} {mask(person.id_number)} objection"
        return [
            Change(label, "items", None, ",".join(payload.items), person.name),
            Change(label, "month", None, payload.month or None, person.name),
            Change(label, "statement", None, payload.statement or None, person.name),
            Change(label, "description", None, payload.description, person.name),
            Change(label, "document_name", None, payload.document_name or None, person.name),
        ]

    def apply(self, principal: Principal, payload: Objection) -> str:
        # Upheld: the record itself changes only by a record.correct case citing this one.
        return "objection upheld: corrected by a record.correct case citing it"
