"""A payment at the counter (柜面缴费) is taken only against the paying employer's own bill
that is still open, in yuan, for at most what it owes; late fees run from the first day of
arrears and never before the bill existed (issue 13; 004 part 5 art. 9; 社会保险法 art. 86)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction

from quanyi.audit.models import AuditEvent
from quanyi.contributions import calc, flows, queries, services
from quanyi.contributions.models import Bill, Declaration, Payment
from quanyi.core.errors import InvalidInput
from quanyi.core.money import format_fen
from quanyi.core.principal import Principal
from quanyi.registry.models import Employer, InsuranceRelation
from quanyi.workflow import services as workflow
from tests.contributions.test_kill import previous_month
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(office: Office, principal: Principal) -> tuple[Employer, Employer]:
    """Two employers with one person each, billed for 2025-01."""
    first = builders.employer(principal, name="甲公司")
    second = builders.employer(principal, name="乙公司")
    for employer in (first, second):
        builders.relation(principal, builders.person(principal), employer, "pension", "2024-01")
    with transaction.atomic():
        flows.post_month(office.clerk, "2025-01", "110000")
    return first, second


def counter(office: Office, employer: Employer, bill: Bill, amount: str, ref: str) -> int:
    values = {"uscc": employer.uscc, "bill_id": str(bill.pk), "amount": amount}
    with transaction.atomic():
        return services.take_at_counter(
            office.clerk, {**values, "paid_at": "2025-02-10", "bank_ref": ref}
        )


def reasons(refused: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {e.field: e.code for e in refused.value.errors}


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def test_another_employers_bill_is_refused_and_nothing_is_written(
    office: Office, two: tuple[Employer, Employer]
) -> None:
    """Issue 13: on employer A's screen, bill 1 (employer B's) was accepted."""
    first, second = two
    theirs = Bill.objects.get(employer=second)
    with pytest.raises(InvalidInput) as refused:
        counter(office, first, theirs, yuan(theirs.due_fen), "C-1")
    assert reasons(refused) == {"bill_id": "not_this_employer"}
    assert "甲公司 没有账单" in refused.value.errors[0].zh
    assert not Payment.objects.exists()
    theirs.refresh_from_db()
    assert theirs.paid_fen == 0


def test_a_paid_bill_is_refused_and_more_than_is_owed_too(
    office: Office, two: tuple[Employer, Employer]
) -> None:
    """Issue 13: paying a paid bill silently made an overpayment; the counter says what is
    owed instead."""
    first, _ = two
    bill = Bill.objects.get(employer=first)
    with pytest.raises(InvalidInput) as refused:
        counter(office, first, bill, yuan(bill.due_fen + 1), "C-1")
    assert reasons(refused) == {"amount": "more_than_owed"}
    assert format_fen(bill.due_fen) in refused.value.errors[0].en
    assert counter(office, first, bill, yuan(bill.due_fen - 100), "C-1") == 1
    assert counter(office, first, bill, "1.00", "C-2") == 1  # the rest: 1 yuan
    bill.refresh_from_db()
    assert (bill.status, bill.paid_fen) == ("paid", bill.due_fen)
    with pytest.raises(InvalidInput) as refused:
        counter(office, first, bill, "1.00", "C-3")
    assert reasons(refused) == {"bill_id": "paid_already"}
    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("12.345", "too_precise"),
        ("0", "not_positive"),
        ("-1", "not_positive"),
        ("x", "not_a_number"),
        ("99999999999999999999999", "too_large"),
    ],
)
def test_an_amount_is_typed_in_yuan_with_two_decimals(
    office: Office, two: tuple[Employer, Employer], amount: str, code: str
) -> None:
    """Issue 13: money typed in fen invites a 100× error; 10²³ was an HTTP 500."""
    first, _ = two
    with pytest.raises(InvalidInput) as refused:
        counter(office, first, Bill.objects.get(employer=first), amount, "C-1")
    assert reasons(refused) == {"amount": code}
    assert not Payment.objects.exists()


def test_the_late_fee_runs_from_the_first_day_of_arrears() -> None:
    """社会保险法 art. 86 (自欠缴之日起, 0.05 % a day; REFERENCE.md "Late fee"); 004 part 5
    art. 9 六: what has not arrived by the end of the month after the bill's month becomes
    arrears. Issue 13: a 2026-10 bill posted on 2026-11-30 carried 872.98 of late fee."""
    assert calc.due_date("2026-10") == date(2026, 11, 30)
    assert calc.fee_from("2026-10") == date(2026, 12, 1)
    assert calc.due_date("2026-12") == date(2027, 1, 31)
    assert calc.fee_days("2026-10", date(2026, 11, 30)) == 0
    assert calc.fee_days("2026-10", date(2026, 12, 1)) == 1
    # Posted after its due date, a bill runs no fee for the days before it existed.
    assert calc.fee_from("2026-10", issued_on=date(2027, 1, 15)) == date(2027, 1, 16)
    assert calc.fee_days("2026-10", date(2027, 1, 15), issued_on=date(2027, 1, 15)) == 0


def test_the_employer_page_shows_from_when_a_late_posting_runs_its_fee(
    office: Office, two: tuple[Employer, Employer]
) -> None:
    """A bill posted today for a month long past (2025-01) runs its fee from tomorrow, and the
    page says so; a bill posted last month runs it from the first day of arrears."""
    first, _ = two
    found = queries.employer_page(office.clerk, first.uscc)
    (bill,) = found["bills"]
    assert AuditEvent.objects.filter(action="contribution.bills").exists()
    assert bill["fee_from"] == date.today() + timedelta(days=1)
    assert bill["late_fee_fen"] == 0 and found["owed_fen"] == bill["due_fen"]
    assert [b["id"] for b in found["open_bills"]] == [bill["id"]]
    (person,) = found["staff"]
    assert person["id_number"][6:14] == "********" and "birth_date" not in person
    with transaction.atomic():
        flows.post_month(office.clerk, previous_month(), "110000")
    latest = queries.employer_page(office.clerk, first.uscc)["bills"][0]
    assert latest["month"] == previous_month()
    assert latest["fee_from"] == calc.fee_from(previous_month())


def test_posting_refuses_a_month_not_begun_or_without_rates_and_says_which_may_be_posted(
    office: Office, two: tuple[Employer, Employer]
) -> None:
    """Issue 13: 2027-05 was posted on 2026-11-30 (300 bills shown as arrears); 1990-01
    failed with a parameter key. A monthly bill is made in its own month (004 part 5 art. 8)."""
    from quanyi.core.yearmonth import YearMonth

    bills = Bill.objects.count()
    following = str(YearMonth.of(date.today()).add(1))
    for month, why in ((following, "has not begun"), ("1990-01", "has no rates")):
        with pytest.raises(InvalidInput) as refused, transaction.atomic():
            flows.post_month(office.clerk, month, "110000")
        (error,) = refused.value.errors
        assert (error.field, error.code) == ("month", "not_postable")
        assert why in error.en and "the months that may be posted are" in error.en
        assert str(YearMonth.of(date.today())) in error.zh and "rate." not in error.zh
    assert Bill.objects.count() == bills


def test_the_employer_page_speaks_chinese_in_yuan_and_refuses_next_to_the_field(
    office: Office, two: tuple[Employer, Employer]
) -> None:
    """DESIGN.md "Screens speak the user's language"; issue 13: labels for every code, yuan
    with two decimals, a refusal next to its field with nothing typed lost."""
    from django.test import Client

    from tests.access import builders as accounts

    first, second = two
    bill = Bill.objects.get(employer=first)
    client = Client()
    accounts.web_login(client, accounts.account("teller", "operator", "querier"))
    page = client.get(f"/contributions/bills?uscc={first.uscc}").content.decode()
    assert "月报" in page and "欠缴" in page and "企业职工基本养老保险" in page
    assert format_fen(bill.due_fen) in page and "滞纳金起算日" in page
    assert ">monthly<" not in page and ">owed<" not in page
    theirs = Bill.objects.get(employer=second)
    answer = client.post(
        f"/contributions/bills?uscc={first.uscc}",
        {"uscc": first.uscc, "bill_id": str(theirs.pk), "amount": "12.34", "bank_ref": "C-7"},
    )
    assert answer.status_code == 400
    shown = answer.content.decode()
    assert 'id="e-bill_id"' in shown and "账单号：甲公司 没有账单" in shown
    assert 'value="12.34"' in shown and 'value="C-7"' in shown
    assert not Payment.objects.exists()


def test_a_posting_tells_its_progress_from_the_start_and_in_steps(
    office: Office, principal: Principal, settings: Any
) -> None:
    """Issue 13: the bar sat at 0 % and jumped to 100 %. The posting tells its length before
    the first unit and then after each unit (employers in units of lines)."""
    settings.QUANYI_POST_UNIT_LINES = 1  # each employer its own unit
    for _ in range(3):
        employer = builders.employer(principal)
        builders.relation(principal, builders.person(principal), employer, "pension", "2024-01")
    told: list[tuple[int, int]] = []
    flows.post_month(office.clerk, "2025-01", "110000", progress=lambda d, t: told.append((d, t)))
    assert told == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_a_legacy_check_tells_its_progress_in_steps(office: Office) -> None:
    """Issue 13: long commands show progress that moves (the legacy import's check)."""
    from quanyi.contributions import legacy

    rows = "".join(f"{builders.uscc()},单位{n},110105,1\n" for n in range(5))
    told: list[tuple[int, int]] = []
    token = legacy.PROGRESS.set(lambda d, t: told.append((d, t)))
    step = legacy.PROGRESS_STEP
    try:
        legacy.PROGRESS_STEP = 2
        legacy.validate(office.clerk, {"employers.csv": "uscc,name,region,injury_class\n" + rows})
    finally:
        legacy.PROGRESS.reset(token)
        legacy.PROGRESS_STEP = step
    assert told == [(2, 5), (4, 5), (5, 5)]


def test_the_employer_page_in_english(office: Office, two: tuple[Employer, Employer]) -> None:
    """DESIGN.md "UI language": Simplified Chinese by default, English selectable — labels and
    field names follow."""
    from django.conf import settings
    from django.test import Client

    from tests.access import builders as accounts

    first, second = two
    client = Client()
    accounts.web_login(client, accounts.account("teller", "operator", "querier"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/contributions/bills?uscc={first.uscc}").content.decode()
    assert "monthly bill" in page and "Late fee runs from" in page and "月报" not in page
    theirs = Bill.objects.get(employer=second)
    answer = client.post(
        f"/contributions/bills?uscc={first.uscc}",
        {"uscc": first.uscc, "bill_id": str(theirs.pk), "amount": "1.00", "bank_ref": "C-8"},
    )
    assert "bill number: 甲公司 has no bill" in answer.content.decode()


def test_a_payment_dated_before_contributions_began_is_refused(
    office: Office, two: tuple[Employer, Employer]
) -> None:
    """A counter payment dated 1900-01-01 was taken (issue 13, tried as a clerk)."""
    first, _ = two
    bill = Bill.objects.get(employer=first)
    values = {"uscc": first.uscc, "bill_id": str(bill.pk), "amount": "1.00", "bank_ref": "Z8"}
    with pytest.raises(InvalidInput) as refused, transaction.atomic():
        services.take_at_counter(office.clerk, {**values, "paid_at": "1900-01-01"})
    assert reasons(refused) == {"paid_at": "too_early"}
    assert not Payment.objects.exists()


def test_a_base_is_not_declared_for_someone_the_employer_does_not_insure(
    office: Office, two: tuple[Employer, Employer]
) -> None:
    """A declaration for a person who works elsewhere was taken and applied (issue 13, tried
    as a clerk): each row must be insured with the declaring employer from the month on."""
    first, second = two
    theirs = InsuranceRelation.objects.get(employer=second).person
    with pytest.raises(InvalidInput) as refused, transaction.atomic():
        workflow.submit(
            office.clerk,
            "contribution.declare",
            {
                "uscc": first.uscc,
                "valid_from": "2025-01",
                "rows": [{"id_number": theirs.id_number, "wage_fen": 800000}],
            },
        )
    assert reasons(refused) == {"rows[1].id_number": "not_employed"}
    assert not Declaration.objects.filter(employer=first).exists()
