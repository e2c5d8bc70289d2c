"""Benefits behind the application's back (001 art. 28 (3); DESIGN.md invariants 2, 5): a
payment raised, a grant's amount changed, a suspension removed, a payment forged by raw SQL with
the append-only triggers dropped and put back — each named by `audit verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from quanyi.audit import checkpoints
from quanyi.audit.verify import verify
from quanyi.benefits.models import Grant, GrantChange, Payment
from quanyi.cli import main
from tests.audit.test_row_digests import triggers_dropped
from tests.benefits import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(office: Office, tmp_path: Path) -> Grant:
    """A pension granted, suspended for a while, and paid for five months."""
    builders.add_history()
    number = builders.pensioner(office, tmp_path / "p")
    builders.approved(
        office,
        "benefit.suspend",
        {"id_number": number, "from_month": "2025-09", "reason": "imprisoned"},
    )
    assert main(["benefits", "pay", "--month", "2025-06", "--as", "clerk"]) == 0
    checkpoints.write()
    builders.verified()
    return Grant.objects.get()


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def named() -> str:
    report = verify()
    assert not report.ok, "verify passed a tampered database"
    return report.problem or ""


def test_a_payment_raised_by_raw_sql_is_named(paid: Grant) -> None:
    payment = Payment.objects.order_by("pk").first()
    assert payment is not None
    with triggers_dropped("benefits_payment"):
        sql(
            "UPDATE benefits_payment SET amount_fen = amount_fen + 100000 WHERE id = %s",
            [payment.pk],
        )
    assert named().startswith(f"benefit_payment {payment.pk} differs from its stored digest")


def test_a_grants_amount_changed_by_raw_sql_is_named(paid: Grant) -> None:
    with triggers_dropped("benefits_grant"):
        sql("UPDATE benefits_grant SET monthly_fen = monthly_fen * 2 WHERE id = %s", [paid.pk])
    assert named().startswith(f"benefit_grant {paid.pk} differs from its stored digest")


def test_a_suspension_removed_by_raw_sql_is_named(paid: Grant) -> None:
    (change,) = GrantChange.objects.filter(kind="suspend")
    with triggers_dropped("benefits_grantchange"):
        sql("DELETE FROM benefits_grantchange WHERE id = %s", [change.pk])
    assert f"benefit_change {change.pk} is missing" in named()


def test_a_payment_forged_by_raw_sql_is_named(paid: Grant) -> None:
    sql(
        "INSERT INTO benefits_payment (id, grant_id, person_id, month, paid_in, kind, amount_fen,"
        " account_fen, audit_seq, row_digest) VALUES (9999, %s, %s, '2025-07', '2025-07',"
        " 'monthly', 500000, 0, NULL, NULL)",
        [paid.pk, paid.person_id],
    )
    assert "benefit_payment 9999" in named()


def test_a_payment_naming_a_grant_that_does_not_exist_is_refused_and_nothing_kept(
    paid: Grant,
) -> None:
    """The table has no foreign-key triggers (decision 0019): the writer checks the unit."""
    from django.db import IntegrityError, transaction

    from quanyi.benefits.services import _write_payments
    from quanyi.core.principal import Principal

    before = Payment.objects.count()
    principal = Principal(actor="system:test", source="batch", region="110000")
    refused = pytest.raises(IntegrityError, match=r"benefits_grant ids that do not exist: \[9999\]")
    with refused, transaction.atomic():
        _write_payments(
            principal,
            [
                (paid.pk, paid.person_id, "2025-07", "2025-07", "monthly", 100, 0),
                (9999, paid.person_id, "2025-07", "2025-07", "monthly", 100, 0),
            ],
        )
    assert Payment.objects.count() == before


def test_a_payment_whose_grant_is_gone_is_named(paid: Grant) -> None:
    from quanyi.benefits import consistency

    assert not list(consistency.verify_check())
    payment = Payment.objects.order_by("pk").first()
    assert payment is not None
    with triggers_dropped("benefits_payment"):
        sql("UPDATE benefits_payment SET grant_id = 9999 WHERE id = %s", [payment.pk])
    (finding,) = consistency.verify_check()
    assert finding.en.startswith(f"benefits_payment {payment.pk}: names grant 9999")


def test_an_account_entry_naming_a_person_who_does_not_exist_is_refused_and_nothing_kept(
    paid: Grant,
) -> None:
    """The account ledger has no foreign-key trigger either (decision 0019): the writer checks
    the unit's persons, and the withdrawal for the real one is rolled back with it."""
    from django.db import IntegrityError, transaction

    from quanyi.core.principal import Principal
    from quanyi.personal_accounts import services as accounts
    from quanyi.personal_accounts.models import Entry

    before = Entry.objects.count()
    principal = Principal(actor="system:test", source="batch", region="110000")
    refused = pytest.raises(
        IntegrityError, match=r"registry_person ids that do not exist: \[9999\]"
    )
    with refused, transaction.atomic():
        accounts.withdraw(
            principal,
            [
                accounts.Withdrawal(paid.person_id, "2025-07", 100),
                accounts.Withdrawal(9999, "2025-07", 100),
            ],
            2025,
        )
    assert Entry.objects.count() == before


def test_an_account_entry_whose_person_is_gone_is_named(paid: Grant) -> None:
    from quanyi.personal_accounts import references
    from quanyi.personal_accounts.models import Entry

    assert not list(references.verify_check())
    entry = Entry.objects.order_by("pk").first()
    assert entry is not None
    with triggers_dropped("personal_accounts_entry"):
        sql("UPDATE personal_accounts_entry SET person_id = 9999 WHERE id = %s", [entry.pk])
    (finding,) = references.verify_check()
    assert (
        finding.en == f"personal_accounts_entry {entry.pk}: names person 9999, who does not exist"
    )
    assert "personal_accounts_entry" in named()
