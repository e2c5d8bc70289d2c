"""No URL answers 500, to anyone, whatever it is sent (DESIGN.md "Screens speak the user's
language": no URL answers 500 to any input).

Every web address the installed apps declare and every API route in the OpenAPI document is
asked, by each kind of user and by nobody, with no parameters, with malformed ones and with
huge ones, by GET and by POST. The addresses come from the URL resolver and the API document,
so a screen added later is crawled without editing this test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from quanyi.api import api
from quanyi.audit import checkpoints
from quanyi.demo import generate
from quanyi.workflow import types
from tests.access import builders as accounts

pytestmark = pytest.mark.django_db

ROLES: dict[str, tuple[str, ...]] = {
    "nobody": (),
    "operator": ("operator",),
    "approver": ("approver",),
    "querier": ("querier",),
    "sysadmin": ("sysadmin",),
    "auditor": ("auditor",),
    "person": ("person",),
}
HUGE = "9" * 5000
MALFORMED = ("", "-1", "2026-13", "abc'\"<x>１２３😀", "99999999999999999999999")
PLACES = {"id": ("1", "9999999999999999999"), "str": ("operator", "x" * 300), "int": ("1",)}
# Query and form names the screens read, and every intake field of every case type.
NAMES = (
    "type", "stage", "month", "uscc", "id_number", "paid", "next", "year", "number", "subject",
    "status", "submitted_from", "submitted_to", "action", "opinion", "bill_id", "amount",
    "amount_fen", "paid_at", "bank_ref", "role", "username", "password", "kind", "region", "ref",
)  # fmt: skip


def _web_paths(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("api/", "i18n/")):
                continue  # the API is crawled from its document; i18n is Django's
            yield from _web_paths(list(entry.url_patterns), route)
            continue
        places = re.findall(r"<(?:(\w+):)?\w+>", route)
        variants = [route]
        for converter in places:
            variants = [
                re.sub(r"<(?:\w+:)?\w+>", value, path, count=1)
                for path in variants
                for value in PLACES.get(converter or "str", ("1",))
            ]
        for path in variants:
            yield "/" + path.lstrip("^").rstrip("$")


def _api_paths() -> Iterator[tuple[str, str]]:
    document = api.get_openapi_schema(path_prefix="/api/v1")
    for path, item in document["paths"].items():
        for method in item:
            if method in ("get", "post"):
                for value in ("1", "abc", HUGE[:40]):
                    yield method, re.sub(r"\{\w+\}", value, path)


def _values() -> list[dict[str, str]]:
    fields = {f.name for t in types.all_types() for f in t.fields}
    names = sorted(set(NAMES) | fields)
    return [
        {},
        *({name: bad for name in names} for bad in MALFORMED),
        {name: HUGE for name in names},
    ]


def _client(name: str, roles: tuple[str, ...]) -> Client:
    client = Client(raise_request_exception=False)
    if roles:
        user = accounts.account(f"crawl-{name}", *roles, otp=bool(set(roles) & OTP_ROLES))
        accounts.web_login(client, user)
    return client


OTP_ROLES = {"sysadmin", "secadmin", "dba", "auditor"}


@pytest.mark.parametrize("name", list(ROLES))
def test_no_url_answers_500_to_any_user_with_any_parameters(name: str) -> None:
    """One kind of user (or nobody) per test, so the crawl spreads over the suite's workers."""
    generate.build(persons=12, employers=2, years=1, seed=3)
    web = sorted(set(_web_paths(list(get_resolver().url_patterns))))
    assert "/cases/new" in web and "/cases/1" in web  # the resolver was walked
    values = _values()
    failures: list[str] = []
    asked = 0
    # Web writes stop over a tail left unsigned past its grace (decision 0002); the server
    # signs once a minute, this crawl in-process signs before it starts.
    checkpoints.write()
    client = _client(name, ROLES[name])
    for path in web:
        if path in ("/logout",):
            continue  # it ends the session the rest of the crawl needs
        for params in values:
            for method in ("get", "post"):
                answer = getattr(client, method)(path, params)
                asked += 1
                if answer.status_code >= 500:
                    failures.append(
                        f"{answer.status_code} {name} {method.upper()} {path} {list(params)[:3]}"
                    )
    for method, path in _api_paths():
        answer = getattr(client, method)(path, {"x": HUGE}, content_type="application/json")
        asked += 1
        if answer.status_code >= 500:
            failures.append(f"{answer.status_code} {name} {method.upper()} {path}")
    assert client.post("/logout").status_code < 500
    assert not failures, f"{len(failures)} of {asked} answers were 5xx:\n" + "\n".join(
        failures[:40]
    )
