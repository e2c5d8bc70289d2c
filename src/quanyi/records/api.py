from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from quanyi.access.requests import api_principal
from quanyi.records import queries
from quanyi.records.schemas import Record

router = Router(tags=["records"])


@router.get(
    "/persons/{id_number}/record",
    response=Record,
    exclude_unset=True,
    summary="A person's rights record (the parts the user may see)",
)
def person_record(request: HttpRequest, id_number: str, purpose: str = "") -> Record:
    body = queries.read(api_principal(request), id_number, purpose=purpose or "api query")
    return Record.model_validate(body)
