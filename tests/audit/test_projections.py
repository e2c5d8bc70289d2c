"""Whatever the record shows is under verify: the projections — year balances, contribution
months, a bill's totals and status — are recomputed from their ledgers, and every row that
differs is named with its table and key (001 art. 6 ¶4, 12; DESIGN.md invariants 2, 5).

Projection tables carry no triggers, so an attacker with database access edits them with plain
SQL; these tests do the same. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from quanyi.audit import checkpoints, checks
from quanyi.audit.verify import verify
from quanyi.contributions.models import Bill
from quanyi.core.principal import Principal
from quanyi.demo import generate
from quanyi.personal_accounts.consistency import check as check_consistency
from quanyi.personal_accounts.models import PaidMonths, YearBalance
from quanyi.personal_accounts.queries import account_part, months_part
from quanyi.registry.models import Person
from quanyi.rulebook import services as rulebook
from tests.conftest import Instance, on_postgresql
from tests.helpers import quanyi, query
from tests.registry import builders as registry_builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

BALANCES = "personal_accounts_yearbalance"
MONTHS = "personal_accounts_paidmonths"


@pytest.fixture
def demo() -> Office:
    """A demo region with history (paid months, arrears, closed years), signed."""
    with transaction.atomic():
        rulebook.seed(Principal.system("system:init"))
    generate.build(persons=30, employers=3, years=3, seed=11)
    checkpoints.write()
    return Office(suffix="-p")


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def refused(*fragments: str) -> list[checks.Finding]:
    """Verify fails, and among its findings one names every fragment, in both languages."""
    report = verify()
    assert not report.ok, "verify passed a forged projection"
    assert report.problem_zh
    named = [f for f in report.findings if all(part in f.en for part in fragments)]
    assert named, [f.en for f in report.findings]
    assert all(BALANCES in f.zh or MONTHS in f.zh or "contributions_bill" in f.zh for f in named)
    return report.findings


def a_balance() -> YearBalance:
    """A year with interest and a year after it, so opening and closing both carry money."""
    row = YearBalance.objects.filter(interest_fen__gt=0, opening_fen__gt=0).order_by("pk").first()
    assert row is not None, "the demo has no closed year with money"
    return row


def test_an_untouched_demo_verifies_and_is_consistent(demo: Office) -> None:
    assert YearBalance.objects.exists() and PaidMonths.objects.exists()
    report = verify()
    assert report.ok, report.problem
    assert report.findings == []
    assert set(checks.registered()) >= {"personal_accounts.projections", "contributions.bills"}
    assert check_consistency(demo.clerk) == []


def test_a_forged_closing_balance_is_named(demo: Office) -> None:
    row = a_balance()
    person = Person.objects.get(pk=row.person_id)
    sql(f"UPDATE {BALANCES} SET closing_fen = closing_fen + 99999900 WHERE id = %s", [row.pk])
    shown = account_part(person.pk)["by_year"]
    assert {"year": row.year, "closing_fen": row.closing_fen + 99999900}.items() <= next(
        y for y in shown if y["year"] == row.year
    ).items()  # what the record would print
    refused(
        f"account of person {row.person_id} in {row.year}:",
        f"closing_fen {row.closing_fen + 99999900}, the ledgers give {row.closing_fen}",
        BALANCES,
    )
    # the operator's check consistency reads the same computation
    assert any(f"person {row.person_id} in {row.year}" in p for p in check_consistency(demo.clerk))


@pytest.mark.parametrize("column", ["opening_fen", "credited_fen", "interest_fen"])
def test_a_forged_figure_of_a_year_is_named(demo: Office, column: str) -> None:
    row = a_balance()
    before = getattr(row, column)
    sql(f"UPDATE {BALANCES} SET {column} = {column} + 100 WHERE id = %s", [row.pk])
    refused(
        f"account of person {row.person_id} in {row.year}:",
        f"{column} {before + 100}, the ledgers give {before}",
    )


def test_a_deleted_year_balance_is_named(demo: Office) -> None:
    row = a_balance()
    sql(f"DELETE FROM {BALANCES} WHERE id = %s", [row.pk])
    refused(
        f"account of person {row.person_id} in {row.year}: no row",
        f"closing_fen {row.closing_fen}",
    )


def test_a_balance_inserted_for_a_person_without_entries_is_named(
    demo: Office, principal: Principal
) -> None:
    lonely = registry_builders.person(principal, name="赵六")  # registered, no entries
    sql(
        f"INSERT INTO {BALANCES} (person_id, year, opening_fen, credited_fen, interest_fen,"
        " closing_fen) VALUES (%s, 2024, 0, 50000000, 0, 50000000)",
        [lonely.pk],
    )
    findings = refused(
        f"account of person {lonely.pk} in 2024: a row",
        "closing_fen 50000000) the ledgers do not give",
    )
    assert any("台账中没有" in f.zh for f in findings)


def a_count() -> PaidMonths:
    row = PaidMonths.objects.filter(insurance="pension", months__gt=1).order_by("pk").first()
    assert row is not None
    return row


def test_forged_contribution_months_are_named(demo: Office) -> None:
    row = a_count()
    sql(f"UPDATE {MONTHS} SET months = months + 12 WHERE id = %s", [row.pk])
    assert months_part(row.person_id)["pension"] == row.months + 12  # the record would show it
    refused(
        f"contribution months of person {row.person_id} (pension):",
        f"months {row.months + 12}, the ledgers give {row.months}",
        MONTHS,
    )


def test_deleted_contribution_months_are_named(demo: Office) -> None:
    row = a_count()
    sql(f"DELETE FROM {MONTHS} WHERE id = %s", [row.pk])
    refused(
        f"contribution months of person {row.person_id} (pension): no row",
        f"months {row.months}",
    )


def test_inserted_contribution_months_are_named(demo: Office) -> None:
    row = a_count()
    taken = set(
        PaidMonths.objects.filter(person_id=row.person_id).values_list("insurance", flat=True)
    )
    insurance = next(i for i in ("maternity", "injury", "resident_pension") if i not in taken)
    sql(
        f"INSERT INTO {MONTHS} (person_id, insurance, months) VALUES (%s, %s, 180)",
        [row.person_id, insurance],
    )
    refused(f"contribution months of person {row.person_id} ({insurance}): a row (months 180)")


def test_every_forged_row_is_named_not_only_the_first(demo: Office) -> None:
    rows = list(YearBalance.objects.order_by("pk")[:3])
    for row in rows:
        sql(f"UPDATE {BALANCES} SET closing_fen = closing_fen + 1 WHERE id = %s", [row.pk])
    findings = refused(BALANCES)
    for row in rows:
        assert any(f"account of person {row.person_id} in {row.year}:" in f.en for f in findings), (
            row
        )


@pytest.mark.parametrize(
    ("assignment", "named"),
    [
        ("paid_fen = paid_fen + 5000", "paid_fen"),
        ("status = 'owed'", "status owed, the ledgers give paid"),
    ],
)
def test_a_forged_bill_is_named(demo: Office, assignment: str, named: str) -> None:
    """A bill is a tracked row too, so verify already stops at its digest; the registered bill
    check names the figure the bill's payments no longer give."""
    bill = Bill.objects.filter(status="paid").order_by("pk").first()
    assert bill is not None
    sql(f"UPDATE contributions_bill SET {assignment} WHERE id = %s", [bill.pk])
    assert not verify().ok
    findings = list(checks.registered()["contributions.bills"]())
    assert any(
        f.en.startswith(f"bill {bill.pk}: ") and named in f.en and "contributions_bill" in f.en
        for f in findings
    ), [f.en for f in findings]
    assert any(f"账单 {bill.pk}" in f.zh for f in findings)
    assert any(p.startswith(f"bill {bill.pk}: ") for p in check_consistency(demo.clerk))


