"""Accounts, grants and the security check (001 art. 26, art. 7 role permissions). Staff
accounts and role grants are ``access.grant`` cases (DESIGN.md invariant 4): the sysadmin
proposes, the security administrator approves."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection

from quanyi.access import queries, services
from quanyi.access.errors import DutyConflict, Refused
from quanyi.access.models import RoleGrant
from quanyi.audit.models import AuditEvent
from quanyi.audit.verify import verify
from quanyi.core.errors import InvalidInput
from quanyi.workflow.models import Case
from tests.access import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return builders.account("admin", "sysadmin", otp=True)


def test_passwords_are_hashed_with_argon2(admin: User) -> None:
    assert admin.password.startswith("argon2")


def test_the_product_hashes_at_argon2s_own_cost() -> None:
    """The tests hash cheaply (``tests.hashers``); the product keeps Django's Argon2 costs."""
    import quanyi.settings as product

    assert product.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert (Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost) >= (2, 102400)


def test_granting_operator_to_a_sysadmin_is_refused_with_the_rule(admin: User) -> None:
    builders.account("ops-admin", "sysadmin")
    with pytest.raises(DutyConflict) as refused:
        builders.propose(
            builders.principal(admin), action="grant", username="ops-admin", roles=["operator"]
        )
    assert "系统管理员、数据库管理员不得兼职业务经办用户或者信息查询用户" in refused.value.zh
    assert "001 art. 26" in refused.value.en
    assert not RoleGrant.objects.filter(user__username="ops-admin", role="operator").exists()
    assert not Case.objects.exists()


def test_account_with_conflicting_roles_is_not_created(admin: User) -> None:
    with pytest.raises(DutyConflict):
        builders.propose(
            builders.principal(admin),
            action="create",
            username="x",
            password=builders.PASSWORD,
            roles=["dba", "querier"],
        )
    assert not User.objects.filter(username="x").exists()
    assert not Case.objects.exists()


def test_grant_and_revoke_are_audited(admin: User) -> None:
    builders.account("clerk", "operator")
    secadmin = builders.principal(builders.account("sec", "secadmin", otp=True))
    principal = builders.principal(admin)
    builders.decide(
        secadmin, builders.propose(principal, action="grant", username="clerk", roles=["checker"])
    )
    builders.decide(
        secadmin,
        builders.propose(principal, action="revoke", username="clerk", roles=["operator"]),
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="account.").values_list("actor", "action")
    )
    assert actions[-2:] == [("sec", "account.grant"), ("sec", "account.revoke")]
    assert services.live_roles(User.objects.get(username="clerk").pk) == {"checker"}
    assert verify().ok


def test_only_the_sysadmin_manages_accounts() -> None:
    clerk = builders.account("clerk", "operator")
    with pytest.raises(Refused):
        builders.propose(
            builders.principal(clerk), action="grant", username="other", roles=["approver"]
        )


def test_weak_passwords_are_refused(admin: User) -> None:
    for weak in ("short1!", "alllowercaseletters", "12345678901"):
        with pytest.raises(InvalidInput) as refused:
            builders.propose(
                builders.principal(admin),
                action="create",
                username="new",
                password=weak,
                roles=["operator"],
            )
        assert refused.value.errors[0].field == "password"


def test_long_password_profile(admin: User, settings: object) -> None:
    from django.contrib.auth import password_validation

    from quanyi.access import passwords

    settings.AUTH_PASSWORD_VALIDATORS = passwords.validators("long")  # type: ignore[attr-defined]
    password_validation.get_default_password_validators.cache_clear()

    def propose(password: str) -> Case:
        return builders.propose(
            builders.principal(admin),
            action="create",
            username="new",
            password=password,
            roles=["operator"],
        )

    try:
        with pytest.raises(InvalidInput):  # 8 characters of 3 classes: national, not here
            propose("Abcdef1!")
        with pytest.raises(InvalidInput):  # long but common
            propose("qwerty123456")
        assert propose("correct horse battery staple").stage == "approval"
    finally:
        password_validation.get_default_password_validators.cache_clear()
    assert passwords.PROFILES["long"]["expiry_days"] is None
    assert passwords.PROFILES["default"]["expiry_days"] == 90


def test_security_check_passes_then_catches_a_grant_inserted_behind_the_back(admin: User) -> None:
    builders.account("clerk", "querier")
    principal = builders.principal(admin)
    assert queries.duty_violations(principal) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO access_rolegrant (user_id, role, granted_by, granted_at)"
            " VALUES (%s, 'querier', 'mallory', CURRENT_TIMESTAMP)",
            [admin.pk],
        )
    found = queries.duty_violations(principal)
    assert [(name, v.held, v.conflicting) for name, v in found] == [
        ("admin", "sysadmin", "querier")
    ]
    assert "grant" in (verify().problem or "")  # and the chain names the unaudited row


def test_disable_ends_tokens(admin: User) -> None:
    builders.account("robot", "querier")
    principal = builders.principal(admin)
    _, secret = services.create_token(principal, "robot", "etl", ["records:read"], 30)
    assert services.user_for_token(secret) is not None
    services.set_disabled(principal, "robot", True)
    assert services.user_for_token(secret) is None
