"""Changing a password asks for the current one, on the web and on the command line; a wrong one
is refused and counted by django-axes like a failed login. The default policy wants 12
characters of 3 classes and no common password; the national profile stays selectable (GB/T
22239-2019 level 3 identification; OWASP ASVS 5.0 V6.2.1, V6.2.3, V6.2.4; 001 art. 23)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from quanyi.access import passwords, services
from quanyi.audit.models import AuditEvent
from quanyi.audit.verify import verify
from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from tests.access import builders

pytestmark = pytest.mark.django_db

NEW = "Quanyi-new-2026!"


def failures(username: str) -> int:
    return sum(a.failures_since_start for a in AccessAttempt.objects.filter(username=username))


def logged_in(username: str) -> Client:
    builders.account(username, "querier")
    client = Client()
    assert client.post("/login", {"username": username, "password": builders.PASSWORD}).status_code
    return client


def change(client: Client, current: str, new: str = NEW) -> str:
    answer = client.post(
        "/password", {"current_password": current, "new_password": new, "repeat": new}
    )
    return answer["Location"] if answer.status_code == 302 else answer.content.decode()


def test_the_web_asks_for_the_current_password_and_counts_a_wrong_one() -> None:
    client = logged_in("clerk")
    page = client.get("/password").content.decode()
    assert 'name="current_password"' in page
    assert "当前密码错误（计为一次登录失败）" in change(client, "Wrong-password-2026")
    assert failures("clerk") == 1
    assert User.objects.get(username="clerk").check_password(builders.PASSWORD)
    refused = AuditEvent.objects.get(action="credentials.password_refused")
    assert refused.actor == "clerk"
    assert change(client, builders.PASSWORD) == "/"
    assert User.objects.get(username="clerk").check_password(NEW)
    assert verify().ok  # each event carries the credentials state it left


def test_wrong_current_passwords_lock_the_account_and_end_the_session() -> None:
    client = logged_in("clerk")
    for _ in range(4):
        change(client, "Wrong-password-2026")
    fifth = client.post(
        "/password",
        {"current_password": "Wrong-password-2026", "new_password": NEW, "repeat": NEW},
    )
    assert fifth.status_code == 429  # django-axes' lockout page
    assert client.get("/records").status_code == 302  # and this session has ended
    fresh = Client()
    answer = fresh.post("/login", {"username": "clerk", "password": builders.PASSWORD})
    assert answer.status_code in (401, 429)  # even the right password now
    assert User.objects.get(username="clerk").check_password(builders.PASSWORD)


def test_without_the_current_password_the_form_is_refused() -> None:
    client = logged_in("clerk")
    answer = client.post("/password", {"new_password": NEW, "repeat": NEW})
    assert answer.status_code == 200 and 'name="current_password"' in answer.content.decode()
    assert User.objects.get(username="clerk").check_password(builders.PASSWORD)


def test_the_cli_change_uses_the_login_password_as_the_current_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    builders.account("clerk", "querier")
    monkeypatch.setenv("QUANYI_LANG", "en")
    monkeypatch.setenv("QUANYI_NEW_PASSWORD", NEW)
    monkeypatch.setenv("QUANYI_PASSWORD", "Wrong-password-2026")
    assert main(["user", "passwd", "--as", "clerk"]) == 1
    assert capsys.readouterr().err == "error: wrong user name or password\n"
    assert failures("clerk") == 1  # a failed login, counted
    monkeypatch.setenv("QUANYI_PASSWORD", builders.PASSWORD)
    assert main(["user", "passwd", "--as", "clerk"]) == 0
    assert capsys.readouterr().out == "password changed\n"
    assert User.objects.get(username="clerk").check_password(NEW)


@pytest.fixture
def profile(settings: object) -> Iterator[object]:
    yield settings
    password_validation.get_default_password_validators.cache_clear()


def _refusal(password: str) -> str | None:
    """Why an account with this password is refused (in English); None if it is created."""
    password_validation.get_default_password_validators.cache_clear()
    try:
        with translation.override("en"):
            services.create_account(
                builders.SYSTEM,
                services.NewAccount(
                    username=f"new{User.objects.count()}",
                    password=password,
                    roles=("querier",),
                    region="110000",
                ),
            )
    except InvalidInput as refused:
        return refused.en
    return None


def test_the_default_policy_wants_twelve_characters_and_no_common_password(
    profile: object,
) -> None:
    profile.AUTH_PASSWORD_VALIDATORS = passwords.validators("default")  # type: ignore[attr-defined]
    assert "at least 12 characters" in (_refusal("Password1") or "")
    assert "too common" in (_refusal("Password1234") or "")
    assert "at least 3 of" in (_refusal("abcdefghijklmnop") or "")
    assert _refusal("Kq7-paddle-river") is None
    assert passwords.profile("default")["expiry_days"] == 90


def test_the_national_profile_stays_selectable(profile: object) -> None:
    profile.AUTH_PASSWORD_VALIDATORS = passwords.validators("national")  # type: ignore[attr-defined]
    assert _refusal("Abcdef1!") is None  # 8 characters of 3 classes: the level-3 minimum
    assert "at least 8 characters" in (_refusal("Abc1!") or "")
    assert passwords.profile("national")["expiry_days"] == 90
