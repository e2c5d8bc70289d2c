"""Another region's accounts, tokens and account cases answer exactly like absent ones (need to
know, 001 art. 14-22; decision 0004): the sysadmin of Beijing learns nothing of Guangzhou's
staff by trying their names."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from quanyi.access import queries, services
from quanyi.core.errors import NotFound
from quanyi.core.principal import Principal
from quanyi.workflow import queries as cases
from tests.access import builders

pytestmark = pytest.mark.django_db

GUANGZHOU = Principal(actor="root-gz", source="cli", region="440100", roles=frozenset({"sysadmin"}))


def answer(call: Callable[[], Any]) -> str:
    with pytest.raises(NotFound) as absent:
        call()
    return absent.value.en


def test_another_regions_accounts_and_tokens_answer_like_absent_ones(client: Client) -> None:
    admin = builders.account("admin", "sysadmin", otp=True)
    builders.account("clerk-gz", "operator", region="440100")
    _, secret = services.create_token(GUANGZHOU, "clerk-gz", "etl", ["records:read"], 1)
    beijing = builders.principal(admin)
    acts: list[Callable[[str], Any]] = [
        lambda name: services.set_disabled(beijing, name, True),
        lambda name: services.unlock(beijing, name),
        lambda name: services.setup_second_factor(beijing, name),
        lambda name: services.create_token(beijing, name, "x", ["records:read"], 1),
        lambda name: builders.propose(beijing, action="grant", username=name, roles=["querier"]),
    ]
    for act in acts:
        there = answer(lambda: act("clerk-gz")).replace("clerk-gz", "?")  # noqa: B023
        assert there == answer(lambda: act("nobody")).replace("nobody", "?")  # noqa: B023
        assert there == "no account named ?"
    prefix = secret.split("_")[1]
    assert answer(lambda: services.revoke_token(beijing, prefix)) == answer(
        lambda: services.revoke_token(beijing, "deadbeef")
    )
    assert "clerk-gz" not in [row.username for row in queries.users(beijing)]
    assert services.user_for_token(secret) is not None  # untouched by every attempt

    client.post(
        "/login", {"username": "admin", "password": builders.PASSWORD, "otp": builders.code(admin)}
    )
    there, nowhere = client.get("/access/users/clerk-gz"), client.get("/access/users/nobody")
    assert there.status_code == nowhere.status_code == 404
    assert page(there.content, "clerk-gz") == page(nowhere.content, "nobody")


def page(content: bytes, name: str) -> str:
    """The page with the name asked for and the per-response CSRF token left out."""
    return re.sub(r'value="[^"]{64}"', "", content.decode()).replace(name, "?")


def test_another_regions_account_case_answers_like_an_absent_one() -> None:
    builders.account("clerk-gz", "operator", region="440100")
    case = builders.propose(GUANGZHOU, action="grant", username="clerk-gz", roles=["querier"])
    beijing = builders.principal(builders.account("sec", "secadmin", otp=True))
    assert answer(lambda: cases.case(beijing, case.pk)) == answer(
        lambda: cases.case(beijing, case.pk + 100)
    )
    assert answer(lambda: builders.decide(beijing, case)) == "no such case"
    assert cases.queue(beijing) == []
