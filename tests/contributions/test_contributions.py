"""From declared bases to bills, payments, account credits, interest and the record
(004 part 5; 001 art. 2 (2)-(4), art. 6 ¶4; REFERENCE.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from quanyi.audit.verify import verify
from quanyi.contributions import calc, flows, payment_files, services
from quanyi.contributions.models import Bill, Line
from quanyi.core.errors import Conflict, InvalidInput
from quanyi.core.principal import Principal
from quanyi.personal_accounts import services as accounts
from quanyi.personal_accounts.models import Entry, PaidMonths, YearBalance
from quanyi.personal_accounts.rebuild import rebuild
from quanyi.records import queries
from quanyi.registry.models import Employer, Person
from quanyi.rulebook import services as rulebook
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db
INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")


@pytest.fixture
def office() -> Office:
    with transaction.atomic():
        rulebook.seed(Principal.system("system:init"))
    return Office()


@pytest.fixture
def insured(office: Office, principal: Principal) -> tuple[Employer, Person, Person]:
    employer = builders.employer(principal, injury_class=2)
    people = []
    for name in ("甲", "乙"):
        person = builders.person(principal, name=name)
        for insurance in INSURANCES:
            builders.relation(principal, person, employer, insurance, "2024-01")
        people.append(person)
    return employer, people[0], people[1]


def declare(office: Office, employer: Employer, rows: list[tuple[Person, int]]) -> None:
    payload = {
        "uscc": employer.uscc,
        "valid_from": "2025-01",
        "rows": [{"id_number": p.id_number, "wage_fen": w} for p, w in rows],
    }
    office.approve_all(office.submit("contribution.declare", payload))


def post(office: Office, month: str) -> flows.PostOutcome:
    return flows.post_month(office.clerk, month, "110000")


def pay(office: Office, bill: Bill, amount: int, on: date, ref: str) -> None:
    with transaction.atomic():
        services.record_payments(office.clerk, [payment_files.PaymentRow(bill.pk, amount, on, ref)])


def test_declared_bases_are_clamped_and_reported(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    employer, first, second = insured
    case = office.submit(
        "contribution.declare",
        {
            "uscc": employer.uscc,
            "valid_from": "2025-01",
            "rows": [
                {"id_number": first.id_number, "wage_fen": 1000000},
                {"id_number": second.id_number, "wage_fen": 300000},
            ],
        },
    )
    from quanyi.workflow.queries import case as show

    changes = show(office.reviewer, case.pk).changes or []
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("base_fen", None, 1000000),
        ("base_fen (lower)", 300000, 682100),  # Beijing lower bound from 2024-07
    ]


def test_a_bad_declaration_names_every_row(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    employer, first, _ = insured
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "contribution.declare",
            {
                "uscc": employer.uscc,
                "valid_from": "2025-13",
                "rows": [
                    {"id_number": first.id_number, "wage_fen": "-5"},
                    {"id_number": "110105194912310021", "wage_fen": 1},
                ],
            },
        )
    assert set(refused.value.fields()) == {"valid_from", "rows[1].wage_fen", "rows[2].id_number"}


def test_a_month_from_bill_to_interest(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 300000)])
    outcome = post(office, "2025-01")
    assert (outcome.bills, outcome.lines, outcome.at_lower_bound) == (1, 10, 0)
    with pytest.raises(Conflict, match="posted already"):
        post(office, "2025-01")

    lines = {
        line.insurance: (line.employer_fen, line.employee_fen, line.account_fen)
        for line in Line.objects.filter(person=first)
    }
    assert lines == {
        "pension": (160000, 80000, 80000),  # 16 % / 8 %, 8 % to the account
        "medical": (98000, 20000, 0),  # Beijing 9.8 % / 2 %
        "unemployment": (5000, 5000, 0),
        "injury": (4000, 0, 0),  # class 2: 0.4 %
        "maternity": (0, 0, 0),  # merged into medical since 2019
    }
    bill = Bill.objects.get()
    assert bill.due_fen == sum(
        line.employer_fen + line.employee_fen for line in Line.objects.filter(bill=bill)
    )
    record = queries.read(office.reviewer, first.id_number)
    assert {c["status"] for c in record["contributions"]} == {"owed"}

    pay(office, bill, bill.due_fen, date(2025, 2, 10), "B-1")
    record = queries.read(office.reviewer, first.id_number)
    assert {c["status"] for c in record["contributions"]} == {"paid"}
    assert record["account"]["balance_fen"] == 80000
    assert record["contribution_months"] == {i: 1 for i in INSURANCES}

    with transaction.atomic():
        closed = accounts.credit_interest(office.clerk, 2025, "110000")
    assert (str(closed.rate), closed.method) == ("0.0150", "national")
    # 80000 × 1.5 % × 1.083 × ½ = 649.8 → 650 (second person: 54568 → 443.2 → 443)
    balance = YearBalance.objects.get(person=first, year=2025)
    assert (balance.credited_fen, balance.interest_fen, balance.closing_fen) == (80000, 650, 80650)
    with pytest.raises(Conflict, match="credited already"), transaction.atomic():
        accounts.credit_interest(office.clerk, 2025, "110000")
    assert verify().ok


def test_a_month_paid_after_its_year_closed_earns_late_interest(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 1000000)])
    post(office, "2025-01")
    post(office, "2025-12")
    january, december = Bill.objects.order_by("month")
    pay(office, january, january.due_fen, date(2025, 2, 1), "B-1")
    with transaction.atomic():
        accounts.credit_interest(office.clerk, 2025, "110000")
    pay(office, december, december.due_fen, date(2026, 3, 1), "B-2")
    late = Entry.objects.filter(person=first, year=2026).values_list("kind", "amount_fen")
    assert sorted(late) == [("credit", 80000), ("late_int", 650)]
    assert YearBalance.objects.get(person=first, year=2026).opening_fen == 80650
    assert PaidMonths.objects.get(person=first, insurance="pension").months == 2


def test_short_payment_leaves_arrears_with_late_fees(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    """Late fee 0.05 % a day from the first day of arrears (社会保险法 art. 86; REFERENCE.md
    "Late fee"): what has not arrived by the end of the month after the bill's month becomes
    arrears (004 part 5 art. 9 六)."""
    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 1000000)])
    post(office, "2025-03")
    bill = Bill.objects.get()
    pay(office, bill, 100000, date(2025, 4, 10), "B-1")
    bill.refresh_from_db()
    assert bill.status == "partial"
    owed = bill.due_fen - 100000
    assert calc.arrears(bill, date(2025, 4, 30)) == {"owed_fen": owed, "late_fee_fen": 0}
    assert calc.arrears(bill, date(2025, 5, 10)) == {  # 1-10 May: ten days of arrears
        "owed_fen": owed,
        "late_fee_fen": round(owed * 0.0005 * 10),
    }
    assert not Entry.objects.exists()  # nothing credited until the month is paid
    record = queries.read(office.reviewer, first.id_number)
    assert record["contribution_months"] == {}
    pay(office, bill, owed, date(2025, 4, 30), "B-2")  # the arrears repaid
    bill.refresh_from_db()
    assert (bill.status, bill.paid_fen) == ("paid", bill.due_fen)
    assert Entry.objects.filter(person=first).values_list("amount_fen", flat=True).get() == 80000


def test_a_duplicate_payment_is_kept_and_refunded_only_through_a_case(
    office: Office, insured
) -> None:  # type: ignore[no-untyped-def]
    from quanyi.contributions.models import Refund
    from quanyi.personal_accounts.consistency import check

    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 1000000)])
    post(office, "2025-05")
    bill = Bill.objects.get()
    pay(office, bill, bill.due_fen, date(2025, 6, 10), "B-1")
    with pytest.raises(InvalidInput, match="recorded already"):
        pay(office, bill, bill.due_fen, date(2025, 6, 10), "B-1")  # the same file again
    pay(office, bill, bill.due_fen, date(2025, 6, 11), "B-2")  # the employer paid twice
    bill.refresh_from_db()
    assert (bill.status, bill.paid_fen) == ("paid", 2 * bill.due_fen)
    assert Entry.objects.filter(person=first).count() == 1  # credited once, not twice
    assert PaidMonths.objects.get(person=first, insurance="pension").months == 1
    assert check(office.clerk) == []

    with pytest.raises(InvalidInput) as refused:
        office.submit("contribution.refund", {"bill_id": bill.pk, "amount_fen": bill.due_fen + 1})
    assert refused.value.fields() == ["amount_fen", "reason"]
    case = office.submit(
        "contribution.refund",
        {"bill_id": bill.pk, "amount_fen": bill.due_fen, "reason": "重复缴费 B-2"},
    )
    assert not Refund.objects.exists()  # nothing before approval
    office.approve_all(case)
    bill.refresh_from_db()
    assert (bill.status, bill.paid_fen) == ("paid", bill.due_fen)
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.case_id) == (bill.due_fen, case.pk)
    with pytest.raises(InvalidInput, match="beyond the bill"):
        office.submit("contribution.refund", {"bill_id": bill.pk, "amount_fen": 1, "reason": "x"})
    assert check(office.clerk) == []
    assert verify().ok


def test_rebuild_reproduces_every_projection(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 2000000)])
    for month in ("2025-01", "2025-02"):
        post(office, month)
    for n, bill in enumerate(Bill.objects.order_by("pk")):
        pay(office, bill, bill.due_fen, date(2025, 3, 1), f"B-{n}")
    with transaction.atomic():
        accounts.credit_interest(office.clerk, 2025, "110000")
    before = sorted(
        YearBalance.objects.values_list(
            "person_id", "year", "opening_fen", "credited_fen", "interest_fen", "closing_fen"
        )
    )
    months = sorted(PaidMonths.objects.values_list("person_id", "insurance", "months"))
    with transaction.atomic():
        assert rebuild(office.clerk).differences == []
    YearBalance.objects.all().delete()
    PaidMonths.objects.all().delete()
    with transaction.atomic():
        report = rebuild(office.clerk)
    assert len(report.differences) == len(before) + len(months)
    assert (
        sorted(
            YearBalance.objects.values_list(
                "person_id", "year", "opening_fen", "credited_fen", "interest_fen", "closing_fen"
            )
        )
        == before
    )
    assert sorted(PaidMonths.objects.values_list("person_id", "insurance", "months")) == months


def test_a_bad_bank_file_names_every_row() -> None:
    text = "bill_id,amount_fen,paid_at,bank_ref\nx,100,2025-01-01,R1\n7,-1,2025-02-30,R1\n"
    with pytest.raises(InvalidInput) as refused:
        payment_files.parse_bank_file(text, "bank.csv")
    assert refused.value.fields() == [
        "bank.csv:2 bill_id",
        "bank.csv:3 amount_fen",
        "bank.csv:3 paid_at",
        "bank.csv:3 bank_ref",
    ]


def test_consistency_checks_pass_then_name_each_mismatch(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from quanyi.personal_accounts.consistency import check

    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 1000000)])
    post(office, "2025-01")
    bill = Bill.objects.get()
    pay(office, bill, bill.due_fen, date(2025, 2, 1), "B-1")
    assert check(office.clerk) == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contributions_bill SET due_fen = due_fen + 1")
        cursor.execute("UPDATE personal_accounts_yearbalance SET closing_fen = 1")
    problems = check(office.clerk)
    assert any(p.startswith(f"bill {bill.pk}: due") for p in problems)
    assert any(p.startswith(f"account of person {first.pk} in 2025") for p in problems)


def test_the_record_screen_shows_the_account_and_contributions(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from tests.access import builders as staff_accounts

    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 1000000)])
    post(office, "2025-01")
    bill = Bill.objects.get()
    pay(office, bill, bill.due_fen, date(2025, 2, 1), "B-1")
    client = Client()
    login = {"username": "reviewer", "password": staff_accounts.PASSWORD}
    assert client.post("/login", login).status_code == 302
    page = client.post("/records", {"id_number": first.id_number}, follow=True).content.decode()
    assert 'id="account-balance">800.00<' in page
    assert "1,600.00" in page  # the employer's pension share of 2025-01
    assert "● 已缴" in page or "● paid" in page


def test_an_employers_bills_over_the_api(office: Office, insured) -> None:  # type: ignore[no-untyped-def]
    from tests.workflow.test_api import client_for

    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 1000000)])
    post(office, "2025-04")
    bill = Bill.objects.get()
    pay(office, bill, 1000, date(2025, 5, 10), "B-1")
    answer = client_for("teller", "querier").get(f"/api/v1/employers/{employer.uscc}/bills")
    assert answer.status_code == 200, answer.content
    (shown,) = answer.json()["bills"]
    assert (shown["id"], shown["status"], shown["paid_fen"]) == (bill.pk, "partial", 1000)
    assert shown["owed_fen"] == bill.due_fen - 1000 and shown["late_fee_fen"] > 0
    from django.test import Client

    from tests.access import builders as accounts

    accounts.account("elsewhere", "querier", region="440100")
    other = Client()
    other.post("/login", {"username": "elsewhere", "password": accounts.PASSWORD})
    hidden = other.get(f"/api/v1/employers/{employer.uscc}/bills")
    absent = other.get(f"/api/v1/employers/{builders.uscc()}/bills")
    # Outside the region exactly like absent (the employer's existence does not leak).
    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
    assert hidden.status_code == 404 and "bills" not in hidden.json()
