"""Who may read a person's record, on every path (001 art. 26; 004 part 7).

Sysadmin and DBA get a refusal quoting the rule — not an empty record — on the web, the API
and the CLI, and each refusal is an audit event. Staff read only their own region's records.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from quanyi.access import applying, services
from quanyi.audit.models import AuditEvent
from quanyi.cli import main
from quanyi.core.principal import Principal
from quanyi.registry.models import Person
from tests.access import builders
from tests.access.builders import web_login
from tests.conftest import applying_as
from tests.registry import builders as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Iterator[Person]:
    for beijing in applying_as("approver-bj", "110000"):
        yield registry.person(beijing, name="王芳")


def refusals(actor: str) -> int:
    return AuditEvent.objects.filter(actor=actor, action="refused:record.read").count()


@pytest.mark.parametrize("role", ["sysadmin", "dba"])
def test_admins_are_refused_the_record_on_the_web(
    role: str, person: Person, client: Client
) -> None:
    admin = builders.account("admin", role, otp=True)
    web_login(client, admin)
    answer = client.post("/records", {"id_number": person.id_number})
    page = answer.content.decode()
    assert answer.status_code == 403
    assert "系统管理员和数据库管理员不得查看" in page and "王芳" not in page
    assert refusals("admin") == 1


@pytest.mark.parametrize("role", ["sysadmin", "dba"])
def test_admins_are_refused_the_record_on_the_api(
    role: str, person: Person, client: Client
) -> None:
    admin = builders.account("admin", role, otp=True)
    web_login(client, admin)
    answer = client.get(f"/api/v1/persons/{person.id_number}/record")
    assert answer.status_code == 403
    assert answer.json()["code"] == "refused" and "王芳" not in answer.content.decode()
    assert refusals("admin") == 1


@pytest.mark.parametrize("role", ["sysadmin", "dba"])
def test_admins_are_refused_the_record_on_the_cli(
    role: str,
    person: Person,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = builders.account("admin", role, otp=True)
    monkeypatch.setenv("QUANYI_LANG", "en")
    monkeypatch.setenv("QUANYI_PASSWORD", builders.PASSWORD)
    monkeypatch.setenv("QUANYI_OTP", builders.code(admin))
    assert main(["record", "show", person.id_number, "--as", "admin"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "sysadmin and DBA may not (001 art. 26)" in captured.err
    assert refusals("admin") == 1


def test_querier_reads_the_record_in_every_channel(person: Person, client: Client) -> None:
    querier = builders.account("clerk", "querier")
    web_login(client, querier)
    found = client.post("/records", {"id_number": person.id_number}, follow=True)
    assert "王芳" in found.content.decode()
    answer = client.get(f"/api/v1/persons/{person.id_number}/record")
    assert answer.status_code == 200 and answer.json()["person"]["name"] == "王芳"


def test_an_operator_of_region_a_cannot_see_a_person_of_region_b(client: Client) -> None:
    guangzhou = Principal(
        actor="approver-gz", source="cli", region="440100", roles=frozenset({"approver"})
    )
    with applying.granted(guangzhou, 0) as applier:
        cantonese = registry.person(
            applier, name="陈伟", id_number=registry.id_number(region="440106")
        )
    beijing_clerk = builders.account("clerk-bj", "operator", region="110000")
    guangzhou_clerk = builders.account("clerk-gz", "operator", region="440100")
    path = f"/api/v1/persons/{cantonese.id_number}/record"

    web_login(client, beijing_clerk)
    assert client.get(path).status_code == 404  # as if absent: need to know
    elsewhere = client.post("/records", {"id_number": cantonese.id_number}, follow=True)
    assert elsewhere.status_code == 404 and "陈伟" not in elsewhere.content.decode()

    other = Client()
    web_login(other, guangzhou_clerk)
    assert other.get(path).json()["person"]["name"] == "陈伟"


def test_a_province_wide_querier_covers_its_cities(person: Person, client: Client) -> None:
    # 110000 covers 110105 (DESIGN.md: prefix coverage); a Shanghai querier covers neither.
    shanghai = builders.account("clerk-sh", "querier", region="310000")
    web_login(client, shanghai)
    assert client.get(f"/api/v1/persons/{person.id_number}/record").status_code == 404


def test_tokens_are_scoped(person: Person, client: Client) -> None:
    admin = builders.account("admin", "sysadmin", otp=True)
    builders.account("robot", "querier")
    sysadmin = builders.principal(admin)
    _, reader = services.create_token(sysadmin, "robot", "etl", ["records:read"], 30)
    _, writer = services.create_token(sysadmin, "robot", "other", ["cases:submit"], 30)
    path = f"/api/v1/persons/{person.id_number}/record"

    assert client.get(path, headers={"Authorization": f"Bearer {reader}"}).status_code == 200
    assert client.get(path, headers={"Authorization": f"Bearer {writer}"}).status_code == 403
    services.revoke_token(sysadmin, reader.split("_")[1])
    assert client.get(path, headers={"Authorization": f"Bearer {reader}"}).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer qy_nope_nope"}).status_code == 401


def test_an_expired_token_is_refused(person: Person, client: Client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    admin = builders.account("admin", "sysadmin", otp=True)
    builders.account("robot", "querier")
    token, secret = services.create_token(
        builders.principal(admin), "robot", "etl", ["records:read"], 1
    )
    assert services.user_for_token(secret) is not None
    assert services.user_for_token(secret, timezone.now() + timedelta(days=2)) is None
    assert token.expires_at <= timezone.now() + timedelta(days=1, seconds=5)
