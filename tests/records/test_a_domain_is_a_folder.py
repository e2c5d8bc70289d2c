"""A domain is a folder (DESIGN.md, Layout): ``tests/fakedomain`` is installed by one line in
the test settings and declares its parts on its AppConfig; its router, command, permission,
screen and record part appear without any other file naming it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client

from quanyi.access.policy import allowed
from quanyi.cli import main
from quanyi.records import queries
from quanyi.registry.models import Person
from tests.access import builders as accounts
from tests.access.builders import web_login
from tests.conftest import applying_as
from tests.registry import builders as registry

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def person() -> Iterator[Person]:
    for applier in applying_as("approver-f", "110000"):
        yield registry.person(applier, name="赵敏")


def test_nothing_outside_its_folder_names_the_fake_domain() -> None:
    naming = [
        path.relative_to(ROOT)
        for path in [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py")]
        if "fakedomain" in path.read_text(encoding="utf-8")
        and "fakedomain" not in path.parts
        and path.name not in {"settings_test.py", Path(__file__).name}
    ]
    assert naming == []


def test_its_router_is_mounted_and_described(client: Client) -> None:
    web_login(client, accounts.account("reviewer-f", "reviewer"))  # fake.read is theirs
    assert client.get("/api/v1/fake/ping").json() == {"fake": "pong"}
    assert "/api/v1/fake/ping" in client.get("/api/v1/openapi.json").json()["paths"]


def test_its_command_is_offered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fake-hello"]) == 0
    assert capsys.readouterr().out == "hello from the fake domain\n"


def test_its_permission_is_enforced() -> None:
    reviewer = accounts.principal(accounts.account("reviewer-f", "reviewer"))
    querier = accounts.principal(accounts.account("querier-g", "querier"))
    assert allowed(reviewer, "fake.read") and not allowed(querier, "fake.read")


def test_its_screen_is_in_the_navigation_of_those_allowed(client: Client) -> None:
    web_login(client, accounts.account("reviewer-s", "reviewer"))
    page = client.get("/records").content.decode()
    assert 'id="nav-fake"' in page and "假领域" in page
    other = Client()
    web_login(other, accounts.account("querier-s", "querier"))
    assert 'id="nav-fake"' not in other.get("/records").content.decode()


def test_its_record_part_appears_for_those_its_permission_allows(person: Person) -> None:
    reviewer = accounts.principal(accounts.account("reviewer-r", "reviewer"))
    querier = accounts.principal(accounts.account("querier-r", "querier"))
    with transaction.atomic():
        seen = queries.read(reviewer, person.id_number)
        withheld = queries.read(querier, person.id_number)
    assert seen["fake_part"] == {"person_id": person.pk}
    assert "fake_part" not in withheld  # parts the user may not see are absent
    assert "person" in withheld
