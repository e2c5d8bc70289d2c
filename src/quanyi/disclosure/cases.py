"""The cases that let an outside account read a record: ``disclosure.request`` — a government
body, court or other unit's written application (001 art. 18-19) — and ``disclosure.delegate``
— a person's written authorisation of someone to query for them (001 art. 15). Each rests on the
document the case carries, is reviewed and approved, and its approval writes a ``Permit``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

from django.utils import timezone
from pydantic import Field, field_validator

from quanyi.access.models import Account, AccountKind
from quanyi.access.services import user_by_name
from quanyi.audit import services as audit
from quanyi.core import crypto
from quanyi.core.errors import InvalidInput, NotFound
from quanyi.core.identifiers import mask
from quanyi.core.principal import Principal
from quanyi.core.schemas import IsoDate, Month, Payload
from quanyi.disclosure.decision import record_items
from quanyi.disclosure.models import Permit, PermitKind
from quanyi.registry import services as registry
from quanyi.registry.models import Person
from quanyi.workflow import documents
from quanyi.workflow.documents import DocumentName, RestsOnDocument, Sha256
from quanyi.workflow.stages import REGISTRY_STAGES
from quanyi.workflow.types import CaseType, Change, FormField, register

# A permit runs a year at most: a longer need is a new application.
LONGEST = timedelta(days=366)


def listed_items(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").split(",")]
    if not isinstance(value, list):
        raise ValueError("items: a list of record items")
    return [str(item).strip() for item in value if str(item).strip()]


class PermitRequest(Payload):
    """What both cases name: whose record, which items, which months, until when, and the
    written document (its SHA-256 among the case's files)."""

    id_number: str
    items: list[str]
    from_month: Month | Literal[""] = ""
    to_month: Month | Literal[""] = ""
    valid_until: IsoDate
    document_sha256: Sha256 | None = None
    document_name: DocumentName = ""

    @field_validator("items", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> list[str]:
        return listed_items(value)


class DisclosureApplication(PermitRequest):
    requester_account: str = Field(max_length=150)
    requester: str = Field(min_length=1, max_length=200)
    requester_kind: Literal["court", "government", "unit"]
    credentials: str = Field(min_length=1, max_length=300)
    purpose: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field(min_length=1, max_length=300)


class Delegation(PermitRequest):
    delegate_account: str = Field(max_length=150)
    delegate_name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(default="委托查询", max_length=300)


ID = FormField("id_number", "被查询人公民身份号码", "id number of the person", True, "id_number")
ITEMS = FormField("items", "查询事项", "items", True, "choices", "record_item")
PERIOD = (
    FormField("from_month", "查询期间起", "period from", False, "month"),
    FormField("to_month", "查询期间止", "period to", False, "month"),
    FormField("valid_until", "有效期至", "valid until", True, "date"),
)


def _check_common(principal: Principal, payload: PermitRequest) -> tuple[Person, list[str]]:
    problems: list[InvalidInput] = []
    person: Person | None = None
    try:
        person = registry.person_by_id_number(principal, payload.id_number)
    except (InvalidInput, NotFound) as exc:
        problems.append(
            exc
            if isinstance(exc, InvalidInput)
            else InvalidInput.one("id_number", "not_found", exc.zh, exc.en)
        )
    known = record_items()
    unknown = [item for item in payload.items if item not in known]
    if not payload.items or unknown:
        problems.append(
            InvalidInput.one(
                "items",
                "bad_items",
                f"须从以下事项中选择：{'、'.join(known)}"
                + (f"（未知：{'、'.join(unknown)}）" if unknown else ""),
                f"choose items among {', '.join(known)}"
                + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            )
        )
    if payload.from_month and payload.to_month and payload.from_month > payload.to_month:
        problems.append(
            InvalidInput.one(
                "to_month",
                "before_start",
                "查询期间止不能早于起",
                "the period ends before it starts",
            )
        )
    today = timezone.localdate()
    if payload.valid_until < today or payload.valid_until > today + LONGEST:
        problems.append(
            InvalidInput.one(
                "valid_until",
                "bad_validity",
                "有效期须自今日起不超过一年",
                "valid until a day from today to a year ahead",
            )
        )
    if problems:
        raise InvalidInput([error for problem in problems for error in problem.errors])
    assert person is not None
    return person, [item for item in known if item in payload.items]


def _outside_account(principal: Principal, field: str, typed: str, kinds: set[str]) -> Account:
    try:
        user = user_by_name(principal, crypto.login_name(typed))
    except NotFound:
        raise InvalidInput.one(
            field, "no_account", f"没有账户 {typed}", f"no account named {typed}"
        ) from None
    account = Account.objects.get(user=user)
    if account.kind not in kinds or account.disabled:
        raise InvalidInput.one(
            field,
            "wrong_account",
            "须为有效的外部账户（外部查询单位或个人）",
            "an enabled outside account (external requester or person) is required",
        )
    return account


def _permit_changes(label: str, name: str, payload: PermitRequest, who: str) -> list[Change]:
    return [
        Change(label, "reader", None, who, name),
        Change(label, "items", None, ",".join(payload.items), name),
        Change(label, "from_month", None, payload.from_month or None, name),
        Change(label, "to_month", None, payload.to_month or None, name),
        Change(label, "valid_until", None, payload.valid_until.isoformat(), name),
        Change(label, "document_name", None, payload.document_name, name),
        Change(label, "document_sha256", None, payload.document_sha256, name),
    ]


def _write_permit(
    principal: Principal,
    kind: PermitKind,
    payload: PermitRequest,
    account: Account,
    person: Person,
    requester: str,
    purpose: str,
    legal_basis: str,
) -> Permit:
    sha = payload.document_sha256
    documents.carried(principal.case_id, sha)
    assert sha is not None and principal.case_id is not None
    permit = audit.create_entry(
        principal,
        "disclosure.permit",
        Permit,
        kind=kind,
        case_id=principal.case_id,
        user_id=account.user_id,
        person=person,
        items=",".join(payload.items),
        from_month=payload.from_month,
        to_month=payload.to_month,
        valid_until=payload.valid_until,
        requester=requester,
        purpose=purpose,
        legal_basis=legal_basis,
        document_sha256=sha,
    )
    return permit


@register
class DisclosureRequestCase(RestsOnDocument, CaseType[DisclosureApplication]):
    name = "disclosure.request"
    zh = "外部单位查询申请"
    en = "disclosure request (court, government body, other unit)"
    missing = (
        "须附书面查询申请（扫描件）（001 第十九条）",
        "attach the written application (001 art. 19)",
    )
    stages = REGISTRY_STAGES
    payload = DisclosureApplication
    subject_keys = ("id_number", "requester_account")
    fields = (
        FormField("requester_account", "申请人账户", "requester's account", True),
        FormField("requester", "申请单位", "requesting body", True),
        FormField("requester_kind", "单位类别", "kind of body", True, "choice", "requester_kind"),
        FormField("credentials", "证件（介绍信、工作证号）", "credentials", True),
        FormField("purpose", "查询目的", "purpose", True, "textarea"),
        FormField(
            "legal_basis", "法律依据（法院：案号和法律条款）",
            "legal basis (court: case, provision)", True, "textarea",
        ),
        ID,
        ITEMS,
        *PERIOD,
    )  # fmt: skip

    def check(self, principal: Principal, data: Mapping[str, Any]) -> DisclosureApplication:
        payload = self.parse(data)
        person, items = _check_common(principal, payload)
        _outside_account(
            principal, "requester_account", payload.requester_account, {AccountKind.EXTERNAL}
        )
        return payload.model_copy(update={"id_number": person.id_number, "items": items})

    def changes(self, principal: Principal, payload: DisclosureApplication) -> list[Change]:
        person = registry.person_by_id_number(principal, payload.id_number)
        label = f"person {person.pk} {mask(person.id_number)} disclosure"
        who = f"{payload.requester} ({payload.requester_account})"
        return [
            Change(label, "requester_kind", None, payload.requester_kind, person.name),
            Change(label, "credentials", None, payload.credentials, person.name),
            Change(label, "purpose", None, payload.purpose, person.name),
            Change(label, "legal_basis", None, payload.legal_basis, person.name),
            *_permit_changes(label, person.name, payload, who),
        ]

    def apply(self, principal: Principal, payload: DisclosureApplication) -> str:
        person = registry.person_by_id_number(principal, payload.id_number)
        account = _outside_account(
            principal, "requester_account", payload.requester_account, {AccountKind.EXTERNAL}
        )
        permit = _write_permit(
            principal,
            PermitKind.REQUEST,
            payload,
            account,
            person,
            payload.requester,
            payload.purpose,
            payload.legal_basis,
        )
        return f"disclosure_permit {permit.pk}"


@register
class DelegationCase(RestsOnDocument, CaseType[Delegation]):
    name = "disclosure.delegate"
    zh = "委托查询"
    en = "query by a delegate"
    missing = (
        "须附书面委托书（扫描件）（001 第十五条）",
        "attach the written authorisation (001 art. 15)",
    )
    stages = REGISTRY_STAGES
    payload = Delegation
    fields = (
        ID,
        FormField("delegate_account", "受托人账户", "delegate's account", True),
        FormField("delegate_name", "受托人姓名", "delegate's name", True),
        ITEMS,
        *PERIOD,
    )

    def check(self, principal: Principal, data: Mapping[str, Any]) -> Delegation:
        payload = self.parse(data)
        person, items = _check_common(principal, payload)
        account = _outside_account(
            principal,
            "delegate_account",
            payload.delegate_account,
            {AccountKind.PERSON, AccountKind.EXTERNAL},
        )
        if account.person_id == person.pk:
            raise InvalidInput.one(
                "delegate_account", "self", "本人查询无须委托", "a person needs no delegate"
            )
        return payload.model_copy(update={"id_number": person.id_number, "items": items})

    def changes(self, principal: Principal, payload: Delegation) -> list[Change]:
        person = registry.person_by_id_number(principal, payload.id_number)
        label = f"person {person.pk} {mask(person.id_number)} delegation"
        return _permit_changes(label, person.name, payload, payload.delegate_name)

    def apply(self, principal: Principal, payload: Delegation) -> str:
        person = registry.person_by_id_number(principal, payload.id_number)
        account = _outside_account(
            principal,
            "delegate_account",
            payload.delegate_account,
            {AccountKind.PERSON, AccountKind.EXTERNAL},
        )
        permit = _write_permit(
            principal,
            PermitKind.DELEGATE,
            payload,
            account,
            person,
            payload.delegate_name,
            payload.purpose,
            "001 art. 15",
        )
        return f"disclosure_permit {permit.pk}"
