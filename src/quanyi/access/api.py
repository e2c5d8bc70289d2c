from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from quanyi.access.requests import api_principal as principal

router = Router(tags=["accounts"])


class Me(Schema):
    username: str
    region: str
    roles: list[str]
    kind: str


@router.get("/me", response=Me, summary="Who am I")
def me(request: HttpRequest) -> Me:
    who = principal(request)
    return Me(username=who.actor, region=who.region, roles=sorted(who.roles), kind=who.kind)
