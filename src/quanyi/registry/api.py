from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from quanyi.api import principal
from quanyi.registry import queries

router = Router(tags=["records"])


@router.get("/persons/{id_number}/record", summary="A person's rights record")
def person_record(request: HttpRequest, id_number: str) -> dict[str, Any]:
    return queries.record(principal(request), id_number)
