"""Case types are declared once and a case's payload is checked once: at intake (and at
resubmission) it is cleaned and kept as its type's schema dumps it; the review stages and the
final approval get it back typed. Every surface prints one ``Case`` (DESIGN.md, CLI contract:
``id``, ``type``, ``status``, ``stage``, ``decisions``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.cli import main
from quanyi.core.principal import Principal
from quanyi.registry.models import Employer, Person
from quanyi.rulebook import services as rulebook
from quanyi.workflow import services, types
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.contributions.test_legacy import write_files
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

CASE_KEYS = {"id", "type", "status", "stage", "decisions"}


def test_the_payload_is_kept_as_intake_cleaned_it() -> None:
    """001 art. 6: what the approval applies is what the reviewers saw, cleaned once."""
    office = Office()
    number = builders.id_number(date(1985, 3, 1), male=False)
    payload = builders.person_payload(id_number=f" {number.lower()} ", name="  王芳 ")
    case = office.submit("person.register", payload)
    assert case.payload == {
        "id_number": number,
        "name": "王芳",
        "phone": "13800138000",
        "hukou_region": "110105",
        "residence_region": "110105",
        "category": "employee",
        "guardian_id_number": None,
    }
    employer = office.submit("employer.register", builders.employer_payload(injury_class="3"))
    assert employer.payload["injury_class"] == 3
    office.approve_all(case)
    office.approve_all(employer)
    assert Person.objects.get(id_number=number).name == "王芳"
    assert Employer.objects.get(uscc=employer.payload["uscc"]).injury_class == 3


def test_the_approval_checks_the_data_as_it_is_then() -> None:
    """The id number was free at intake and taken before the approval: refused, not applied
    twice (the rules that depend on the data are checked again; the payload is not)."""
    office = Office()
    payload = builders.person_payload()
    first = office.submit("person.register", payload)
    second = office.submit("person.register", payload)
    office.approve_all(first)
    with transaction.atomic():
        case = services.act(office.reviewer, second.pk, "approve")
    from quanyi.workflow.errors import ApplyFailed

    with pytest.raises(ApplyFailed, match="already registered"), transaction.atomic():
        services.act(office.approver, case.pk, "approve")
    assert Person.objects.filter(id_number=payload["id_number"]).count() == 1


def test_every_type_declares_its_stages_form_and_payload_schema() -> None:
    found = types.all_types()
    assert {t.name for t in found} >= {
        "employer.register",
        "employer.change",
        "employer.cancel",
        "person.register",
        "person.change",
        "person.cancel",
        "relation.start",
        "relation.end",
        "record.correct",
        "parameter.change",
        "contribution.declare",
        "contribution.backpay",
        "contribution.refund",
        "import.legacy",
    }
    for case_type in found:
        out = case_type.out()
        assert out.stages[0] == "intake" and out.stages[-1] == "approval", case_type.name
        properties = set(out.payload["properties"])
        assert {f.name for f in out.fields} <= properties, case_type.name  # forms fill payloads


def test_import_legacy_prints_the_case_as_case_submit_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction.atomic():
        rulebook.seed(Principal.system("system:init"))
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    accounts.account("clerk", "operator")
    write_files(tmp_path / "legacy", builders.id_number(date(1980, 5, 5)), builders.uscc())
    assert main(["import", "legacy", str(tmp_path / "legacy"), "--as", "clerk"]) == 0
    imported = json.loads(capsys.readouterr().out)
    data = json.dumps(builders.person_payload())
    assert main(["case", "submit", "person.register", "--data", data, "--as", "clerk"]) == 0
    submitted = json.loads(capsys.readouterr().out)
    assert set(imported) >= CASE_KEYS and set(imported) == set(submitted)
    case = Case.objects.get(pk=imported["id"])
    assert (imported["type"], imported["status"], imported["stage"]) == (
        "import.legacy",
        "open",
        "check",
    )
    assert [d["decision"] for d in imported["decisions"]] == ["submit"]
    assert {c["field"]: c["after"] for c in imported["changes"]}["persons"] == 1
    assert case.type == "import.legacy"
