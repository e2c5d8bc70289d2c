"""``/api/v1/cases``: the same cases as the CLI and the review screens.

Each write runs in a savepoint of the request's transaction: when it fails, its writes are
undone and the error handler may still keep the refusal or failed apply as an audit event. A
write answers with the case it wrote, which its own permission covers: a token allowed to
submit or decide but not to read must not see a refusal for a write that was kept.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from quanyi.access.requests import api_principal as principal
from quanyi.workflow import queries, services, types

router = Router(tags=["cases"])


class NewCase(Schema):
    type: str
    data: dict[str, Any]
    opinion: str = ""


class DecisionIn(Schema):
    decision: str
    opinion: str = ""


class Resubmission(Schema):
    data: dict[str, Any] | None = None
    opinion: str = ""


@router.get("/cases", summary="Cases waiting for me")
def waiting(request: HttpRequest, stage: str | None = None) -> list[dict[str, Any]]:
    return queries.queue(principal(request), stage)


@router.post("/cases", response={201: dict[str, Any]}, summary="Take in a case (intake)")
def submit(request: HttpRequest, body: NewCase) -> Status:
    who = principal(request)
    with transaction.atomic():
        case = services.submit(who, body.type, body.data, (), body.opinion)
    return Status(201, queries.as_json(who, case))


@router.get("/cases/{case_id}", summary="A case, its history and its diff")
def show(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return queries.case(principal(request), case_id)


@router.post("/cases/{case_id}/decisions", summary="Approve, reject or withdraw")
def decide(request: HttpRequest, case_id: int, body: DecisionIn) -> dict[str, Any]:
    who = principal(request)
    with transaction.atomic():
        case = services.act(who, case_id, body.decision, body.opinion)
    return queries.as_json(who, case)


@router.post("/cases/{case_id}/resubmit", summary="Continue a returned case")
def resubmit(request: HttpRequest, case_id: int, body: Resubmission) -> dict[str, Any]:
    who = principal(request)
    with transaction.atomic():
        case = services.resubmit(who, case_id, body.data, body.opinion)
    return queries.as_json(who, case)


@router.get("/case-types", summary="Case types and their stages")
def case_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"type": t.name, "zh": t.zh, "en": t.en, "stages": [str(s) for s in t.stages]}
        for t in types.all_types()
    ]
