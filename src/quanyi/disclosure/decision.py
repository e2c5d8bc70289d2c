"""The one decision behind ``records.read`` (001 art. 14-22): who asks, on what basis, about
whom → the items and months they may see, or a refusal saying why.

- agency staff with a record-reading role: the parts their roles allow (``access.policy``);
- the person: everything of their own record;
- a delegate: what the person's written authorisation names, until its end date;
- an employer: the person's registration with it, and its months of contributions — for
  former employees too, and nothing of the months with other employers;
- a government body, court or other unit: only what an approved ``disclosure.request`` names,
  for the months it names, until its end date, and only when it reads under that request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from quanyi.access.errors import Refused
from quanyi.access.policy import allowed
from quanyi.core import plugins
from quanyi.core.principal import Principal
from quanyi.disclosure.models import Permit, PermitKind
from quanyi.registry.models import Employer, InsuranceRelation, Person

# What an employer sees of its staff (001 art. 16): registration and contributions.
EMPLOYER_ITEMS = frozenset({"person", "relations", "contributions"})


@dataclass(frozen=True)
class View:
    """What one read may return. ``items`` None: the parts the principal's roles allow, each
    checked by its own permission; otherwise exactly these items. ``first``/``last`` bound the
    months (inclusive, "" open); ``uscc`` keeps only the rows of that employer."""

    basis: str
    items: frozenset[str] | None = None
    first: str = ""
    last: str = ""
    uscc: str = ""
    staff: bool = False

    @property
    def clipped(self) -> bool:
        return bool(self.first or self.last or self.uscc)


def record_items() -> tuple[str, ...]:
    """Every item of the person record, as the installed apps declare their parts."""
    parts = sorted(
        (part for _, plugin in plugins.installed() for part in plugin.record_parts),
        key=lambda part: part.order,
    )
    return tuple(item for part in parts for item in part.items)


def decide(principal: Principal, person: Person, request: int | None = None) -> View:
    """The view this principal may have of ``person``'s record, or ``Refused`` with its
    reason (the caller logs either)."""
    if principal.kind == "staff":
        if allowed(principal, "record.read", person):
            return View(basis="", staff=True)
        raise _refused(
            "无权查看个人权益记录：仅本统筹区的业务经办、审核类和信息查询用户可查看"
            "（001 第二十六条）",
            "refused: only operators, reviewers and queriers of the record's region may read it"
            " (001 art. 26)",
        )
    if request is not None:
        return _by_request(principal, person, request)
    if principal.person_id is not None and principal.person_id == person.pk:
        return View(basis="own record", items=frozenset(record_items()))
    if principal.kind == "employer" and principal.employer_id is not None:
        return _as_employer(principal.employer_id, person)
    delegated = _permit(principal, person, PermitKind.DELEGATE)
    if delegated is not None:
        return _view_of(delegated, f"delegate: case {delegated.case_id}")
    if principal.kind == "external":
        raise _refused(
            "外部单位查询须持经审批的查询申请（disclosure.request），载明申请人、证件、目的、"
            "法律依据、查询事项、人员和期间；查询时写明其业务件号"
            "（命令行 --request，接口 request 字段）"
            "（001 第十八、十九条）",
            "refused: a government body, court or other unit reads a record only under an"
            " approved disclosure.request naming requester, credentials, purpose, legal basis,"
            " items, person and period; give its case number (--request on the command line,"
            " request in the API) (001 art. 18-19)",
        )
    raise _refused(
        "只可查询本人的权益记录；代他人查询须有经受理的书面委托（001 第十五条）",
        "refused: a person reads only their own record, or another's under a written"
        " authorisation accepted by the agency (001 art. 15)",
    )


def _by_request(principal: Principal, person: Person, request: int) -> View:
    found = (
        None
        if principal.user_id is None
        else (
            Permit.objects.filter(
                kind=PermitKind.REQUEST, case_id=request, user_id=principal.user_id, person=person
            )
            .order_by("-pk")
            .first()
        )
    )
    if found is None:
        raise _refused(
            f"查询申请 {request} 未经批准，或不是本账户就此人提出的（001 第十八、十九条）",
            f"refused: request {request} is not approved, or not this account's request about"
            " this person (001 art. 18-19)",
        )
    if found.valid_until < _today():
        raise _refused(
            f"查询申请 {request} 已于 {found.valid_until.isoformat()} 到期",
            f"refused: request {request} lapsed on {found.valid_until.isoformat()}",
        )
    return _view_of(found, f"request: case {found.case_id}; {found.legal_basis}"[:200])


def _permit(principal: Principal, person: Person, kind: PermitKind) -> Permit | None:
    if principal.user_id is None:
        return None
    return (
        Permit.objects.filter(
            kind=kind, user_id=principal.user_id, person=person, valid_until__gte=_today()
        )
        .order_by("-pk")
        .first()
    )


def _view_of(permit: Permit, basis: str) -> View:
    return View(basis=basis, items=permit.item_set, first=permit.from_month, last=permit.to_month)


def _as_employer(employer_id: int, person: Person) -> View:
    employer = Employer.objects.get(pk=employer_id)
    employed = InsuranceRelation.objects.filter(person=person, employer=employer).exists()
    if not employed:
        raise _refused(
            "用人单位只可查询本单位职工（含曾在本单位参保的职工）的参保和缴费信息（001 第十六条）",
            "refused: an employer reads only its own staff's (and former staff's) registration"
            " and contributions (001 art. 16)",
        )
    return View(basis=f"employer: {employer.uscc}", items=EMPLOYER_ITEMS, uscc=employer.uscc)


def _refused(zh: str, en: str) -> Refused:
    return Refused(zh, en, "record.read")


def _today() -> date:
    return timezone.localdate()
