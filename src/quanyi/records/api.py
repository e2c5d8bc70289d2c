from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from quanyi.access.requests import api_principal
from quanyi.records import queries
from quanyi.records.schemas import Record

router = Router(tags=["records"])


class Lookup(Schema):
    """Whose record and why (the purpose is kept in the query log the person may see)."""

    id_number: str
    purpose: str = ""


@router.post(
    "/records/lookup",
    response=Record,
    exclude_unset=True,
    summary="A person's rights record, the id number in the body (never in a URL or a log)",
)
def lookup(request: HttpRequest, body: Lookup) -> Record:
    return _record(request, body.id_number, body.purpose)


@router.get(
    "/persons/{id_number}/record",
    response=Record,
    exclude_unset=True,
    summary="A person's rights record (the parts the user may see); prefer POST /records/lookup,"
    " which keeps the id number out of URLs and access logs",
)
def person_record(request: HttpRequest, id_number: str, purpose: str = "") -> Record:
    return _record(request, id_number, purpose)


def _record(request: HttpRequest, id_number: str, purpose: str) -> Record:
    read = queries.read(api_principal(request), id_number, purpose=purpose or "api query")
    return Record.model_validate(read)
