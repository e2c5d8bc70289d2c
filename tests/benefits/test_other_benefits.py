"""The other insurances' benefits through real cases (issue 14; 004 part 4): unemployment
benefit by months insured (失业保险条例 art. 14, 17) and the farmer contract worker's one-off
allowance (art. 21), the disability allowance by grade (工伤保险条例 art. 35), and one-off
settlements resting on the source document the case carries — each paid by ``benefits pay``
exactly as granted."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from quanyi.access import applying
from quanyi.benefits.models import Grant, Payment, PaymentKind
from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.records import queries
from quanyi.rulebook import services as rulebook
from quanyi.rulebook.queries import Rulebook
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.benefits import builders
from tests.registry import builders as registry
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

REGION = builders.REGION
MONTHLY_FEN = 200000  # 2,000.00 yuan a month
FARMER_YEAR_FEN = 150000  # 1,500.00 yuan per full year
LAST = YearMonth.parse("2024-12")  # the last month insured


def add_rules(*, unemployment: bool = True) -> None:
    """The region's unemployment amounts and the disability allowance rates of grades 1-4
    (工伤保险条例 art. 35: 90, 85, 80 and 75 % of the own wage) from 2025, the tests' own
    rather than the seeded demo values."""
    rows = [
        ("injury.allowance.grade1", "0.90"),
        ("injury.allowance.grade2", "0.85"),
        ("injury.allowance.grade3", "0.80"),
        ("injury.allowance.grade4", "0.75"),
    ]
    if unemployment:
        rows += [
            ("unemployment.monthly", str(MONTHLY_FEN)),
            ("unemployment.farmer_year", str(FARMER_YEAR_FEN)),
        ]
    staff = Principal(actor="rules", source="cli", region=REGION, roles=frozenset({"approver"}))
    with transaction.atomic(), applying.granted(staff, 0) as applier:
        for key, value in rows:
            rulebook.add_parameter(
                applier,
                {"key": key, "region": REGION, "valid_from": "2025-01-01", "value": value,
                 "source": "test rules"},
            )  # fmt: skip


def insured(office: Office, folder: Path, paid: dict[str, int]) -> dict[str, str]:
    """Persons by one approved legacy import, each with the given number of paid unemployment
    months ending 2024-12 (bases 0.8 of the average wage in force). Returns their id numbers."""
    book = Rulebook.load()
    uscc = registry.uscc()
    numbers = {
        name: registry.id_number(birth=date(1980, 1, 1 + index)) for index, name in enumerate(paid)
    }
    folder.mkdir()
    (folder / "employers.csv").write_text(
        f"uscc,name,region,injury_class\n{uscc},某机械厂,110105,2\n", encoding="utf-8"
    )
    persons = ["id_number,name,phone,hukou_region,residence_region,category"]
    relations = ["id_number,uscc,insurance,start_month,end_month"]
    lines = ["id_number,uscc,insurance,month,base_fen,paid_month"]
    for name, count in paid.items():
        number = numbers[name]
        months = builders.months(str(LAST.add(1 - count)), str(LAST))
        persons.append(f"{number},张{name},13800138000,110105,110105,employee")
        relations.append(f"{number},{uscc},unemployment,{months[0]},{months[-1]}")
        for month in months:
            base = book.fen("wage.average", REGION, month.first_day()) * 4 // 5
            lines.append(f"{number},{uscc},unemployment,{month},{base},{month}")
    for file_name, rows in (
        ("persons.csv", persons),
        ("relations.csv", relations),
        ("contributions.csv", lines),
    ):
        (folder / file_name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["import", "legacy", str(folder), "--as", "clerk"]) == 0
    case = Case.objects.filter(type="import.legacy").order_by("-pk").first()
    assert case is not None
    case = office.approve_all(case)
    assert case.status == "approved", case.result
    return numbers


def unemployment(number: str, **overrides: object) -> dict[str, object]:
    return {
        "id_number": number,
        "start_month": "2025-01",
        "involuntary": True,
        "registered_on": "2025-01-06",
        **overrides,
    }


def grant_of(case: Case) -> Grant:
    return Grant.objects.get(case_id=case.pk)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    capsys.readouterr()
    assert main([*args, "--as", "clerk"]) == 0, capsys.readouterr().err
    loaded: dict[str, object] = json.loads(capsys.readouterr().out)
    return loaded


def paid(grant: Grant, kind: str = PaymentKind.MONTHLY) -> list[tuple[str, int]]:
    return sorted(Payment.objects.filter(grant=grant, kind=kind).values_list("month", "amount_fen"))


def test_under_a_year_voluntary_and_unregistered_is_refused_for_every_reason_at_once(
    office: Office, tmp_path: Path
) -> None:
    """失业保险条例 art. 14: a year's contributions, employment ended against the person's
    will, registered as unemployed — every unmet condition named, in Chinese and English; and
    a month the region has no benefit amount for is refused naming the parameter."""
    builders.add_history()
    numbers = insured(office, tmp_path / "legacy", {"short": 11, "year": 12})
    payload = unemployment(numbers["short"], involuntary=False)
    del payload["registered_on"]
    with pytest.raises(InvalidInput) as refused:
        office.submit("benefit.unemployment", payload)
    errors = refused.value.errors
    assert [e.code for e in errors] == ["short_insurance", "voluntary", "not_registered"]
    assert [e.field for e in errors] == ["id_number", "involuntary", "registered_on"]
    assert "11 个月" in errors[0].zh and "11 months paid" in errors[0].en
    assert all("第十四条" in e.zh and "art. 14" in e.en for e in errors)

    with pytest.raises(InvalidInput) as refused:
        office.submit("benefit.unemployment", unemployment(numbers["short"]))
    assert [e.code for e in refused.value.errors] == ["short_insurance"]

    with pytest.raises(InvalidInput) as refused:  # the seeded amount starts 2024-09
        office.submit("benefit.unemployment", unemployment(numbers["year"], start_month="2024-08"))
    (error,) = refused.value.errors
    assert error.code == "no_parameter" and "unemployment.monthly" in error.en


def test_months_of_benefit_follow_the_years_insured_and_carried_months_stop_at_24(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """失业保险条例 art. 17: 1-5 years insured → 12 months, 5-10 → 18, 10 or more → 24; the
    months left from an earlier spell are added, at most 24 in all. ``benefits pay`` pays
    exactly the months granted — run after the end, nothing past ``end_month``."""
    builders.add_history()
    add_rules()
    numbers = insured(
        office,
        tmp_path / "legacy",
        {"one": 12, "five": 60, "ten": 120, "five_carried": 60, "ten_carried": 120},
    )
    expected = {
        "one": (0, 12, "2025-12"),
        "five": (0, 18, "2026-06"),
        "ten": (0, 24, "2026-12"),
        "five_carried": (10, 24, "2026-12"),  # 18 + 10 capped
        "ten_carried": (3, 24, "2026-12"),  # 24 + 3 capped
    }
    grants = {}
    for name, (carried, months, end) in expected.items():
        case = builders.approved(
            office,
            "benefit.unemployment",
            unemployment(numbers[name], carried_months=carried),
        )
        grant = grant_of(case)
        assert (grant.kind, grant.insurance, grant.monthly_fen) == (
            "unemployment",
            "unemployment",
            MONTHLY_FEN,
        )
        assert (grant.start_month, grant.end_month) == ("2025-01", end), name
        explained = json.loads(grant.explained)
        assert explained["months_entitled"] == months, name
        assert explained["rules"]["unemployment.monthly"]["value"] == str(MONTHLY_FEN)
        diff = {c["field"]: c["after"] for c in case.diffs.order_by("pk").last().changes}
        assert (diff["months_insured"], diff["months_entitled"]) == (
            explained["months_insured"],
            months,
        )
        assert (diff["monthly_fen"], diff["end_month"]) == (MONTHLY_FEN, end)
        grants[name] = grant

    # A second unemployment benefit while the first is paid is refused.
    with pytest.raises(InvalidInput) as refused:
        office.submit("benefit.unemployment", unemployment(numbers["one"]))
    assert refused.value.errors[0].code == "granted"

    run(capsys, "benefits", "pay", "--month", "2026-03")  # after the 12-month grant's end
    run(capsys, "benefits", "pay", "--month", "2026-04")
    one = paid(grants["one"])
    assert [m for m, _ in one] == [str(m) for m in builders.months("2025-01", "2025-12")]
    assert {amount for _, amount in one} == {MONTHLY_FEN}
    assert len(paid(grants["ten"])) == 16  # 2025-01 … 2026-04, its end still ahead
    (row,) = queries.read(office.reviewer, numbers["one"])["benefits"]
    assert (row["id"], row["status"]) == (grants["one"].pk, "ended")
    builders.verified()


def test_a_farmer_contract_worker_gets_the_one_off_allowance_paid_once(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """失业保险条例 art. 21: per full year contributed (30 months: 2) the region's amount, as
    one payment; no unemployment registration asked."""
    builders.add_history()
    add_rules()
    number = insured(office, tmp_path / "legacy", {"farmer": 30})["farmer"]
    payload = unemployment(number, farmer=True)
    del payload["registered_on"]
    grant = grant_of(builders.approved(office, "benefit.unemployment", payload))
    assert (grant.kind, grant.monthly_fen, grant.end_month) == (
        "farmer_once",
        2 * FARMER_YEAR_FEN,
        "",
    )
    assert json.loads(grant.explained)["full_years"] == 2
    first = run(capsys, "benefits", "pay", "--month", "2025-01")
    run(capsys, "benefits", "pay", "--month", "2025-02")
    assert first["one_off"] == 1
    assert paid(grant, PaymentKind.ONE_OFF) == [("2025-01", 2 * FARMER_YEAR_FEN)]
    assert not Payment.objects.filter(grant=grant, kind=PaymentKind.MONTHLY).exists()
    builders.verified()


def submit(
    capsys: pytest.CaptureFixture[str], type_name: str, data: dict[str, object], *files: Path
) -> tuple[int, str, str]:
    capsys.readouterr()
    attach = [arg for f in files for arg in ("--attach", str(f))]
    code = main(["case", "submit", type_name, "--data", json.dumps(data), *attach, "--as", "clerk"])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_disability_allowance_is_the_grades_rate_of_the_own_wage(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """工伤保险条例 art. 35: grade 3 is paid 80 % of the worker's own wage, rounded once
    (8,123.47 × 0.80 = 6,498.776 → 6,498.78); the appraisal conclusion is attached; a grade
    the region has no rate for (art. 37: grade 7 gets no allowance) is refused."""
    builders.add_history()
    add_rules(unemployment=False)
    number = insured(office, tmp_path / "legacy", {"worker": 12})["worker"]
    conclusion = tmp_path / "劳动能力鉴定结论书.pdf"
    conclusion.write_bytes(b"%PDF-1.4 grade 3")
    data = {
        "id_number": number,
        "grade": 3,
        "wage_fen": 812347,
        "start_month": "2025-03",
        "document": "京劳鉴〔2025〕第 0123 号",
    }
    code, _, err = submit(capsys, "benefit.injury", data)
    assert code == 1 and "attach" in err
    code, _, err = submit(capsys, "benefit.injury", {**data, "grade": 7}, conclusion)
    assert code == 1 and "grade 7" in err
    code, out, err = submit(capsys, "benefit.injury", data, conclusion)
    assert code == 0, err
    case = office.approve_all(Case.objects.get(pk=json.loads(out)["id"]))
    assert case.status == "approved", case.result
    grant = grant_of(case)
    assert (grant.kind, grant.insurance, grant.monthly_fen, grant.end_month) == (
        "injury_allow",
        "injury",
        649878,
        "",
    )
    explained = json.loads(grant.explained)
    assert explained["rate"] == "0.80"
    assert explained["document"]["sha256"] == hashlib.sha256(b"%PDF-1.4 grade 3").hexdigest()
    run(capsys, "benefits", "pay", "--month", "2025-04")
    assert paid(grant) == [("2025-03", 649878), ("2025-04", 649878)]
    builders.verified()


def test_a_settlement_rests_on_the_document_the_case_carries_and_is_paid_once(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """004 part 4: a medical cash reimbursement reviewed against its receipt — the payload's
    digest must name an attached file, the insurance follows from the kind, the same receipt
    is never settled twice; ``benefits pay`` pays it once and ``record explain --benefit``
    names the document by its SHA-256."""
    builders.add_history()
    number = insured(office, tmp_path / "legacy", {"patient": 12})["patient"]
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 hospital receipt 3,456.78")
    digest = hashlib.sha256(receipt.read_bytes()).hexdigest()
    data = {
        "id_number": number,
        "kind": "medical",
        "month": "2025-05",
        "amount_fen": 345678,
        "document_sha256": digest,
    }
    code, _, err = submit(capsys, "benefit.settle", {**data, "document_sha256": "0" * 64}, receipt)
    assert code == 1 and "matches no attached file" in err
    code, _, err = submit(capsys, "benefit.settle", data)
    assert code == 1 and "attach" in err
    code, _, err = submit(capsys, "benefit.settle", {**data, "insurance": "injury"}, receipt)
    assert code == 1 and "medical" in err
    code, _, err = submit(capsys, "benefit.settle", {**data, "amount_fen": 0}, receipt)
    assert code == 1 and "amount_fen" in err

    code, out, err = submit(capsys, "benefit.settle", data, receipt)
    assert code == 0, err
    case = office.approve_all(Case.objects.get(pk=json.loads(out)["id"]))
    assert case.status == "approved", case.result
    grant = grant_of(case)
    assert (grant.kind, grant.insurance, grant.monthly_fen) == ("medical", "medical", 345678)

    code, _, err = submit(capsys, "benefit.settle", data, receipt)
    assert code == 1 and "settled already" in err

    outcome = run(capsys, "benefits", "pay", "--month", "2025-06")
    run(capsys, "benefits", "pay", "--month", "2025-07")
    assert outcome["one_off"] == 1
    assert paid(grant, PaymentKind.ONE_OFF) == [("2025-05", 345678)]

    explained = run(capsys, "record", "explain", number, "--benefit")
    (shown,) = [g for g in explained["grants"] if g["id"] == grant.pk]  # type: ignore[attr-defined]
    assert shown["explained"]["document"] == {"name": "receipt.pdf", "sha256": digest}
    builders.verified()


def test_the_intake_forms_take_yuan_choices_and_the_document_as_an_upload(
    office: Office, tmp_path: Path
) -> None:
    """DESIGN.md "Screens speak the user's language": codes chosen from labelled lists, money
    typed in yuan; the settlement's document is the file uploaded with the form, its digest
    taken from it."""
    builders.add_history()
    add_rules()
    numbers = insured(office, tmp_path / "legacy", {"screen": 12, "patient": 12})
    clerk = Client()
    accounts.web_login(clerk, accounts.account("teller", "operator"))

    page = clerk.get("/cases/new?type=benefit.settle").content.decode()
    assert "医疗费用结算（现金报销）" in page and "生育津贴" in page
    receipt = b"%PDF-1.4 receipt 1,234.50"
    answer = clerk.post(
        "/cases/new?type=benefit.settle",
        {
            "id_number": numbers["patient"],
            "kind": "maternity",
            "month": "2025-05",
            "amount_fen": "1,234.50",
            "attachments": SimpleUploadedFile("生育津贴审批表.pdf", receipt),
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    case = Case.objects.get(type="benefit.settle")
    assert case.payload["amount_fen"] == 123450
    assert case.payload["insurance"] == "maternity"
    assert case.payload["document_sha256"] == hashlib.sha256(receipt).hexdigest()
    assert case.payload["document_name"] == "生育津贴审批表.pdf"

    page = clerk.get("/cases/new?type=benefit.unemployment").content.decode()
    assert "非因本人意愿中断就业" in page and ">是<" in page
    answer = clerk.post(
        "/cases/new?type=benefit.unemployment",
        {
            "id_number": numbers["screen"],
            "start_month": "2025-01",
            "involuntary": "true",
            "registered_on": "2025-01-06",
            "farmer": "false",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    assert Case.objects.get(type="benefit.unemployment").payload["involuntary"] is True

    page = clerk.get("/cases/new?type=benefit.injury").content.decode()
    assert "三级" in page and "本人工资（元/月）" in page
