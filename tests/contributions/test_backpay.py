"""Back-payment (补缴): a case through intake, review, re-check and approval; months of a
closed year are credited in the year paid with the interest they missed (REFERENCE.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from quanyi.audit.verify import verify
from quanyi.contributions.models import Bill, Line
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.personal_accounts import services as accounts
from quanyi.personal_accounts.models import Entry
from quanyi.records import queries
from quanyi.rulebook import services as rulebook
from quanyi.workflow.queries import case as show
from tests.registry import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def test_a_back_payment_for_a_closed_year(principal: Principal) -> None:
    with transaction.atomic():
        rulebook.seed(Principal.system("system:init"))
    office = Office()
    employer = builders.employer(principal, injury_class=1)
    person = builders.person(principal)
    builders.relation(principal, person, employer, "pension", "2024-01")
    with transaction.atomic():
        accounts.credit_interest(office.clerk, 2024, "110000")  # 2024 is closed
    payload = {
        "uscc": employer.uscc,
        "id_number": person.id_number,
        "from_month": "2024-11",
        "to_month": "2024-12",
        "base_fen": 1000000,
        "insurances": ["pension"],
        "reason": "单位漏报，职工申请补缴",
    }
    case = office.submit("contribution.backpay", payload)
    assert case.stage == "review"
    changes = show(office.reviewer, case.pk).changes
    assert changes is not None
    first = changes[0].after
    assert (first["employer_fen"], first["employee_fen"], first["account_fen"]) == (
        160000,
        80000,
        80000,
    )
    # 800.00 credited late for closed 2024: 800 × 2.62 % × 1.083 × ½ = 11.35
    assert first["late_interest_fen"] == 1135
    assert first["late_fee_fen"] > 0  # owed to the fund, not to the account
    assert not Line.objects.exists()

    case = office.approve_all(case)
    assert [d.stage for d in case.decisions.all()] == ["intake", "review", "recheck", "approval"]
    assert Bill.objects.filter(kind="backpay", status="paid").count() == 2
    paid_year = date.today().year
    entries = sorted(Entry.objects.filter(person=person).values_list("year", "kind", "amount_fen"))
    assert entries == [
        (paid_year, "credit", 80000),
        (paid_year, "credit", 80000),
        (paid_year, "late_int", 1135),
        (paid_year, "late_int", 1135),
    ]
    record = queries.read(office.reviewer, person.id_number)
    assert record["contribution_months"] == {"pension": 2}
    assert {c["status"] for c in record["contributions"]} == {"paid"}
    assert verify().ok

    with pytest.raises(InvalidInput, match="billed already"):
        office.submit("contribution.backpay", payload)
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "contribution.backpay",
            {**payload, "from_month": "2023-01", "to_month": "2023-01", "reason": ""},
        )
    assert {e.code for e in refused.value.errors} == {"required", "no_relation"}
