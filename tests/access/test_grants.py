"""Three administrators and granted roles (001 art. 26; 000 §4 (3); GB/T 22239-2019 level 3
三员; DESIGN.md invariant 4): staff accounts and role grants are ``access.grant`` cases the
sysadmin proposes and the security administrator approves; nobody acts on their own account or
on both stages; the exclusion rules hold at grant time, again at approval, and in ``security
check`` over whatever the database holds."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from quanyi.access import services
from quanyi.access.errors import DutyConflict, Refused
from quanyi.audit.models import AuditEvent
from quanyi.audit.verify import verify
from quanyi.cli import main
from quanyi.core.errors import NotFound
from quanyi.core.principal import Principal
from quanyi.workflow import queries
from quanyi.workflow.errors import ApplyFailed
from quanyi.workflow.models import Case
from tests.access import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return builders.account("admin", "sysadmin", otp=True)


@pytest.fixture
def sec() -> User:
    return builders.account("sec", "secadmin", otp=True)


def cli(monkeypatch: pytest.MonkeyPatch, user: User, *args: str, **env: str) -> int:
    monkeypatch.setenv("QUANYI_LANG", "en")
    monkeypatch.setenv("QUANYI_PASSWORD", builders.PASSWORD)
    monkeypatch.setenv("QUANYI_OTP", builders.code(user))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return main([*args, "--as", user.username])


def test_an_account_the_sysadmin_proposes_opens_when_the_secadmin_approves(
    admin: User,
    sec: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    password = "Clerk-pass-2026!"
    add = ("user", "add", "clerk", "--role", "querier", "--region", "110105")
    assert cli(monkeypatch, admin, *add, QUANYI_NEW_PASSWORD=password) == 0
    printed = capsys.readouterr().out
    case = json.loads(printed)
    assert (case["type"], case["status"], case["stage"]) == ("access.grant", "open", "approval")
    assert case["changes"][0]["after"] == ["querier"]
    assert password not in printed and "password" not in case["payload"]  # its hash only
    assert not User.objects.filter(username="clerk").exists()  # nothing before the approval

    secadmin = builders.principal(sec)
    assert [c.id for c in queries.queue(secadmin)] == [case["id"]]
    operator = builders.principal(builders.account("op", "operator"))
    assert queries.queue(operator) == []  # need to know: business staff see no account case
    with pytest.raises(NotFound):
        queries.case(operator, case["id"])

    assert cli(monkeypatch, sec, "case", "act", str(case["id"]), "approve") == 0
    done = json.loads(capsys.readouterr().out)
    assert done["status"] == "approved"
    assert [(d["actor"], d["stage"]) for d in done["decisions"]] == [
        ("admin", "intake"),
        ("sec", "approval"),
    ]
    clerk = User.objects.get(username="clerk")
    assert services.live_roles(clerk.pk) == {"querier"} and clerk.account.region == "110105"
    assert AuditEvent.objects.filter(actor="sec", action="account.create").exists()
    answer = Client().post("/login", {"username": "clerk", "password": password})
    assert answer.status_code == 302  # the password the sysadmin handed over works
    assert verify().ok


def test_one_person_never_takes_both_stages(admin: User, sec: User) -> None:
    sysadmin = builders.principal(admin)
    builders.account("clerk", "operator")
    case = builders.propose(sysadmin, action="grant", username="clerk", roles=["querier"])
    with pytest.raises(Refused, match="approved by the security administrator"):
        builders.decide(sysadmin, case)
    # No account may hold both duties (roles.RULES); given both behind the application's
    # back, the proposer still may not approve.
    both = Principal(
        actor="admin",
        source="cli",
        region="110000",
        roles=frozenset({"sysadmin", "secadmin"}),
        user_id=admin.pk,
    )
    with pytest.raises(Refused, match="one person acts on one stage"):
        builders.decide(both, case)
    with pytest.raises(Refused, match="only the sysadmin proposes"):
        builders.propose(builders.principal(sec), action="grant", username="x", roles=["querier"])
    case.refresh_from_db()
    assert (case.status, case.stage) == ("open", "approval")
    assert services.live_roles(User.objects.get(username="clerk").pk) == {"operator"}


def test_nobody_acts_on_their_own_account(admin: User, sec: User) -> None:
    with pytest.raises(Refused, match="nobody acts on their own account"):
        builders.propose(
            builders.principal(admin), action="revoke", username="admin", roles=["sysadmin"]
        )
    case = builders.propose(
        builders.principal(admin), action="revoke", username="sec", roles=["secadmin"]
    )
    with pytest.raises(Refused, match="nobody acts on their own account"):
        builders.decide(builders.principal(sec), case)
    assert services.live_roles(sec.pk) == {"secadmin"}
    assert Case.objects.get(pk=case.pk).status == "open"


def test_auditor_and_querier_are_refused_at_grant(admin: User) -> None:
    """The reported hole: the sysadmin opened an account holding auditor and querier."""
    sysadmin = builders.principal(admin)
    with pytest.raises(DutyConflict, match=r"auditor \+ querier: .*\[auditor_alone\]"):
        builders.propose(
            sysadmin,
            action="create",
            username="mixed",
            password=builders.PASSWORD,
            roles=["auditor", "querier"],
        )
    builders.account("aud2", "auditor", otp=True)
    with pytest.raises(DutyConflict, match=r"\[auditor_alone\]"):
        builders.propose(sysadmin, action="grant", username="aud2", roles=["querier"])
    assert not Case.objects.exists()
    assert not User.objects.filter(username="mixed").exists()


def test_the_rules_are_checked_again_at_the_approval(admin: User, sec: User) -> None:
    builders.account("clerk", "querier")
    sysadmin, secadmin = builders.principal(admin), builders.principal(sec)
    first = builders.propose(sysadmin, action="grant", username="clerk", roles=["reviewer"])
    second = builders.propose(sysadmin, action="grant", username="clerk", roles=["approver"])
    builders.decide(secadmin, first)
    with pytest.raises(ApplyFailed, match=r"\[one_review_stage\]"):
        builders.decide(secadmin, second)
    assert services.live_roles(User.objects.get(username="clerk").pk) == {"querier", "reviewer"}


def test_staff_accounts_are_opened_only_by_a_case(admin: User) -> None:
    with pytest.raises(Refused, match=r"access\.grant case"):
        services.add_user(
            builders.principal(admin),
            services.NewAccount(username="x", password=builders.PASSWORD, roles=("querier",)),
        )
    assert not User.objects.filter(username="x").exists()


def test_security_check_names_each_account_and_rule_written_behind_the_back(
    sec: User, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    auditor = builders.account("aud2", "auditor", otp=True)
    reviewer = builders.account("rev", "reviewer")
    assert cli(monkeypatch, sec, "security", "check") == 0
    assert "no separation-of-duties violation" in capsys.readouterr().out
    with connection.cursor() as cursor:
        for user, role in ((auditor, "querier"), (reviewer, "approver")):
            cursor.execute(
                "INSERT INTO access_rolegrant (user_id, role, granted_by, granted_at)"
                " VALUES (%s, %s, 'mallory', CURRENT_TIMESTAMP)",
                [user.pk, role],
            )
    assert cli(monkeypatch, sec, "security", "check") == 1
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["aud2", "rev"]
    assert "auditor + querier" in lines[0] and "[auditor_alone]" in lines[0]
    assert "approver + reviewer" in lines[1] and "[one_review_stage]" in lines[1]
