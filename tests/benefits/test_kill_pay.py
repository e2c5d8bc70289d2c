"""Nothing lost (DESIGN invariant 7) for the benefit payment run: ``kill -9`` at random moments
of ``benefits pay`` leaves every pensioner either wholly paid for the month — the payment and
its account withdrawal, committed together — or not at all; running it to the end then pays
everyone exactly once, the account projections rebuild without a difference and the audit
chain verifies."""

from __future__ import annotations

import csv
import json
import random
import re
import signal
import subprocess
import time
from collections import Counter

import pytest

from quanyi.core.yearmonth import YearMonth
from tests.conftest import Instance
from tests.contributions.test_kill_batches import kill_at_random
from tests.helpers import QUANYI, demo_login, quanyi, query

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


def kill_while_paying(
    instance: Instance, command: list[str], month: str, rng: random.Random, at_once: bool
) -> None:
    """Start the run and ``kill -9`` it as soon as (``at_once``), or a random few
    milliseconds after, a unit is seen committed — a moment a sweep from the start can miss
    when the units are quick."""
    env = instance.env(**demo_login(instance, "operator"))
    process = subprocess.Popen(
        [QUANYI, *command, "--as", "operator"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    before = sum(paid_in(instance, month)[0].values())
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if sum(paid_in(instance, month)[0].values()) > before:
            if not at_once:
                time.sleep(rng.uniform(0, 0.01))
            break
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_kill_9_while_paying_leaves_each_pensioner_paid_wholly_or_not_at_all(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    quanyi(instance, "init")
    built = quanyi(
        instance, "demo", "--persons", "3000", "--employers", "30", "--years", "1", "--seed", "5"
    )
    found = re.search(r"month to post (\d{4}-\d{2})", built.stdout)
    assert found, built.stdout
    # The run pays the month the demo leaves and this one: two payments each, so a person
    # with one of them would be half paid.
    months = (found.group(1), str(YearMonth.parse(found.group(1)).add(1)))
    pensioners = {p for (p,) in query(instance, "SELECT DISTINCT person_id FROM benefits_grant")}
    assert len(pensioners) >= 15
    assert all(paid_in(instance, m)[0] == {} for m in months)  # the demo pays up to before

    seen: list[int] = []

    def snapshot() -> tuple[int, ...]:
        states = [paid_in(instance, m) for m in months]
        paid = [set(state[0]) for state in states]
        broken = sum(
            1
            for person in pensioners
            if (person in paid[0]) != (person in paid[1])
            or any(state[0].get(person, 0) > 1 for state in states)
            or any(state[1].get(person, 0) != state[2][person] for state in states)
        )
        seen.append(len(paid[0]))
        return len(paid[0]), broken

    def whole_or_untouched(state: tuple[int, ...]) -> bool:
        return state[1] == 0

    # One pensioner a unit, so the run commits many times. Some kills land just after a
    # unit is seen committed; then a sweep from start-up (measured by a refused run of the
    # same command) to the end.
    monkeypatch.setenv("QUANYI_PAY_UNIT", "1")
    command = ["benefits", "pay", "--month", months[1]]
    rng = random.Random(11)
    for kill in range(3):
        kill_while_paying(instance, command, months[0], rng, at_once=kill == 0)
        assert whole_or_untouched(snapshot()), f"after kill {kill + 1}: {seen}"
    started = time.perf_counter()
    refused = quanyi(
        instance, "benefits", "pay", "--month", "2199-01", "--as", "operator", check=False
    )
    assert refused.returncode == 1
    start_up = time.perf_counter() - started
    kills = kill_at_random(
        instance, command, "operator", snapshot, whole_or_untouched, 11, 0.1, 0.75 * start_up
    )
    assert any(0 < n < len(pensioners) for n in seen), f"no kill landed mid-run: {seen}"
    finish = json.loads(quanyi(instance, *command, "--as", "operator").stdout)
    assert finish["payments"] == 0, (kills, seen)  # the run that ended by itself paid the rest
    # The bank file, written beside the run by a forked writer as each unit commits, is whole
    # after the runs killed half-way: one transfer per pensioner, two months each, the amounts
    # those stored; and no writer is left behind.
    bank = instance.data_dir / "benefits" / f"payments-{months[1]}.csv"
    with open(bank, encoding="utf-8", newline="") as file:
        transfers = list(csv.DictReader(file))
    assert len(transfers) == len(pensioners), transfers[:3]
    assert {t["months"] for t in transfers} == {" ".join(months)}
    stored = query(
        instance,
        "SELECT COALESCE(SUM(amount_fen), 0) FROM benefits_payment"
        f" WHERE paid_in = '{months[1]}' AND kind <> 'recovery'",
    )[0][0]
    assert sum(round(float(t["amount_yuan"]) * 100) for t in transfers) == stored
    assert oct(bank.stat().st_mode & 0o777) == oct(0o600)
    assert not bank.with_suffix(".tmp").exists()
    for month in months:
        paid, from_account, withdrawn = paid_in(instance, month)
        assert paid == dict.fromkeys(pensioners, 1)
        assert all(from_account[p] == withdrawn[p] for p in pensioners)
    rebuilt = json.loads(quanyi(instance, "accounts", "rebuild", "--as", "operator").stdout)
    assert rebuilt["differences"] == 0, rebuilt
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout
