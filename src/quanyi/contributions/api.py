"""Bills over the API: what an employer owes, has paid and has paid beyond, for the systems
that reconcile with the agency (banks, the employer portal to come)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from quanyi.access.requests import api_principal as principal
from quanyi.contributions import queries
from quanyi.contributions.schemas import Bills

router = Router(tags=["contributions"])


@router.get(
    "/employers/{uscc}/bills",
    response=Bills,
    summary="An employer's bills with arrears and late fees",
)
def employer_bills(request: HttpRequest, uscc: str) -> Bills:
    return Bills.model_validate(queries.employer_bills(principal(request), uscc))
