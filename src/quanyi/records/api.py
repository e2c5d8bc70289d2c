from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from quanyi.access.requests import api_principal
from quanyi.records import queries

router = Router(tags=["records"])


@router.get("/persons/{id_number}/record", summary="A person's rights record")
def person_record(request: HttpRequest, id_number: str, purpose: str = "") -> dict[str, Any]:
    return queries.read(api_principal(request), id_number, purpose=purpose or "api query")
