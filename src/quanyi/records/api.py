from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from quanyi.access.requests import api_principal
from quanyi.core.bounds import MAX_ID
from quanyi.records import queries
from quanyi.records.schemas import AccessRow, Record

router = Router(tags=["records"])


class Lookup(Schema):
    """Whose record and why (the purpose is kept in the query log the person may see)."""

    id_number: str
    purpose: str = ""
    # The approved disclosure.request case an outside requester reads under.
    request: int | None = Field(default=None, ge=1, le=MAX_ID)


class AccessLookup(Schema):
    id_number: str


@router.post(
    "/records/lookup",
    response=Record,
    exclude_unset=True,
    summary="A person's rights record, the id number in the body (never in a URL or a log)",
)
def lookup(request: HttpRequest, body: Lookup) -> Record:
    return _record(request, body.id_number, body.purpose, body.request)


@router.post(
    "/records/accesses",
    response=list[AccessRow],
    summary="Who read a person's record, newest first (001 art. 21); the id number in the body",
)
def record_accesses(request: HttpRequest, body: AccessLookup) -> list[AccessRow]:
    rows = queries.accesses(api_principal(request), body.id_number)
    return [AccessRow.model_validate(row) for row in rows]


@router.get(
    "/persons/{id_number}/record",
    response=Record,
    exclude_unset=True,
    summary="A person's rights record (the parts the user may see); prefer POST /records/lookup,"
    " which keeps the id number out of URLs and access logs",
)
def person_record(request: HttpRequest, id_number: str, purpose: str = "") -> Record:
    return _record(request, id_number, purpose)


def _record(
    request: HttpRequest, id_number: str, purpose: str, disclosure: int | None = None
) -> Record:
    read = queries.read(
        api_principal(request), id_number, purpose=purpose or "api query", request=disclosure
    )
    return Record.model_validate(read)
