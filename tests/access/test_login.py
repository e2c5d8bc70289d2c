"""Login hardening on the web (等级保护 level 3: identification, access control, audit)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from quanyi.access import services
from quanyi.access.middleware import LOGIN_AT
from quanyi.access.models import Account
from quanyi.audit.models import AuditEvent
from tests.access import builders

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = builders.PASSWORD, otp: str = "") -> int:
    return client.post(
        "/login", {"username": username, "password": password, "otp": otp}
    ).status_code


def test_login_rotates_the_session_id_and_is_audited(client: Client) -> None:
    builders.account("clerk", "querier")
    client.get("/login")
    client.cookies["sessionid"] = "attacker-chosen"
    assert login(client, "clerk") == 302
    assert client.cookies["sessionid"].value != "attacker-chosen"
    event = AuditEvent.objects.filter(action="auth.login").latest("seq")
    assert (event.actor, event.source, event.result) == ("clerk", "web", "ok")
    assert client.get("/records").status_code == 200


def test_lockout_after_five_failures_and_audited_unlock(client: Client) -> None:
    builders.account("clerk", "querier")
    for _ in range(5):
        assert login(client, "clerk", "wrong-password") in (401, 429)
    assert AuditEvent.objects.filter(action="auth.lockout", actor="clerk").count() == 1
    # Even the right password is refused now.
    assert login(client, "clerk") in (401, 429)
    assert client.get("/records").status_code == 302
    admin = builders.account("admin", "sysadmin", otp=True)
    services.unlock(builders.principal(admin), "clerk")
    failures = AuditEvent.objects.filter(
        action="auth.login", result__in=["bad_credentials", "locked"]
    )
    assert failures.count() == 6
    assert AuditEvent.objects.filter(action="account.unlock", actor="admin").exists()
    assert login(client, "clerk") == 302


def test_a_disabled_users_session_stops_at_once(client: Client) -> None:
    builders.account("clerk", "querier")
    admin = builders.account("admin", "sysadmin", otp=True)
    assert login(client, "clerk") == 302
    assert client.get("/records").status_code == 200
    services.set_disabled(builders.principal(admin), "clerk", True)
    answer = client.get("/records")
    assert answer.status_code == 302 and answer["Location"].startswith("/login")
    assert client.get("/api/v1/me").status_code == 401
    assert login(client, "clerk") == 401


def test_an_admin_without_a_second_factor_is_refused(client: Client) -> None:
    builders.account("admin", "sysadmin")  # no TOTP device
    answer = client.post("/login", {"username": "admin", "password": builders.PASSWORD})
    assert answer.status_code == 401
    assert "动态口令" in answer.content.decode()
    assert AuditEvent.objects.filter(action="auth.login", result="no_second_factor").exists()
    assert client.get("/access/users").status_code == 302


def test_an_admin_needs_the_right_code(client: Client) -> None:
    admin = builders.account("admin", "sysadmin", otp=True)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert login(client, "admin", otp="000000") == 401
    device = TOTPDevice.objects.get(user=admin)
    assert device.throttling_failure_count == 1  # django-otp slows guessing down
    device.throttle_reset()
    assert login(client, "admin", otp=builders.code(admin)) == 302
    assert client.get("/access/users").status_code == 200


def test_absolute_session_limit(client: Client) -> None:
    builders.account("clerk", "querier")
    assert login(client, "clerk") == 302
    session = client.session
    session[LOGIN_AT] = time.time() - 13 * 3600
    session.save()
    assert client.get("/records").status_code == 302


def test_idle_limit_is_thirty_minutes(settings: object) -> None:
    assert settings.SESSION_COOKIE_AGE == 1800  # type: ignore[attr-defined]
    assert settings.SESSION_SAVE_EVERY_REQUEST  # type: ignore[attr-defined]


def test_expired_password_must_be_changed_first(client: Client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    user = builders.account("clerk", "querier")
    Account.objects.filter(user=user).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    answer = client.post("/login", {"username": "clerk", "password": builders.PASSWORD})
    assert answer["Location"] == "/password"
    assert client.get("/records")["Location"] == "/password"
    new = "Quanyi-new-2026!"
    answer = client.post(
        "/password", {"current_password": builders.PASSWORD, "new_password": new, "repeat": new}
    )
    assert answer.status_code == 302
    assert client.get("/records").status_code == 200
    assert User.objects.get(username="clerk").check_password(new)