@pytest.mark.subprocess
def test_verify_on_the_command_line_names_a_forged_balance(instance: Instance) -> None:
    """The issue's own steps: the forged closing balance, then ``audit verify`` (exit 1)."""
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "40", "--employers", "3", "--years", "2", "--seed", "3")
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout
    person, year, closing = query(
        instance,
        f"SELECT person_id, year, closing_fen FROM {BALANCES} ORDER BY closing_fen DESC LIMIT 1",
    )[0]
    execute(
        instance,
        f"UPDATE {BALANCES} SET closing_fen = closing_fen + 99999900"
        f" WHERE person_id = {person} AND year = {year}",
    )
    verified = quanyi(instance, "audit", "verify", "--as", "auditor", check=False)
    assert verified.returncode == 1
    said = verified.stdout + verified.stderr
    assert f"account of person {person} in {year}" in said, said
    assert f"the ledgers give {closing}" in said and BALANCES in said


def execute(instance: Instance, statement: str) -> None:
    """Write to the instance's database directly, as someone with its credentials would."""
    if not on_postgresql():
        import sqlite3

        with sqlite3.connect(instance.database_url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement)
        return
    import psycopg

    with psycopg.connect(instance.database_url) as conn:
        conn.execute(statement)  # type: ignore[arg-type]
