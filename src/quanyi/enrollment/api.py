"""The enrollment registry's statistics over the API (002 art. 28-31): counts only, nobody
named — what ``quanyi enrollment stats`` prints."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router

from quanyi.access.requests import api_principal
from quanyi.core.errors import NotFound
from quanyi.enrollment import flows, queries
from quanyi.enrollment.schemas import StatsOut

router = Router(tags=["enrollment"])


@router.get(
    "/enrollment/stats",
    response=StatsOut,
    summary="Registration rate, coverage by insurance and reasons for not enrolling, by"
    " division, of the latest cross-match (or the latest of a month), and the rate by month",
)
def stats(
    request: HttpRequest,
    by: Literal["county", "street", "community"] = "county",
    as_of: str | None = None,
) -> StatsOut:
    principal = api_principal(request)
    if as_of is not None:
        flows.check_month(as_of)
    run = queries.run_as_of(principal, as_of)
    if run is None:
        raise NotFound("尚无比对结果", "no cross-match yet")
    return StatsOut.model_validate(queries.stats(principal, run, by))
