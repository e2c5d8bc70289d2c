from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from quanyi.access.requests import api_principal as principal
from quanyi.access.schemas import Me

router = Router(tags=["accounts"])


@router.get("/me", response=Me, summary="Who am I: account, region, roles")
def me(request: HttpRequest) -> Me:
    who = principal(request)
    return Me.model_validate(
        {"username": who.actor, "region": who.region, "roles": sorted(who.roles), "kind": who.kind}
    )
