"""Everything the fake domain adds, in one module for brevity."""

from __future__ import annotations

import argparse
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import Router, Schema

from quanyi.access.policy import authorize
from quanyi.access.requests import api_principal
from quanyi.core.commands import command
from quanyi.core.permissions import Permission, Scope, permission

PERMISSIONS: dict[str, Permission] = {
    "fake.read": permission(
        "仅审核可看假领域", "only reviewers see the fake part", "reviewer", scope=Scope.RECORDS_READ
    ),
}

router = Router(tags=["fake"])


class Pong(Schema):
    fake: str


@router.get("/fake/ping", response=Pong, summary="The fake domain answers")
def ping(request: HttpRequest) -> Pong:
    authorize(api_principal(request), "fake.read")
    return Pong(fake="pong")


def register(sub: Any) -> None:
    command(sub, "fake-hello", _hello, anonymous=True, help="the fake domain says hello")


def _hello(args: argparse.Namespace) -> int:
    print("hello from the fake domain")
    return 0


def load(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    return {"fake_part": {"person_id": person_id}}


def _screen(request: HttpRequest) -> HttpResponse:
    return HttpResponse("fake")


urlpatterns = [path("fake", _screen, name="fake-screen")]
