"""The dispatcher writes what a command printed once the command's transaction has committed,
and nothing of a command that failed: output never claims what a rollback undid (DESIGN.md,
CLI contract; 001 art. 12)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.db import connection

from quanyi.cli import main
from quanyi.core.errors import Conflict
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.registry import builders

pytestmark = pytest.mark.django_db


class WatchedStdout(io.StringIO):
    """stdout that notes how deep in transactions the database was at each write."""

    def __init__(self) -> None:
        super().__init__()
        self.depths: list[int] = []

    def write(self, text: str) -> int:
        self.depths.append(len(connection.atomic_blocks))
        return super().write(text)


@pytest.fixture(autouse=True)
def _clerk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    accounts.account("clerk", "operator")


def _submit() -> list[str]:
    return [
        "case",
        "submit",
        "person.register",
        "--data",
        json.dumps(builders.person_payload(name="输出")),
        "--as",
        "clerk",
    ]


def test_output_is_written_after_the_commands_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    outside = len(connection.atomic_blocks)  # the test's own transaction
    stdout = WatchedStdout()
    monkeypatch.setattr("sys.stdout", stdout)
    assert main(_submit()) == 0
    printed = json.loads(stdout.getvalue())
    assert stdout.depths and set(stdout.depths) == {outside}
    case = Case.objects.get(pk=printed["id"])
    assert (printed["status"], printed["stage"]) == (case.status, case.stage) == ("open", "review")


def test_a_command_that_fails_after_printing_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def prints_then_fails(*args: Any, **kwargs: Any) -> Any:
        print('{"status": "approved"}')
        raise Conflict("冲突", "conflict")

    monkeypatch.setattr("quanyi.workflow.services.submit", prints_then_fails)
    monkeypatch.setenv("QUANYI_LANG", "en")
    assert main(_submit()) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "error: conflict\n")
    assert not Case.objects.exists()
