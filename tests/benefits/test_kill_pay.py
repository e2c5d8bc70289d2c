"""Nothing lost (DESIGN invariant 7) for the benefit payment run: ``kill -9`` at random moments
of ``benefits pay`` leaves every pensioner either wholly paid for the month — the payment and
its account withdrawal, committed together — or not at all; running it to the end then pays
everyone exactly once, the account projections rebuild without a difference and the audit
chain verifies."""

from __future__ import annotations

import json
import re
import time
from collections import Counter

import pytest

from tests.conftest import Instance
from tests.contributions.test_kill_batches import kill_at_random
from tests.helpers import quanyi, query

pytestmark = pytest.mark.subprocess


def paid_in(instance: Instance, month: str) -> tuple[dict[int, int], dict[int, int], Counter[int]]:
    """Per person: monthly payments for ``month``, of which with an account part, and account
    withdrawals for ``month``."""
    payments = {
        person: (count, from_account)
        for person, count, from_account in query(
            instance,
            "SELECT person_id, COUNT(*), SUM(CASE WHEN account_fen > 0 THEN 1 ELSE 0 END)"
            f" FROM benefits_payment WHERE month = '{month}' AND kind = 'monthly'"
            " GROUP BY person_id",
        )
    }
    withdrawn = Counter(
        dict(
            query(
                instance,
                "SELECT person_id, COUNT(*) FROM personal_accounts_entry"
                f" WHERE kind = 'withdraw' AND month = '{month}' GROUP BY person_id",
            )
        )
    )
    return (
        {p: count for p, (count, _) in payments.items()},
        {p: from_account for p, (_, from_account) in payments.items()},
        withdrawn,
    )


def test_kill_9_while_paying_leaves_each_pensioner_paid_wholly_or_not_at_all(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    quanyi(instance, "init")
    built = quanyi(
        instance, "demo", "--persons", "2000", "--employers", "30", "--years", "1", "--seed", "5"
    )
    found = re.search(r"month to post (\d{4}-\d{2})", built.stdout)
    assert found, built.stdout
    month = found.group(1)
    pensioners = {p for (p,) in query(instance, "SELECT DISTINCT person_id FROM benefits_grant")}
    assert len(pensioners) >= 15
    assert paid_in(instance, month)[0] == {}  # the demo pays up to the month before

    seen: list[int] = []

    def snapshot() -> tuple[int, ...]:
        paid, from_account, withdrawn = paid_in(instance, month)
        seen.append(len(paid))
        broken = sum(
            1
            for person in pensioners
            if paid.get(person, 0) > 1 or from_account.get(person, 0) != withdrawn[person]
        )
        return len(paid), broken

    def whole_or_untouched(state: tuple[int, ...]) -> bool:
        return state[1] == 0

    # One pensioner a unit, so the run commits many times; the kills start late in the
    # start-up (a refused run of the same command measures it), to land among the commits.
    monkeypatch.setenv("QUANYI_PAY_UNIT", "1")
    started = time.perf_counter()
    refused = quanyi(
        instance, "benefits", "pay", "--month", "2199-01", "--as", "operator", check=False
    )
    assert refused.returncode == 1
    start_up = time.perf_counter() - started
    command = ["benefits", "pay", "--month", month]
    kills = kill_at_random(
        instance, command, "operator", snapshot, whole_or_untouched, 11, 0.08, 0.75 * start_up
    )
    assert kills >= 3, f"only {kills} kills landed"
    assert any(0 < n < len(pensioners) for n in seen), f"no kill landed mid-run: {seen}"
    finish = json.loads(quanyi(instance, *command, "--as", "operator").stdout)
    assert finish["payments"] == 0  # the run that ended by itself paid the rest
    paid, from_account, withdrawn = paid_in(instance, month)
    assert paid == dict.fromkeys(pensioners, 1)
    assert all(from_account[p] == withdrawn[p] for p in pensioners)
    rebuilt = json.loads(quanyi(instance, "accounts", "rebuild", "--as", "operator").stdout)
    assert rebuilt["differences"] == 0, rebuilt
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout
