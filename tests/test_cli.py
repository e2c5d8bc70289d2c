"""The ``quanyi`` command in-process: exit codes, JSON output, errors naming the field."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from quanyi.audit import checkpoints
from quanyi.audit import services as audit
from quanyi.cli import main
from quanyi.core.principal import Principal
from quanyi.registry.models import Person
from tests.access import builders as accounts
from tests.registry import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _logins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    accounts.account("querier", "querier")


def test_record_show_prints_person_and_relations(
    principal: Principal, capsys: pytest.CaptureFixture[str]
) -> None:
    employer = builders.employer(principal, uscc="91110000600037341L", name="北京某某有限公司")
    person = builders.person(principal, id_number="11010519491231002X", name="李梅")
    builders.relation(principal, person, employer, "pension", "2016-01", "2020-12")
    builders.relation(principal, person, None, "resident_medical", "2021-01")
    assert main(["record", "show", "11010519491231002X", "--as", "querier"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["person"] == {
        "id_number": "110105********002X",
        "name": "李梅",
        "sex": "F",
        "birth_date": "1949-12-31",
        "category": "employee",
        "region": "110000",
        "status": "active",
        "deceased_date": None,
    }
    assert record["relations"] == [
        {
            "uscc": "91110000600037341L",
            "employer": "北京某某有限公司",
            "insurance": "pension",
            "start_month": "2016-01",
            "end_month": "2020-12",
        },
        {
            "uscc": None,
            "employer": None,
            "insurance": "resident_medical",
            "start_month": "2021-01",
            "end_month": None,
        },
    ]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "error: id_number: the check digit is wrong (expected X)"),
        ("zh", "错误: id_number: 公民身份号码校验位错误（应为 X）"),
    ],
)
def test_refusal_is_one_line_on_stderr_in_the_users_language(
    lang: str, expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_LANG", lang)
    assert main(["record", "show", "110105194912310021", "--as", "querier"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == expected and captured.out == ""


def test_unknown_person_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_LANG", "en")
    assert main(["record", "show", "440106197001010014", "--as", "querier"]) == 1
    assert "no such person" in capsys.readouterr().err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["record", "explode"])
    assert exited.value.code == 2


def test_verify_and_checkpoint_commands(
    principal: Principal, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_LANG", "en")
    auditor = accounts.account("auditor", "auditor", otp=True)
    person = builders.person(principal)
    monkeypatch.setenv("QUANYI_OTP", accounts.code(auditor))
    assert main(["audit", "checkpoint", "--as", "auditor"]) == 0
    assert "signed now" in capsys.readouterr().out
    monkeypatch.setenv("QUANYI_OTP", accounts.code(auditor))
    assert main(["audit", "verify", "--json", "--as", "auditor"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["rows"]["person"] == 1 and report["rows"]["employer"] == 0
    # Over a sound chain the auditor's own login is signed too: nothing is left to go stale.
    assert checkpoints.latest().seq == audit.head()[0]  # type: ignore[union-attr]
    Person.objects.update(name="篡改")  # an ORM write that skips the service and its event
    monkeypatch.setenv("QUANYI_OTP", accounts.code(auditor))
    assert main(["audit", "verify", "--as", "auditor"]) == 1
    assert f"person {person.pk} differs from its stored digest" in capsys.readouterr().err


def test_demo_is_refused_on_non_demo_data(
    principal: Principal, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_LANG", "en")
    builders.person(principal)
    assert main(["demo", "--persons", "5", "--employers", "1"]) == 1
    assert "non-demo data" in capsys.readouterr().err
    assert Person.objects.count() == 1


def test_demo_builds_valid_people(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUANYI_DEMO_PASSWORD", accounts.PASSWORD)
    from quanyi.core.identifiers import parse_id_number, validate_uscc
    from quanyi.registry.models import Employer, InsuranceRelation

    assert (
        main(["demo", "--persons", "300", "--employers", "10", "--years", "5", "--seed", "3"]) == 0
    )
    assert "300 persons" in capsys.readouterr().out
    for person in Person.objects.all():
        identity = parse_id_number(person.id_number)
        assert (identity.sex, identity.birth_date) == (person.sex, person.birth_date)
        if person.guardian_id:
            assert person.guardian is not None and person.guardian.guardian_id is None
    for employer in Employer.objects.all():
        validate_uscc(employer.uscc)
    relations = InsuranceRelation.objects.filter(insurance="pension")
    switched = {r.person_id for r in relations.filter(end_month__isnull=False)}
    assert switched, "some careers change jobs"
    minors = Person.objects.filter(guardian__isnull=False).count()
    assert minors > 0
    from django.contrib.auth.models import User

    monkeypatch.setenv("QUANYI_OTP", accounts.code(User.objects.get(username="auditor")))
    assert main(["audit", "verify", "--as", "auditor"]) == 0


def test_a_declaration_in_excel_becomes_a_case_with_clamped_wages_reported(
    principal: Principal, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from openpyxl import Workbook

    from quanyi.rulebook import services as rulebook

    rulebook.seed(Principal.system("system:init"))
    accounts.account("clerk", "operator")
    employer = builders.employer(principal, uscc="91110000600037341L")
    low = builders.person(principal, id_number="11010519491231002X")
    high = builders.person(principal, id_number="110105194912310038")
    for person in (low, high):
        builders.relation(principal, person, employer, "pension", "2024-01")
    book = Workbook()
    sheet = book.active
    sheet.append(["id_number", "wage_fen"])
    sheet.append([low.id_number, 100000])  # 1,000 yuan: under the lower bound
    sheet.append([high.id_number, 10000000.0])  # 100,000 yuan: over the upper bound
    path = tmp_path / "bases-2025.xlsx"
    book.save(path)
    declare = ["contributions", "declare", str(path), "--uscc", employer.uscc]
    code = main([*declare, "--from", "2025-01", "--as", "clerk"])
    assert code == 0, capsys.readouterr().err
    answer = json.loads(capsys.readouterr().out)
    assert answer["rows"] == 2 and answer["stage"] == "review"
    assert sorted(c["field"] for c in answer["clamped"]) == ["base_fen (lower)", "base_fen (upper)"]
    assert {c["before"] for c in answer["clamped"]} == {100000, 10000000}


def test_counter_payment_and_bills_from_the_command_line(
    principal: Principal, capsys: pytest.CaptureFixture[str]
) -> None:
    from quanyi.contributions import flows
    from quanyi.rulebook import services as rulebook

    rulebook.seed(Principal.system("system:init"))
    clerk = accounts.account("clerk", "operator")
    employer = builders.employer(principal, uscc="91110000600037341L")
    builders.relation(principal, builders.person(principal), employer, "pension", "2024-01")
    flows.post_month(accounts.principal(clerk), "2025-01", "110000")
    assert main(["contributions", "bills", "--uscc", employer.uscc, "--as", "clerk"]) == 0
    (bill,) = json.loads(capsys.readouterr().out)["bills"]
    assert (bill["status"], bill["owed_fen"]) == ("owed", bill["due_fen"])
    # Due by 2025-02-28, but posted only today: no late fee for the days before it existed.
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert (bill["late_fee_fen"], bill["fee_from"]) == (0, str(tomorrow))
    pay = ["contributions", "counter", "--uscc", employer.uscc, "--bill", str(bill["id"])]
    pay += ["--paid-on", "2025-02-10"]
    assert main([*pay, "--amount-fen", "0", "--receipt", "R1", "--as", "clerk"]) == 1
    assert "amount_fen" in capsys.readouterr().err
    amount = str(bill["due_fen"])
    assert main([*pay, "--amount-fen", amount, "--receipt", "R1", "--as", "clerk"]) == 0
    capsys.readouterr()
    assert main(["contributions", "bills", "--uscc", employer.uscc, "--as", "clerk"]) == 0
    (bill,) = json.loads(capsys.readouterr().out)["bills"]
    assert (bill["status"], bill["owed_fen"], bill["late_fee_fen"]) == ("paid", 0, 0)


def test_a_bank_result_file_in_excel_pays_its_bills(
    principal: Principal, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    from quanyi.contributions import flows
    from quanyi.contributions.models import Bill
    from quanyi.rulebook import services as rulebook

    rulebook.seed(Principal.system("system:init"))
    clerk = accounts.account("clerk", "operator")
    employer = builders.employer(principal)
    builders.relation(principal, builders.person(principal), employer, "pension", "2024-01")
    flows.post_month(accounts.principal(clerk), "2025-01", "110000")
    bill = Bill.objects.get()
    book = Workbook()
    sheet = book.active
    sheet.append(["bill_id", "amount_fen", "paid_at", "bank_ref"])
    sheet.append(
        [bill.pk, float(bill.due_fen), datetime(2025, 2, 10), "ICBC-0001"]
    )  # as banks type
    path = tmp_path / "bank-2025-02-10.xlsx"
    book.save(path)
    assert main(["contributions", "pay", str(path), "--as", "clerk"]) == 0, capsys.readouterr()
    bill.refresh_from_db()
    assert (bill.status, bill.paid_fen) == ("paid", bill.due_fen)
    sheet.append([bill.pk, "-1", "2025-02-30", ""])
    book.save(path)
    assert main(["contributions", "pay", str(path), "--as", "clerk"]) == 1
    assert "bank-2025-02-10.xlsx:3 amount_fen" in capsys.readouterr().err
