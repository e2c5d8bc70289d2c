"""The pension grant through a real case (国发〔2005〕38号; REFERENCE.md Basic pension and
Months divisor; 001 art. 6 ¶4: benefit standards computed by preset rules from the raw data;
003 §4 (三): benefit data reviewed), and the monthly payment taking the account part from the
personal account."""

from __future__ import annotations

import csv
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from quanyi.benefits.models import Payment
from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from quanyi.personal_accounts.consistency import check
from quanyi.personal_accounts.rebuild import rebuild
from quanyi.records import queries
from tests.benefits import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def test_thirty_years_at_four_fifths_of_the_average_wage_give_the_reference_basic_pension(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """REFERENCE.md Basic pension: 12049 × (1 + 0.8) / 2 × 30 × 1% = 3253.23, through a grant
    of a person whose 360 months came by a legacy import, each base 0.8 of the average wage in
    force for that month."""
    builders.add_history()
    number = builders.legacy_person(
        office, tmp_path / "legacy", date(1964, 12, 3), builders.months("1995-01", "2024-12")
    )
    case = builders.approved(
        office,
        "benefit.grant",
        {"id_number": number, "insurance": "pension", "start_month": "2025-01"},
    )
    record = queries.read(office.reviewer, number)
    (row,) = record["benefits"]
    assert row["basic_fen"] == 325323
    assert (row["kind"], row["status"], row["start_month"]) == ("pension", "active", "2025-01")
    assert row["monthly_fen"] == row["basic_fen"] + row["account_fen"] + row["transitional_fen"]
    assert row["case_id"] == case.pk

    capsys.readouterr()
    assert main(["record", "explain", number, "--benefit", "--as", "reviewer"]) == 0
    explained = json.loads(capsys.readouterr().out)["grants"][0]["explained"]
    assert explained["contribution_months"] == 360
    assert explained["rules"]["benefit.base"]["value"] == "1204900"
    # Born 1964-12, starting 2025-01: 60 years 1 month, between the table's 60 and 61.
    assert explained["divisor"] == "138.4"
    balance = record["account"]["balance_fen"]
    assert row["account_fen"] == round(balance / 138.4)


def test_one_month_short_is_refused_with_the_months_missing_and_one_more_is_granted(
    office: Office, tmp_path: Path
) -> None:
    """A man born 1965-01 retires at 60 and 1 month (2025-02) and needs 180 months (REFERENCE.md
    Basic pension): 108 paid + 71 deemed is one month short; 72 deemed is enough. His first
    payment takes the account part from his account."""
    builders.add_history()
    short = builders.legacy_person(
        office, tmp_path / "short", date(1965, 1, 9), builders.months("2016-01", "2024-12"),
        deemed_months=71,
    )  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "benefit.grant", {"id_number": short, "insurance": "pension", "start_month": "2025-02"}
        )
    error = refused.value.errors[0]
    assert error.code == "short_months"
    assert "1 个月" in error.zh and "延长缴费" in error.zh

    enough = builders.legacy_person(
        office, tmp_path / "enough", date(1965, 1, 9), builders.months("2016-01", "2024-12"),
        deemed_months=72,
    )  # fmt: skip
    builders.approved(
        office,
        "benefit.grant",
        {"id_number": enough, "insurance": "pension", "start_month": "2025-02"},
    )
    before = queries.read(office.reviewer, enough)
    assert before["contribution_years"]["pension"] == "15.00"
    (grant,) = before["benefits"]
    assert main(["benefits", "pay", "--month", "2025-02", "--as", "clerk"]) == 0
    (payment,) = Payment.objects.filter(grant_id=grant["id"])
    assert (payment.month, payment.amount_fen) == ("2025-02", grant["monthly_fen"])
    assert payment.account_fen == grant["account_fen"] > 0
    after = queries.read(office.reviewer, enough)
    assert after["account"]["balance_fen"] == before["account"]["balance_fen"] - payment.account_fen

    bank = Path(settings.QUANYI_DATA_DIR) / "benefits" / "payments-2025-02.csv"
    assert stat.S_IMODE(bank.stat().st_mode) == 0o600
    rows = list(csv.DictReader(bank.open(encoding="utf-8")))
    assert [(r["id_number"], r["amount_yuan"], r["months"]) for r in rows] == [
        (enough, f"{payment.amount_fen // 100}.{payment.amount_fen % 100:02d}", "2025-02")
    ]

    # Idempotent: the same month again pays nothing more.
    assert main(["benefits", "pay", "--month", "2025-02", "--as", "clerk"]) == 0
    assert Payment.objects.filter(grant_id=grant["id"]).count() == 1
    assert rebuild(office.clerk).differences == []
    assert check(office.clerk) == []
    builders.verified()


def test_the_estimate_is_marked_as_one_and_states_its_assumptions(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """养老金测算 (issue 14): from the record so far and stated assumptions, by the CLI."""
    builders.add_history()
    number = builders.legacy_person(
        office, tmp_path / "p", date(1980, 3, 9), builders.months("2016-01", "2024-12")
    )
    capsys.readouterr()
    args = ["benefits", "estimate", number, "--wage-growth", "0.03", "--as", "clerk"]
    assert main(args) == 0, capsys.readouterr().err
    found = json.loads(capsys.readouterr().out)
    assert found["estimate"] is True and found["retire"] == "2043-03"
    assert found["assumptions"]["wage_growth"] == "0.03"
    assert (
        found["monthly_fen"]
        == found["basic_fen"] + found["account_fen"] + found["transitional_fen"]
    )
    assert found["years"][-1]["year"] == 2043 and "*" in found["id_number"]
    higher = [
        "benefits",
        "estimate",
        number,
        "--wage-growth",
        "0.03",
        "--future-base-fen",
        "2000000",
    ]
    assert main([*higher, "--as", "clerk"]) == 0
    assert json.loads(capsys.readouterr().out)["monthly_fen"] > found["monthly_fen"]
    assert main(["benefits", "estimate", number, "--retire", "2020-01", "--as", "clerk"]) == 1
    assert "2020-01" in capsys.readouterr().err
