"""The sysadmin's account screens: the same services as ``quanyi user …``, the same rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from quanyi.access.models import RoleGrant
from quanyi.audit.models import AuditEvent
from quanyi.core.principal import Principal
from quanyi.workflow.models import Case
from tests.access import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    admin = builders.account("root", "sysadmin", otp=True)
    answer = client.post(
        "/login",
        {"username": "root", "password": builders.PASSWORD, "otp": builders.code(admin)},
    )
    assert answer.status_code == 302
    return client


def live_roles(username: str) -> set[str]:
    return set(
        RoleGrant.objects.filter(user__username=username, revoked_at__isnull=True).values_list(
            "role", flat=True
        )
    )


def approve_waiting(secadmin: Principal) -> None:
    for case in Case.objects.filter(type="access.grant", status="open"):
        builders.decide(secadmin, case)


def test_add_an_account_then_grant_and_revoke(admin_client: Client) -> None:
    """Each is proposed on screen and applied by the security administrator's approval
    (DESIGN.md invariant 4)."""
    answer = admin_client.post(
        "/access/users",
        {
            "username": "clerk",
            "password": "Clerk-pass-2026!",
            "region": "110105",
            "roles": ["querier"],
        },
    )
    assert answer.status_code == 302 and answer["Location"].startswith("/cases/")
    assert admin_client.get(answer["Location"]).status_code == 200  # the proposal, shown
    assert not User.objects.filter(username="clerk").exists()  # nothing before the approval
    sec = builders.account("sec", "secadmin", otp=True)
    on_screen = Client()
    on_screen.post(
        "/login", {"username": "sec", "password": builders.PASSWORD, "otp": builders.code(sec)}
    )
    queue = on_screen.get("/cases").content.decode()
    assert answer["Location"] in queue and "授权业务件" in queue  # the queue, in the navigation
    assert 'id="approve"' in on_screen.get(answer["Location"]).content.decode()
    assert on_screen.post(answer["Location"], {"action": "approve"}).status_code == 302
    assert live_roles("clerk") == {"querier"}
    secadmin = builders.principal(sec)
    assert "clerk" in admin_client.get("/access/users").content.decode()

    admin_client.post("/access/users/clerk", {"action": "grant", "role": "operator"})
    assert live_roles("clerk") == {"querier"}
    approve_waiting(secadmin)
    assert live_roles("clerk") == {"querier", "operator"}
    admin_client.post("/access/users/clerk", {"action": "revoke", "role": "querier"})
    approve_waiting(secadmin)
    assert live_roles("clerk") == {"operator"}
    actions = set(AuditEvent.objects.filter(actor="sec").values_list("action", flat=True))
    assert {"account.create", "account.grant", "account.revoke"} <= actions


def test_a_conflicting_grant_is_refused_on_screen_with_the_rule(admin_client: Client) -> None:
    builders.account("root2", "sysadmin")
    answer = admin_client.post("/access/users/root2", {"action": "grant", "role": "approver"})
    assert answer.status_code == 400
    assert "001 第二十六条" in answer.content.decode()
    assert live_roles("root2") == {"sysadmin"}
    own = admin_client.post("/access/users/root", {"action": "grant", "role": "approver"})
    assert own.status_code == 400 and "不得为自己的账户" in own.content.decode()
    assert not Case.objects.exists()


def test_a_weak_initial_password_is_refused_and_nothing_is_created(admin_client: Client) -> None:
    answer = admin_client.post(
        "/access/users", {"username": "clerk", "password": "short", "roles": ["querier"]}
    )
    assert answer.status_code == 400 and 'id="form-error"' in answer.content.decode()
    assert not User.objects.filter(username="clerk").exists()
    assert not Case.objects.exists()


def test_disable_enable_and_a_new_second_factor(admin_client: Client) -> None:
    builders.account("auditor2", "auditor", otp=True)
    admin_client.post("/access/users/auditor2", {"action": "disable"})
    assert not User.objects.get(username="auditor2").is_active
    admin_client.post("/access/users/auditor2", {"action": "enable"})
    assert User.objects.get(username="auditor2").is_active
    answer = admin_client.post("/access/users/auditor2", {"action": "otp"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "<svg" in page and "<code>" in page


def test_only_the_sysadmin_sees_the_screens(client: Client) -> None:
    builders.account("clerk", "operator")
    client.post("/login", {"username": "clerk", "password": builders.PASSWORD})
    answer = client.get("/access/users")
    assert answer.status_code == 403 and "仅系统管理员可管理账户" in answer.content.decode()
    assert AuditEvent.objects.filter(actor="clerk", action="refused:account.manage").exists()


def test_a_person_account_is_opened_from_the_screen_with_its_kind_in_words(
    admin_client: Client,
) -> None:
    answer = admin_client.post(
        "/access/users",
        {"kind": "person", "username": "wangping", "password": "Qy-a-long-pass-2026"},
    )
    assert answer.status_code == 302
    assert live_roles("wangping") == {"person"}
    assert not Case.objects.exists()  # opened at once: not a staff account
    page = admin_client.get("/access/users").content.decode()
    assert "参保人员" in page and ">person<" not in page
