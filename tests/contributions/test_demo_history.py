"""``quanyi demo`` builds contribution history for its years (the contributions issue): bills
from the relations, payments, account credits and closed years — consistent by every check,
with last month left for the tour to post."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.conftest import Instance
from tests.contributions.test_kill import previous_month
from tests.helpers import plain_query, quanyi, query

pytestmark = pytest.mark.subprocess


def test_the_demo_has_paid_months_arrears_and_closed_years(instance: Instance) -> None:
    quanyi(instance, "init")
    built = quanyi(instance, "demo", "--persons", "300", "--employers", "12", "--seed", "2")
    assert "months of contributions" in built.stdout
    # The parameter history the pension formula needs, as one parameter file case approved
    # through its five stages by the demo staff (docs/contributions.md).
    assert "76 rows of parameter history (one approved case)" in built.stdout
    ((case_id, status),) = query(
        instance, "SELECT id, status FROM workflow_case WHERE type = 'parameter.change'"
    )
    assert status == "approved"
    added = query(instance, f"SELECT COUNT(*) FROM rulebook_parameter WHERE case_id = {case_id}")
    assert added[0][0] == 76
    # It prints what the README's tour uses: the tour works on this demo as printed.
    assert (
        "tour: employee 110105198506150022, employer 91110000600037341L,"
        f" month to post {previous_month()}"
    ) in built.stdout
    months = [m for (m,) in query(instance, "SELECT DISTINCT month FROM contributions_bill")]
    assert previous_month() not in months and max(months) < previous_month()
    posted = query(instance, "SELECT COUNT(*) FROM contributions_postedmonth")[0][0]
    assert posted == len(months)
    statuses = dict(query(instance, "SELECT status, COUNT(*) FROM contributions_bill GROUP BY 1"))
    assert statuses["paid"] > 10 * statuses.get("owed", 0) > 0  # mostly paid, some arrears
    closed = [y for (y,) in query(instance, "SELECT year FROM personal_accounts_interestyear")]
    assert closed and max(closed) == date.today().year - 1

    assert "OK" in quanyi(instance, "check", "consistency", "--as", "operator").stdout
    rebuilt = json.loads(quanyi(instance, "accounts", "rebuild", "--as", "operator").stdout)
    assert rebuilt["differences"] == 0 and rebuilt["balances"] > 0
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout

    (number,) = plain_query(
        instance,
        "SELECT p.id_number FROM registry_person p JOIN personal_accounts_yearbalance b"
        " ON b.person_id = p.id WHERE b.interest_fen > 0 ORDER BY p.id LIMIT 1",
    )[0]
    record = json.loads(quanyi(instance, "record", "show", number, "--as", "querier").stdout)
    assert record["account"]["balance_fen"] > 0
    assert record["contribution_months"]["pension"] > 0
    assert record["contribution_years"]["pension"] == (
        f"{record['contribution_months']['pension'] / 12:.2f}"
    )
    assert {c["status"] for c in record["contributions"]} <= {"paid", "owed"}
    # the tour can post last month, at the bases declared for this year
    outcome = json.loads(
        quanyi(
            instance, "contributions", "post", "--month", previous_month(), "--as", "operator"
        ).stdout
    )
    assert outcome["bills"] > 0 and outcome["at_lower_bound"] < outcome["lines"] // 10
    declared = query(
        instance, "SELECT COUNT(*), COUNT(DISTINCT base_fen) FROM contributions_declaration"
    )
    assert declared[0][0] > 100 and declared[0][1] > 50  # wages differ from person to person
    # The README's tour names the first employee and the first employer of a new demo.
    tour = json.loads(
        quanyi(instance, "record", "show", "110105198506150022", "--as", "querier").stdout
    )
    assert tour["person"]["birth_date"] == "1985-06-15" and tour["relations"]
    bills = quanyi(
        instance, "contributions", "bills", "--uscc", "91110000600037341L", "--as", "operator"
    )
    assert json.loads(bills.stdout)["bills"]
