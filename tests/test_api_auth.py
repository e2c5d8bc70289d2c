"""Every API route answers 401 without a valid session or token. The routes come from the
OpenAPI document, so a route added later is covered without editing this test."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from quanyi.api import api

pytestmark = pytest.mark.django_db

SAMPLE_VALUES = {"id_number": "11010519491231002X"}
METHODS = ("get", "post", "put", "patch", "delete")


def routes(templates: bool = False) -> list[tuple[str, str]]:
    """``(method, path)`` of every route, with sample values in the path (or, with
    ``templates``, the path as the document names it)."""
    schema: dict[str, Any] = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for template, operations in schema["paths"].items():
        path = re.sub(r"{(\w+)}", lambda m: SAMPLE_VALUES.get(m.group(1), "1"), template)
        found += [
            (method, template if templates else path) for method in operations if method in METHODS
        ]
    return found


def test_the_document_lists_the_known_routes() -> None:
    assert ("get", "/api/v1/me") in routes()
    assert ("get", "/api/v1/persons/11010519491231002X/record") in routes()


@pytest.mark.parametrize(("method", "path"), routes())
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer qy_00000000_forged", "Bearer not-a-token", "Basic YWRtaW46YWRtaW4="],
)
def test_every_route_needs_a_session_or_token(
    method: str, path: str, authorization: str | None
) -> None:
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": authorization} if authorization else {}
    answer = client.generic(
        method.upper(), path, data="{}", content_type="application/json", headers=headers
    )
    assert answer.status_code == 401, f"{method.upper()} {path}: {answer.status_code}"
