"""Credentials changed behind the application's back are named by ``audit verify``: the user row
(password hash, name, role flags), API tokens, TOTP secrets and lockout state (001 art. 25, 26;
DESIGN.md invariant 5). Runs on SQLite and PostgreSQL; every attack is raw SQL, as someone with
write access to the database would do it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from quanyi.access import cli_login, credentials, services
from quanyi.access.cli_login import cli_request
from quanyi.audit import checks
from quanyi.audit.models import AuditEvent
from quanyi.audit.verify import verify
from quanyi.core.errors import InvalidInput
from tests.access import builders

pytestmark = pytest.mark.django_db


class World:
    """A sysadmin and an auditor with TOTP, an operator, and a robot with an API token."""

    def __init__(self) -> None:
        self.admin = builders.account("admin", "sysadmin", otp=True)
        self.auditor = builders.account("auditor", "auditor", otp=True)
        self.operator = builders.account("operator", "operator")
        self.robot = builders.account("robot", "querier")
        self.sysadmin = builders.principal(self.admin)
        self.token, _ = services.create_token(self.sysadmin, "robot", "etl", ["records:read"], 30)
        report = verify()
        assert report.ok, report.problem


@pytest.fixture
def world() -> World:
    return World()


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def web_login(username: str, password: str = builders.PASSWORD, otp: str = "") -> int:
    return (
        Client()
        .post("/login", {"username": username, "password": password, "otp": otp})
        .status_code
    )


DIFFER = "credentials differ from audit event"
BETWEEN = "credentials changed between audit events"


def named(user: User, kind: str = DIFFER, username: str | None = None) -> str:
    """Verify must fail with a finding naming this user (by pk and name) and what is suspect."""
    report = verify()
    assert not report.ok, "verify passed tampered credentials"
    prefix = f"auth_user {user.pk} ({username or user.username}): {kind}"
    found = [f for f in report.findings if f.en.startswith(prefix)]
    assert found, [f.en for f in report.findings]
    assert "behind the application's back" in found[0].en
    assert found[0].zh.startswith(f"auth_user {user.pk}（")
    return found[0].en


def test_password_hash_copied_onto_the_sysadmin(world: World) -> None:
    sql(
        "UPDATE auth_user SET password = (SELECT password FROM auth_user WHERE username = %s)"
        " WHERE username = %s",
        ["operator", "admin"],
    )
    named(world.admin)
    # The attacker logs in with the copied password (and the TOTP secret read from the same
    # database): the login records the state it found, which cannot launder the change.
    assert web_login("admin", otp=builders.code(world.admin)) == 302
    named(world.admin, BETWEEN)


def test_operator_renamed(world: World) -> None:
    sql("UPDATE auth_user SET username = %s WHERE username = %s", ["operator2", "operator"])
    named(world.operator, username="operator2")
    assert web_login("operator2") == 302
    named(world.operator, BETWEEN, username="operator2")


@pytest.mark.parametrize(
    "column, value", [("is_superuser", True), ("is_staff", True), ("is_active", False)]
)
def test_role_flags_set(world: World, column: str, value: bool) -> None:
    sql(f"UPDATE auth_user SET {column} = %s WHERE username = %s", [value, "operator"])
    named(world.operator)
    services.create_token(world.sysadmin, "operator", "x", ["records:read"], 1)
    named(world.operator, BETWEEN)


def test_token_scopes_and_expiry_widened(world: World) -> None:
    sql(
        "UPDATE access_apitoken SET scopes = %s, expires_at = %s WHERE prefix = %s",
        [
            "accounts:manage cases:decide cases:submit records:read",
            datetime(2099, 12, 31, tzinfo=UTC),
            world.token.prefix,
        ],
    )
    named(world.robot)
    services.create_token(world.sysadmin, "robot", "more", ["records:read"], 1)
    named(world.robot, BETWEEN)


def test_token_inserted_for_a_user(world: World) -> None:
    sql(
        "INSERT INTO access_apitoken (user_id, name, prefix, key_hash, scopes, created_at,"
        " expires_at) VALUES (%s, 'x', 'deadbeef', %s, 'records:read', %s, %s)",
        [
            world.operator.pk,
            "0" * 64,
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2099, 1, 1, tzinfo=UTC),
        ],
    )
    named(world.operator)


def test_totp_secrets_swapped_between_two_users(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, key FROM otp_totp_totpdevice")
        keys = dict(cursor.fetchall())
    for mine, theirs in ((world.admin, world.auditor), (world.auditor, world.admin)):
        sql(
            "UPDATE otp_totp_totpdevice SET key = %s WHERE user_id = %s",
            [keys[theirs.pk], mine.pk],
        )
    named(world.admin)
    named(world.auditor)
    assert web_login("admin", otp=builders.code(world.admin)) == 302  # the auditor's secret
    named(world.admin, BETWEEN)
    named(world.auditor)


def test_totp_throttling_cleared_after_wrong_codes(world: World) -> None:
    assert web_login("admin", otp="000000") == 401
    assert verify().ok
    sql("UPDATE otp_totp_totpdevice SET throttling_failure_count = 0")
    named(world.admin)


def test_lockout_rows_deleted_after_failed_logins(world: World) -> None:
    for _ in range(5):
        assert web_login("operator", "wrong-password") in (401, 429)
    assert web_login("operator") != 302  # locked
    assert verify().ok
    sql("DELETE FROM axes_accessattempt WHERE username = %s", ["operator"])
    named(world.operator)
    assert web_login("operator") == 302  # what the attacker wanted: the lockout is gone
    named(world.operator, BETWEEN)


def test_a_user_inserted_behind_the_back_is_named(world: World) -> None:
    sql(
        "INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active,"
        " first_name, last_name, email, date_joined) VALUES"
        " ('mallory', (SELECT password FROM auth_user WHERE username = 'admin'), %s, %s, %s,"
        " '', '', '', %s)",
        [True, True, True, datetime(2026, 1, 1, tzinfo=UTC)],
    )
    mallory = User.objects.get(username="mallory")
    report = verify()
    assert not report.ok
    assert any(
        f.en.startswith(f"auth_user {mallory.pk} (mallory): credentials have no audit event")
        for f in report.findings
    ), [f.en for f in report.findings]


def test_last_login_and_the_used_totp_step_are_left_out(world: World) -> None:
    """What every login changes and vouches for nothing may change without an event."""
    sql("UPDATE auth_user SET last_login = %s", [datetime(2026, 1, 1, tzinfo=UTC)])
    sql("UPDATE otp_totp_totpdevice SET last_t = last_t + 1, drift = 1")
    assert verify().ok


def test_ordinary_actions_verify(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    sysadmin = world.sysadmin
    # Logins on the web: failed, then good (which clears the failures), a stranger's name,
    # a wrong and a right second factor.
    assert web_login("operator", "wrong-password") == 401
    assert web_login("operator") == 302
    assert web_login("nobody", "wrong-password") == 401
    assert web_login("admin", otp=builders.code(world.admin)) == 302
    assert web_login("admin", otp="000000") == 401  # (then throttled: a good code would wait)
    # On the command line: a failure, then a success, which clears the failure there too.
    monkeypatch.setenv("QUANYI_PASSWORD", "wrong-password")
    with pytest.raises(Exception, match="wrong user name or password"):
        cli_login.login("robot")
    monkeypatch.setenv("QUANYI_PASSWORD", builders.PASSWORD)
    cli_login.login("robot")
    assert not AccessAttempt.objects.filter(username="robot").exists()
    # The sysadmin's and the user's own services.
    operator = builders.principal(world.operator)
    with pytest.raises(InvalidInput):  # a wrong current password: counted, refused, recorded
        services.change_password(operator, "wrong-password", "Quanyi-new-2026!", cli_request())
    assert AccessAttempt.objects.filter(username="operator").exists()
    services.change_password(operator, builders.PASSWORD, "Quanyi-new-2026!", cli_request())
    _, _ = services.create_token(sysadmin, "robot", "load", ["cases:submit"], 10)
    services.revoke_token(sysadmin, world.token.prefix)
    services.setup_second_factor(sysadmin, "operator")
    for _ in range(5):
        web_login("robot", "wrong-password")
    services.unlock(sysadmin, "robot")
    services.set_disabled(sysadmin, "robot", True)
    services.set_disabled(sysadmin, "robot", False)
    builders.account("clerk", "querier")
    report = verify()
    assert report.ok, report.problem
    actions = set(
        AuditEvent.objects.filter(object_type="credentials").values_list("action", flat=True)
    )
    assert actions == {
        "credentials.create",
        "credentials.otp",
        "credentials.token",
        "credentials.password",
        "credentials.password_refused",
        "credentials.unlock",
        "credentials.disable",
        "credentials.enable",
    }
    broken, latest = credentials.walk()
    assert broken == []
    assert set(latest) == set(User.objects.values_list("pk", flat=True))
    failed = AuditEvent.objects.filter(action="auth.login", result="bad_credentials")
    assert all(e.object_id and e.digest for e in failed.exclude(actor="nobody"))


def test_password_expiry_and_a_future_second_factor_step_are_named(world: World) -> None:
    """A password that would never expire, and a TOTP device whose last used step is set in the
    future (every code refused: the admins locked out by the database alone)."""
    operator = User.objects.get(username="operator")
    sql(
        "UPDATE access_account SET password_changed_at = %s WHERE user_id = %s",
        [datetime(2999, 1, 1, tzinfo=UTC), operator.pk],
    )
    sql("UPDATE otp_totp_totpdevice SET last_t = 999999999999")
    problems = [finding.en for finding in checks.registered()["access"]()]
    assert any(
        p.startswith(f"auth_user {operator.pk} (operator): credentials differ") for p in problems
    ), problems
    assert any("last used step lies in the future" in p for p in problems), problems
