"""No bulk export, enumeration stopped (001 art. 22): a querier who walks through 200 id
numbers — found or not — is slowed near the limit and stopped before the 200th; the auditor
sees the alert; the person sees each read of their record."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import transaction

from quanyi.access.errors import Refused
from quanyi.audit.alerts import alert_rows
from quanyi.cli import main
from quanyi.core import kept
from quanyi.core.errors import NotFound
from quanyi.disclosure import limits
from quanyi.records import queries
from tests.access.builders import account, code, principal
from tests.conftest import applying_as
from tests.disclosure.builders import outside
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def numbers(count: int) -> list[str]:
    first = date(1970, 1, 1)
    return [builders.id_number(birth=first + timedelta(days=i)) for i in range(count)]


def test_a_querier_walking_through_numbers_is_stopped_and_the_auditor_alerted(
    office: Office,
    capsys: pytest.CaptureFixture[str],
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """001 art. 22: the 101st distinct number is refused (limit 100 an hour for a querier),
    reads up to it are slowed from 80, one alert reaches the auditor's list, and each person
    read on the way sees that read in ``record accesses`` (001 art. 21)."""
    settings.QUANYI_LOOKUP_DELAY = 0.5  # type: ignore[attr-defined]
    sleeps: list[float] = []  # how long each look-up was held back, without waiting
    monkeypatch.setattr(limits.time, "sleep", sleeps.append)
    walked = numbers(200)
    with transaction.atomic():
        for applier in applying_as("approver-a", "110000"):
            real = [builders.person(applier, id_number=n) for n in walked[:3]]
    querier = principal(account("querier", "querier"))
    auditor = account("auditor", "auditor", otp=True)
    refused_at = None
    for index, number in enumerate(walked, start=1):
        try:
            with transaction.atomic():
                queries.read(querier, number, purpose="逐号查询")
        except NotFound:
            kept.settle()  # as every surface does once the failed work has rolled back
        except Refused as refusal:
            kept.settle()
            refused_at = index
            assert "001" in refusal.message("zh")
            break
    admitted = (refused_at or 0) - 1
    slowed = len(sleeps)
    assert refused_at == limits.LIMITS["querier"] + 1 < 200
    assert admitted == 100 and slowed == 100 - 80 + 1
    # Still refused afterwards, for a new number; a number already looked up is not new.
    with pytest.raises(Refused):
        queries.read(querier, walked[150])
    queries.read(querier, walked[0])
    enumeration = [row for row in alert_rows() if row.kind == limits.ALERT_KIND]
    assert len(enumeration) == 1 and "querier" in enumeration[0].actor
    capsys.readouterr()
    monkeypatch.setenv("QUANYI_OTP", code(auditor))
    assert main(["audit", "alerts", "--json", "--as", "auditor"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert any(row["kind"] == limits.ALERT_KIND for row in listed)
    for person in real:
        outside(person.id_number, "person", "person", person_id=person.pk)
        capsys.readouterr()
        assert main(["record", "accesses", person.id_number, "--as", person.id_number]) == 0
        seen = json.loads(capsys.readouterr().out)
        assert any(r["actor"] == "querier" and r["purpose"] == "逐号查询" for r in seen)


def test_a_refused_look_up_still_counts(office: Office, capsys: pytest.CaptureFixture[str]) -> None:
    """001 art. 22: a number looked up through the CLI and not found counts, though the
    command failed and its transaction rolled back."""
    account("querier", "querier")
    before = limits.Lookup.objects.count()
    for number in numbers(3):
        assert main(["record", "show", number, "--as", "querier"]) == 1
    assert limits.Lookup.objects.filter(actor="querier").count() - before == 3


def test_limits_are_data(settings: object) -> None:
    """001 art. 22: the limits per role come from the configuration."""
    settings.QUANYI_LOOKUP_LIMITS = "querier=5"  # type: ignore[attr-defined]
    querier = principal(account("querier", "querier"))
    assert limits.limit_of(querier) == 5
