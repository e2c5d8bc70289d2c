"""``/api/v1/cases``: the same cases as the CLI and the review screens.

Each write runs in a savepoint of the request's transaction: when it fails, its writes are
undone and the error handler may still keep the refusal or failed apply as an audit event. A
write answers with the case it wrote, which its own permission covers: a token allowed to
submit or decide but not to read must not see a refusal for a write that was kept.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.params.functions import Path

from quanyi.access.requests import api_principal as principal
from quanyi.core.bounds import MAX_ID
from quanyi.workflow import queries, services, types
from quanyi.workflow.schemas import Case, CaseTypeOut, QueuedCase
from quanyi.workflow.stages import Stage

router = Router(tags=["cases"])
# A case id past the 64-bit ids is a 422 naming it, not a driver's OverflowError.
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]


class NewCase(Schema):
    type: str
    data: dict[str, Any]
    opinion: str = ""


class DecisionIn(Schema):
    decision: Literal["approve", "reject", "withdraw"]
    opinion: str = ""


class Resubmission(Schema):
    data: dict[str, Any] | None = None
    opinion: str = ""


@router.get("/cases", response=list[QueuedCase], summary="Cases waiting for me")
def waiting(request: HttpRequest, stage: Stage | None = None) -> list[QueuedCase]:
    return queries.queue(principal(request), stage)


@router.post("/cases", response={201: Case}, exclude_unset=True, summary="Take in a case (intake)")
def submit(request: HttpRequest, body: NewCase) -> Status:
    who = principal(request)
    with transaction.atomic():
        case = services.submit(who, body.type, body.data, (), body.opinion)
    return Status(201, queries.as_schema(who, case))


@router.get(
    "/cases/{case_id}",
    response=Case,
    exclude_unset=True,
    summary="A case, its history and its diff",
)
def show(request: HttpRequest, case_id: CaseId) -> Case:
    return queries.case(principal(request), case_id)


@router.post(
    "/cases/{case_id}/decisions",
    response=Case,
    exclude_unset=True,
    summary="Approve, reject or withdraw",
)
def decide(request: HttpRequest, case_id: CaseId, body: DecisionIn) -> Case:
    who = principal(request)
    with transaction.atomic():
        case = services.act(who, case_id, body.decision, body.opinion)
    return queries.as_schema(who, case)


@router.post(
    "/cases/{case_id}/resubmit",
    response=Case,
    exclude_unset=True,
    summary="Continue a returned case",
)
def resubmit(request: HttpRequest, case_id: CaseId, body: Resubmission) -> Case:
    who = principal(request)
    with transaction.atomic():
        case = services.resubmit(who, case_id, body.data, body.opinion)
    return queries.as_schema(who, case)


@router.get(
    "/case-types",
    response=list[CaseTypeOut],
    summary="Case types: stages, intake fields and payload schema",
)
def case_types(request: HttpRequest) -> list[CaseTypeOut]:
    return [t.out() for t in types.all_types()]
