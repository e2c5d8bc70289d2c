"""Identifiable data in bulk (001 art. 22): only as a reviewed ``disclosure.export`` case
(all five stages), written once, each person's read logged under the case; a batch read under
any other basis than a statutory one is refused."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.access.errors import Refused
from quanyi.cli import main
from quanyi.records import queries
from quanyi.records.models import QueryLogEntry
from quanyi.workflow import services as workflow
from tests.benefits.builders import verified
from tests.disclosure import builders
from tests.disclosure.builders import Career
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def career(office: Office, tmp_path: Path) -> Career:
    return builders.career(office, tmp_path / "legacy")


def test_an_approved_export_is_written_once_and_logged_per_person(
    office: Office, career: Career, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with transaction.atomic():
        case = workflow.submit(
            office.clerk,
            "disclosure.export",
            {
                "requester": "市统计局",
                "purpose": "参保扩面专项核查",
                "legal_basis": "统计法第七条",
                "items": ["person", "contribution_months"],
                "id_numbers": [career.id_number, career.id_number.lower()],
            },
            builders.document(),
        )
    assert case.payload["id_numbers"] == [career.id_number]
    out = tmp_path / "export.jsonl"
    assert main(["record", "export", str(case.pk), "--out", str(out), "--as", "clerk"]) == 1
    assert not out.exists()  # not approved yet: refused, nothing written
    case = office.approve_all(case)
    assert case.status == "approved"
    capsys.readouterr()
    assert main(["record", "export", str(case.pk), "--out", str(out), "--as", "clerk"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["persons"] == 1
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert set(lines[0]) == {"id_number", "person", "contribution_months"}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    logged = QueryLogEntry.objects.get(person=career.person)
    assert logged.basis == f"export: case {case.pk}"
    again = tmp_path / "again.jsonl"
    assert main(["record", "export", str(case.pk), "--out", str(again), "--as", "clerk"]) == 1
    assert not again.exists()
    verified()


def test_a_batch_without_a_lawful_basis_is_refused(office: Office, career: Career) -> None:
    with pytest.raises(Refused):
        list(queries.read_batch(office.clerk, [career.id_number], basis="marketing list"))
    assert not QueryLogEntry.objects.exists()
