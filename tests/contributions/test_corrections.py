"""record.correct of contribution lines and of the personal account (003 §4 (二), §5; 001 art.
11-13): a wrong base, a wrong month, a payment recorded wrongly, a missing account — each put
right by reversal entries and new ones through all five stages, the account ending with the
interest it would have had had the record been right from the start."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from quanyi.audit.verify import verify
from quanyi.contributions import flows, payment_files, services
from quanyi.contributions.models import Bill, Line, LineCorrection, Payment
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.personal_accounts import consistency
from quanyi.personal_accounts import services as accounts
from quanyi.personal_accounts.models import Entry
from quanyi.personal_accounts.rebuild import rebuild
from quanyi.records import queries
from quanyi.registry.models import Employer, Person
from quanyi.workflow.models import Case, MaintenanceEntry
from quanyi.workflow.queries import case as show
from quanyi.workflow.queries import modifications
from tests.registry import builders
from tests.workflow.builders import Office, staff

pytestmark = pytest.mark.django_db

# REFERENCE.md: the crediting rates of 2024 and 2025, the national method's factor.
RATE = {2024: Decimal("0.0262"), 2025: Decimal("0.0150")}
FACTOR = Decimal("1.083") / 2
THIS_YEAR = date.today().year


def fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def right_from_the_start(credits: dict[int, int]) -> int:
    """The balance at the end of 2025 of an account credited ``credits`` (year → fen, all
    paid in their year), by the national formula, each year's interest rounded once
    (REFERENCE.md; 001 art. 11)."""
    balance = 0
    for year in (2024, 2025):
        credited = credits.get(year, 0)
        interest = fen(balance * RATE[year] + credited * RATE[year] * FACTOR)
        balance += credited + interest
    return balance


@pytest.fixture
def insured(office: Office, principal: Principal) -> tuple[Employer, Person]:
    employer = builders.employer(principal, injury_class=1)
    person = builders.person(principal, name="钱多")
    builders.relation(principal, person, employer, "pension", "2024-07")
    office.approve_all(
        office.submit(
            "contribution.declare",
            {
                "uscc": employer.uscc,
                "valid_from": "2024-07",
                "rows": [{"id_number": person.id_number, "wage_fen": 1000000}],
            },
        )
    )
    return employer, person


def post_and_pay(office: Office, month: str, paid_on: date | None) -> Bill:
    flows.post_month(office.clerk, month, "110000")
    bill = Bill.objects.get(month=month, kind="monthly")
    if paid_on is not None:
        row = payment_files.PaymentRow(bill.pk, bill.due_fen, paid_on, f"B-{month}")
        with transaction.atomic():
            services.record_payments(office.clerk, [row])
    return bill


def close(office: Office, *years: int) -> None:
    for year in years:
        with transaction.atomic():
            accounts.credit_interest(office.clerk, year, "110000")


def correction(person: Person, **changes: Any) -> dict[str, Any]:
    return {
        "object": "contribution",
        "key": person.id_number,
        "changes": {"insurance": "pension", **changes},
        "reason": "职工对 2024 年缴费基数提出异议，经核实单位申报有误",
        "method": "依据单位工资发放记录更正",
    }


def balance(office: Office, person: Person) -> int:
    return int(queries.read(office.reviewer, person.id_number)["account"]["balance_fen"])


def all_clean(office: Office) -> None:
    """accounts rebuild reproduces every projection, check consistency and audit verify find
    nothing (DESIGN.md invariants 2, 5)."""
    with transaction.atomic():
        assert rebuild(office.clerk).differences == []
        assert consistency.check(office.clerk) == []
    assert verify().ok


def test_a_wrong_base_in_a_closed_year_ends_with_the_interest_it_should_have_had(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """003 §4 (二) (an objection to the account), 003 §5 and 001 art. 11 (the record
    corrected): November 2024 was billed on a base of 10,000.00 yuan that should have been
    8,000.00. 2024 and 2025 are closed. After the five stages the account holds, to the fen,
    what it would have held had the base been right from the start: the reversal, the new
    credit and the difference of interest posted as late interest in the year of the
    correction."""
    _, person = insured
    october = post_and_pay(office, "2024-10", date(2024, 11, 10))
    november = post_and_pay(office, "2024-11", date(2024, 12, 10))
    close(office, 2024, 2025)
    assert balance(office, person) == right_from_the_start({2024: 80000 + 80000})

    case = office.submit("record.correct", correction(person, month="2024-11", base_fen=800000))
    assert case.stage == "check"
    diff = {(c.field, c.before, c.after) for c in show(office.reviewer, case.pk).changes or []}
    assert ("base_fen", 1000000, 800000) in diff
    assert ("account_share_fen", 80000, 64000) in diff
    assert ("employer_fen", 160000, 128000) in diff
    assert ("owed_fen", None, -48000) in diff  # paid beyond by 480.00: a refund case returns it
    assert not LineCorrection.objects.exists()  # nothing before the final approval

    case = office.approve_all(case)
    assert case.status == "approved"
    assert list(case.decisions.values_list("actor", flat=True)) == [
        "clerk",
        "checker",
        "reviewer",
        "rechecker",
        "approver",
    ]
    expected = right_from_the_start({2024: 80000 + 64000})
    assert balance(office, person) == expected
    late = sorted(
        Entry.objects.filter(person=person, year=THIS_YEAR).values_list("kind", "amount_fen")
    )
    # 144,000 × 2.62 % × 1.083 × ½ = 2,042.97 → 2,043; 146,043 × 1.5 % = 2,190.65 → 2,191:
    # 148,234; it held 164,704 (2,270 and 2,434 of interest): −160.00 + … as below.
    assert expected == 148234
    assert late == [("credit", 64000), ("late_int", -470), ("reversal", -80000)]

    # The line is reversed in its own bill, which stays paid; the corrected line has a bill
    # of its own, paid by the money the reversed line brought, 480.00 beyond.
    november.refresh_from_db()
    assert (november.status, november.due_fen, november.paid_fen) == ("paid", 0, 0)
    corrected = Bill.objects.get(kind="correct")
    assert (corrected.month, corrected.status, corrected.due_fen, corrected.paid_fen) == (
        "2024-11",
        "paid",
        192000,
        240000,
    )
    assert Payment.objects.filter(channel="correct").count() == 2
    record = queries.read(office.reviewer, person.id_number)
    assert [(c["month"], c["base_fen"], c["status"]) for c in record["contributions"]] == [
        ("2024-10", 1000000, "paid"),
        ("2024-11", 800000, "paid"),
    ]
    assert record["contribution_months"] == {"pension": 2}
    october.refresh_from_db()
    assert october.status == "paid"
    all_clean(office)

    # The same line cannot be corrected twice by the old figures: it is gone.
    with pytest.raises(InvalidInput, match="the base is 800000 fen already"):
        office.submit("record.correct", correction(person, month="2024-11", base_fen=800000))


def test_a_base_too_low_is_owed_until_the_difference_is_paid(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """003 §5, 001 art. 11: a base of 10,000.00 that should have been 12,000.00. The new bill
    owes the difference; once the employer pays it the account holds exactly what it would
    have held at 12,000.00 from the start (the month counts again then)."""
    employer, person = insured
    post_and_pay(office, "2024-11", date(2024, 12, 10))
    close(office, 2024, 2025)
    office.approve_all(
        office.submit("record.correct", correction(person, month="2024-11", base_fen=1200000))
    )
    corrected = Bill.objects.get(kind="correct")
    assert (corrected.status, corrected.due_fen - corrected.paid_fen) == ("partial", 48000)
    record = queries.read(office.reviewer, person.id_number)
    assert [(c["base_fen"], c["status"]) for c in record["contributions"]] == [(1200000, "owed")]
    assert record["contribution_months"] == {}
    all_clean(office)

    with transaction.atomic():
        services.take_at_counter(
            office.clerk,
            {
                "uscc": employer.uscc,
                "bill_id": str(corrected.pk),
                "amount_fen": "48000",
                "paid_at": str(date.today()),
                "bank_ref": "C-DIFF-1",
            },
        )
    assert balance(office, person) == right_from_the_start({2024: 96000})
    record = queries.read(office.reviewer, person.id_number)
    assert record["contribution_months"] == {"pension": 1}
    all_clean(office)


def test_a_line_recorded_against_the_wrong_month_is_moved(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """003 §5: the contribution of September 2024 was recorded as October's. The line moves
    by reversal and a new line; the record shows September paid, October empty; the account
    holds what it would have held (by the national method a month's credit earns the same
    in any month of its year)."""
    _, person = insured
    post_and_pay(office, "2024-10", date(2024, 11, 10))
    close(office, 2024, 2025)
    before = balance(office, person)
    case = office.approve_all(
        office.submit("record.correct", correction(person, month="2024-10", month_to="2024-09"))
    )
    assert case.status == "approved"
    record = queries.read(office.reviewer, person.id_number)
    assert [(c["month"], c["status"]) for c in record["contributions"]] == [("2024-09", "paid")]
    assert record["contribution_months"] == {"pension": 1}
    assert balance(office, person) == before == right_from_the_start({2024: 80000})
    kinds = sorted(Line.objects.filter(person=person).values_list("month", "kind"))
    assert kinds == [("2024-09", "correct"), ("2024-10", "due"), ("2024-10", "reversal")]
    all_clean(office)

    with pytest.raises(InvalidInput) as refused:
        office.submit("record.correct", correction(person, month="2024-10", month_to="2024-08"))
    assert refused.value.fields() == ["changes.month"]  # October has no line now


def test_a_payment_recorded_wrongly_is_marked_paid_then_owed(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """003 §5, 001 art. 11: March 2025 shows owed although the employer paid it in April
    2025. Marked paid in April, the account gets the credit with the interest of closed 2025;
    marked owed again (a second correction of the corrected line), it gives both back."""
    _, person = insured
    post_and_pay(office, "2024-12", date(2025, 1, 10))
    march = post_and_pay(office, "2025-03", None)
    close(office, 2024, 2025)
    before = balance(office, person)
    assert before == right_from_the_start({2024: 80000})

    office.approve_all(
        office.submit("record.correct", correction(person, month="2025-03", paid_month="2025-04"))
    )
    march.refresh_from_db()
    assert (march.due_fen, march.status) == (0, "paid")  # the line left it
    paid = Bill.objects.get(kind="correct")
    assert paid.status == "paid"
    assert Payment.objects.get(bill=paid).paid_on == date(2025, 4, 1)
    assert balance(office, person) == right_from_the_start({2024: 80000, 2025: 80000})
    record = queries.read(office.reviewer, person.id_number)
    assert [(c["month"], c["status"]) for c in record["contributions"]] == [
        ("2024-12", "paid"),
        ("2025-03", "paid"),
    ]
    assert record["contribution_months"] == {"pension": 2}
    all_clean(office)

    office.approve_all(
        office.submit("record.correct", correction(person, month="2025-03", paid_month=""))
    )
    assert balance(office, person) == before
    record = queries.read(office.reviewer, person.id_number)
    assert [(c["month"], c["status"]) for c in record["contributions"]] == [
        ("2024-12", "paid"),
        ("2025-03", "owed"),
    ]
    assert record["contribution_months"] == {"pension": 1}
    all_clean(office)


def test_a_missing_account_is_re_established(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """003 §5 (补建个人帐户): two months paid in 2024 never reached the account. The
    re-establishment credits them in the year of the case with the interest they missed in
    closed 2024 and 2025, as a back-payment is credited (REFERENCE.md); asked again, it is
    refused: nothing is missing."""
    employer, person = insured
    amounts = (person.pk, "pension", 1000000, 160000, 80000, 80000)
    with transaction.atomic():
        services.write_history(
            office.clerk,
            [
                services.PastBill(employer.pk, month, "legacy", [amounts], date(2024, 12, 1))
                for month in ("2024-05", "2024-06")
            ],
            "legacy",
            lambda bill_id: f"old:{bill_id}",
        )
        accounts.recount_months([person.pk])
    close(office, 2024, 2025)
    assert balance(office, person) == 0
    case = office.approve_all(
        office.submit(
            "record.correct",
            {
                "object": "account",
                "key": person.id_number,
                "changes": {"reestablish": True},
                "reason": "个人账户记账缺失",
                "method": "依据缴费明细补建",
            },
        )
    )
    assert case.status == "approved"
    missed = {
        month: fen(
            (80000 * RATE[2024] * FACTOR + 80000) * (1 + RATE[2025]) - 80000
        )  # the late credit's interest, compounded as late_credit_interest does
        for month in ("2024-05", "2024-06")
    }
    entries = sorted(Entry.objects.filter(person=person).values_list("year", "kind", "amount_fen"))
    assert entries == [
        (THIS_YEAR, "credit", 80000),
        (THIS_YEAR, "credit", 80000),
        (THIS_YEAR, "late_int", missed["2024-05"]),
        (THIS_YEAR, "late_int", missed["2024-06"]),
    ]
    all_clean(office)
    with pytest.raises(InvalidInput) as refused:
        office.submit("record.correct", {**_account(person), "reason": "再次补建"})
    assert refused.value.errors[0].code == "nothing_missing"
    assert "无需补建" in refused.value.message("zh")
    assert "nothing to re-establish" in refused.value.message("en")


def _account(person: Person) -> dict[str, Any]:
    return {
        "object": "account",
        "key": person.id_number,
        "changes": {"reestablish": True},
        "reason": "个人账户记账缺失",
        "method": "依据缴费明细补建",
    }


def test_bad_corrections_are_refused_with_every_reason_and_nothing_written(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """001 art. 12 (reason and basis), DESIGN.md invariant 8 (bounds): each bad field named
    in Chinese and English, no case made, nothing written."""
    _, person = insured
    post_and_pay(office, "2024-11", date(2024, 12, 10))
    lines = Line.objects.count()

    def refused(payload: dict[str, Any]) -> InvalidInput:
        with pytest.raises(InvalidInput) as caught:
            office.submit("record.correct", payload)
        return caught.value

    error = refused(
        {
            **correction(person, month="2024-13", base_fen=10**12, extra=1),
            "changes": {"insurance": "pension", "month": "2024-13", "base_fen": 10**12, "x": 1},
            "reason": "",
        }
    )
    assert set(error.fields()) == {"reason", "changes.x", "changes.month", "changes.base_fen"}
    error = refused(correction(person, month="2024-11", base_fen=900000, paid_month=""))
    assert error.fields() == ["changes"]
    assert "其中之一" in error.message("zh") and "exactly one" in error.message("en")
    error = refused(correction(person, month="2024-10", base_fen=900000))
    assert error.errors[0].code == "no_line"
    assert "没有" in error.message("zh") and "no pension line for 2024-10" in error.message("en")
    error = refused({**correction(person, month="2024-11", base_fen=900000), "key": "1101"})
    assert error.fields() == ["key"]
    error = refused(correction(person, month="2024-11", insurance="medical", base_fen=900000))
    assert error.errors[0].code == "no_line"
    error = refused(correction(person, month="2024-11", month_to="2099-01"))
    assert error.fields() == ["changes.month_to"]
    error = refused(correction(person, month="2024-11", paid_month="2024-12"))
    assert error.errors[0].code == "no_change"
    error = refused({**correction(person, month="2024-11", base_fen=900000), "object": "bill"})
    assert error.fields() == ["object"] and "contribution" in error.message("en")
    error = refused({**_account(person), "changes": {"reestablish": "yes"}})
    assert error.fields() == ["changes.reestablish"]
    assert Line.objects.count() == lines
    assert not Case.objects.filter(type="record.correct").exists()
    assert not LineCorrection.objects.exists()


def test_each_correction_is_in_the_maintenance_log(
    office: Office, insured: tuple[Employer, Person]
) -> None:
    """001 art. 12, 003 §5: the maintenance log keeps the corrected line — its base and
    amounts before and after, the reason, the basis, who approved and who took it in — and
    the auditor reads it for the month."""
    _, person = insured
    post_and_pay(office, "2024-11", date(2024, 12, 10))
    case = office.approve_all(
        office.submit("record.correct", correction(person, month="2024-11", base_fen=800000))
    )
    entry = MaintenanceEntry.objects.get(case=case)
    line = LineCorrection.objects.get().old_line_id
    assert (entry.object_type, entry.object_id) == ("line", str(line))
    content = {c["field"]: (c["before"], c["after"]) for c in entry.content}
    assert content["base_fen"] == (1000000, 800000)
    assert content["account_share_fen"] == (80000, 64000)
    assert (entry.responsible, entry.submitted_by) == ("approver", "clerk")
    month = timezone.localtime(entry.maintained_at).strftime("%Y-%m")
    rows = [r.model_dump() for r in modifications(staff("auditor1", "auditor"), month)]
    assert [(r["case"], r["object_type"]) for r in rows] == [(case.pk, "line")]
    logged = {c["field"]: (c["before"], c["after"]) for c in rows[0]["content"]}
    assert logged["base_fen"] == (1000000, 800000)
    assert verify().ok
