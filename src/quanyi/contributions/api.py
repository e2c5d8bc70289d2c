"""Bills over the API: what an employer owes, has paid and has paid beyond, for the systems
that reconcile with the agency (banks, the employer portal to come)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from quanyi.access.requests import api_principal as principal
from quanyi.contributions import queries

router = Router(tags=["contributions"])


@router.get("/employers/{uscc}/bills", summary="An employer's bills with arrears and late fees")
def employer_bills(request: HttpRequest, uscc: str) -> dict[str, Any]:
    return queries.employer_bills(principal(request), uscc)
