"""A pension in payment: eligibility verification once a year (领取待遇资格认证, 004 part 4),
the suspension cases opened for those past due, resumption paying the months missed, and
death — payment stopped after the month of death, overpayments recovered, the funeral and
survivors' grants, the account balance paid to the heirs, the record closed but kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quanyi.benefits.models import Payment, PaymentKind
from quanyi.cli import main
from quanyi.personal_accounts.consistency import check
from quanyi.personal_accounts.rebuild import rebuild
from quanyi.records import queries
from quanyi.workflow.models import Case
from tests.benefits import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    capsys.readouterr()
    assert main([*args, "--as", "clerk"]) == 0, capsys.readouterr().err
    loaded: dict[str, object] = json.loads(capsys.readouterr().out)
    return loaded


def test_those_past_due_get_a_reviewed_suspension_and_resumption_pays_what_was_missed(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builders.add_history()
    late = builders.pensioner(office, tmp_path / "late")
    verified = builders.pensioner(office, tmp_path / "verified")
    run(capsys, "benefits", "verify", verified, "--channel", "online")

    listed = run(capsys, "benefits", "unverified")["past_due"]
    assert [row["id_number"][-4:] for row in listed] == [late[-4:]]  # type: ignore[index]
    assert "*" in listed[0]["id_number"]  # type: ignore[index]
    case = Case.objects.get(pk=listed[0]["case_id"])  # type: ignore[index]
    assert (case.type, case.status, case.payload["reason"]) == (
        "benefit.suspend",
        "open",
        "unverified",
    )
    again = run(capsys, "benefits", "unverified")["past_due"]
    assert again[0]["case_id"] == case.pk  # type: ignore[index]  # not a second case
    assert (
        queries.read(office.reviewer, late)["benefits"][0]["status"] == "active"
    )  # reviewed first

    case = office.approve_all(case)
    assert case.status == "approved", case.result
    grant = queries.read(office.reviewer, late)["benefits"][0]
    assert grant["status"] == "active"  # suspended from next month on
    assert rebuild(office.clerk).differences == []
    builders.verified()


def monthly_person(row: dict[str, object]) -> int:
    return int(Payment.objects.filter(grant_id=row["id"]).values_list("person_id", flat=True)[0])


def paid_months(grant_id: int) -> list[str]:
    return sorted(
        Payment.objects.filter(grant_id=grant_id, kind=PaymentKind.MONTHLY).values_list(
            "month", flat=True
        )
    )


@pytest.mark.parametrize(
    ("suspended", "resumed", "back_paid"),
    [("lost_contact", "found", True), ("imprisoned", "released", False)],
)
def test_resumption_pays_the_months_missed_only_when_the_reason_allows(
    office: Office,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suspended: str,
    resumed: str,
    back_paid: bool,
) -> None:
    builders.add_history()
    number = builders.pensioner(office, tmp_path / "p")
    grant = queries.read(office.reviewer, number)["benefits"][0]["id"]
    builders.approved(
        office,
        "benefit.suspend",
        {"id_number": number, "from_month": "2025-04", "reason": suspended},
    )
    run(capsys, "benefits", "pay", "--month", "2025-05")
    assert paid_months(grant) == ["2025-02", "2025-03"]
    builders.approved(
        office,
        "benefit.resume",
        {"id_number": number, "from_month": "2025-06", "reason": resumed},
    )
    outcome = run(capsys, "benefits", "pay", "--month", "2025-06")
    missed = ["2025-04", "2025-05"] if back_paid else []
    assert paid_months(grant) == ["2025-02", "2025-03", *missed, "2025-06"]
    assert outcome["arrears"] == len(missed)
    assert rebuild(office.clerk).differences == []
    builders.verified()


def test_a_death_stops_payment_recovers_what_was_paid_after_it_and_pays_the_heirs(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builders.add_history()
    number = builders.pensioner(office, tmp_path / "p")
    run(capsys, "benefits", "pay", "--month", "2025-06")  # 2025-02 … 2025-06
    monthly = queries.read(office.reviewer, number)["benefits"][0]

    case = builders.approved(
        office,
        "benefit.death",
        {"id_number": number, "death_date": "2025-04-17", "source": "死亡医学证明 A-1"},
    )
    assert "recovered_fen" in case.result
    recovered = Payment.objects.filter(grant_id=monthly["id"], kind=PaymentKind.RECOVERY)
    assert sorted(recovered.values_list("month", flat=True)) == ["2025-05", "2025-06"]
    assert sum(recovered.values_list("amount_fen", flat=True)) == -2 * monthly["monthly_fen"]

    record = queries.read(office.reviewer, number)
    assert record["person"]["status"] == "cancelled"  # closed, and still there
    kinds = {row["kind"]: row for row in record["benefits"]}
    assert kinds["pension"]["status"] == "ended"
    assert kinds["pension"]["end_month"] == "2025-04"
    heirs = kinds["heirs"]["monthly_fen"]
    assert heirs == record["account"]["balance_fen"] > 0

    run(capsys, "benefits", "pay", "--month", "2025-07")
    after = queries.read(office.reviewer, number)
    assert after["account"]["balance_fen"] == 0
    # What left the account is shown apart from what was credited (the annual statement's
    # withdrawals), the recovered months netted off.
    withdrawn = sum(year["withdrawn_fen"] for year in after["account"]["by_year"])
    taken = sum(
        Payment.objects.filter(person_id=monthly_person(monthly)).values_list(
            "account_fen", flat=True
        )
    )
    assert withdrawn == taken > 0
    assert all(year["credited_fen"] >= 0 for year in after["account"]["by_year"])
    assert {row["kind"]: row["status"] for row in after["benefits"]}["heirs"] == "paid"
    assert not Payment.objects.filter(
        grant_id=monthly["id"], kind=PaymentKind.MONTHLY, month="2025-07"
    ).exists()
    assert rebuild(office.clerk).differences == []
    assert check(office.clerk) == []
    builders.verified()
