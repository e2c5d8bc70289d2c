"""Whatever goes wrong when a case is applied at its final approval — a refusal of the domain
or an exception nobody foresaw (an overflow, a value the database refuses) — the case stays
open at approval with nothing changed, a ``case.apply_failed`` event keeps the attempt, and the
approver reads one translated reason on the CLI, the API and the case screen: never a traceback
or a 500; the traceback goes to the log (001 art. 7, 12; DESIGN.md invariant 8)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from quanyi.audit.models import AuditEvent
from quanyi.cli import main
from quanyi.core.principal import Principal
from quanyi.core.schemas import Payload
from quanyi.workflow import services, types
from quanyi.workflow.models import Case, CaseDecision
from quanyi.workflow.stages import Stage
from tests.access import builders as accounts
from tests.workflow.builders import staff

pytestmark = pytest.mark.django_db


def _overflow(principal: Principal, payload: Mapping[str, Any]) -> str:
    raise OverflowError("int too large to convert")


def _too_large_for_the_database(principal: Principal, payload: Mapping[str, Any]) -> str:
    """A value beyond a bigint column: PostgreSQL answers DataError, SQLite's driver overflows."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_case SET round = %s WHERE id = %s", [10**30, 0])
    return "never"


KINDS = {
    "test.overflow": (_overflow, "OverflowError"),
    "test.database": (
        _too_large_for_the_database,
        "DataError" if connection.vendor == "postgresql" else "OverflowError",
    ),
}


class Reason(Payload):
    reason: str


@pytest.fixture(params=sorted(KINDS))
def failing_type(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    name = str(request.param)
    apply, kind = KINDS[name]

    class Failing(types.CaseType[Reason]):
        zh, en = "测试", "test"
        stages = (Stage.INTAKE, Stage.APPROVAL)
        payload = Reason

        def changes(self, principal: Principal, payload: Reason) -> list[types.Change]:
            return [types.Change("test 1", "reason", None, payload.reason)]

        def apply(self, principal: Principal, payload: Reason) -> str:
            return failing(principal, payload)

    Failing.name = name
    failing = apply
    types.register(Failing)
    yield name, kind
    types._TYPES.pop(name)


@pytest.fixture
def waiting(failing_type: tuple[str, str]) -> Case:
    """A case of the failing type, waiting at approval."""
    staff("approver", "approver")
    with transaction.atomic():
        case = services.submit(staff("clerk", "operator"), failing_type[0], {"reason": "测试"})
    assert (case.status, case.stage) == ("open", "approval")
    return case


def _kept_open_with_the_failure(case: Case) -> None:
    case.refresh_from_db()
    assert (case.status, case.stage, case.result) == ("open", "approval", "")
    assert not CaseDecision.objects.filter(case=case, decision="approve").exists()
    failed = AuditEvent.objects.filter(action="case.apply_failed", object_id=str(case.pk))
    assert failed.count() == 1 and failed.get().actor == "approver"


def test_cli_prints_one_translated_line_and_logs_the_traceback(
    waiting: Case,
    failing_type: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "en")
    caplog.set_level(logging.ERROR, logger="quanyi.workflow")
    assert main(["case", "act", str(waiting.pk), "approve", "--as", "approver"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    kind = failing_type[1]
    assert captured.err == (
        "error: approval not applied, nothing changed: could not be applied:"
        f" {kind} (details in the server log)\n"
    )
    _kept_open_with_the_failure(waiting)
    logged = [r for r in caplog.records if r.name == "quanyi.workflow"]
    assert logged and logged[0].exc_info is not None and logged[0].exc_info[0].__name__ == kind
    # On the command line the traceback is kept in the data dir's log, not shown.
    log = (Path(settings.QUANYI_DATA_DIR) / "logs" / "cli.log").read_text(encoding="utf-8")
    assert "Traceback" in log and kind in log


def test_cli_reason_in_chinese(
    waiting: Case, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "zh")
    assert main(["case", "act", str(waiting.pk), "approve", "--as", "approver"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误: 审批未能办结，未作任何变更：无法执行：") and err.count("\n") == 1


def _login(username: str) -> Client:
    client = Client()
    answer = client.post("/login", {"username": username, "password": accounts.PASSWORD})
    assert answer.status_code == 302
    return client


def test_api_answers_409_with_the_reason(waiting: Case, failing_type: tuple[str, str]) -> None:
    answer = _login("approver").post(
        f"/api/v1/cases/{waiting.pk}/decisions",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "apply_failed"
    assert body["detail"] == (
        f"审批未能办结，未作任何变更：无法执行：{failing_type[1]}（详情见服务器日志）"
    )
    assert "Traceback" not in answer.content.decode()
    _kept_open_with_the_failure(waiting)


def test_case_screen_shows_the_reason_and_the_case_still_at_approval(
    waiting: Case, failing_type: tuple[str, str]
) -> None:
    answer = _login("approver").post(f"/cases/{waiting.pk}", {"action": "approve"})
    assert answer.status_code == 409
    page = answer.content.decode()
    assert "审批未能办结，未作任何变更" in page and failing_type[1] in page
    assert 'data-status="open"' in page and 'data-stage="approval"' in page
    assert 'id="approve"' in page  # the approver may try again once it is fixed
    _kept_open_with_the_failure(waiting)
