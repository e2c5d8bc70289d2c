"""Nothing lost (DESIGN invariant 7) for the other batches: ``kill -9`` at random moments
while a year's interest is credited, or while an import case's final approval loads it,
leaves the unit either fully done or untouched; running again finishes it, and once more is
refused."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import Instance
from tests.helpers import QUANYI, demo_login, quanyi, query

pytestmark = pytest.mark.subprocess

Snapshot = Callable[[], tuple[int, ...]]


def kill_at_random(
    instance: Instance,
    args: list[str],
    account: str,
    snapshot: Snapshot,
    allowed: Callable[[tuple[int, ...]], bool],
    seed: int,
    step: float = 0.15,
    after: float = 0.1,
) -> int:
    """Start ``quanyi ARGS`` and ``kill -9`` it at a random moment, later each time (attempt
    k dies between k and k+1 steps in, ``after`` seconds from the start), until a run ends by
    itself: the kills sweep the whole run — start-up, reading, writing, commit — whatever its
    length on this machine. After each kill the state must be allowed. Returns the number of
    kills; the caller checks the end. The sweep costs about length² / (2 × ``step``) seconds:
    a run of several seconds takes a coarser step."""
    env = instance.env(**demo_login(instance, account))
    rng = random.Random(seed)
    for kills in range(200):
        process = subprocess.Popen(
            [QUANYI, *args, "--as", account],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(after + step * (kills + rng.random()))
        if process.poll() is not None:  # finished; or refused, a killed run having committed
            process.communicate()
            return kills
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        state = snapshot()
        assert allowed(state), f"after kill {kills + 1}: {state}"
    raise AssertionError("the command never finished")


def previous_year() -> int:
    return date.today().year - 1


def test_kill_9_while_crediting_interest_leaves_the_year_closed_wholly_or_not_at_all(
    instance: Instance, tmp_path: Path
) -> None:
    year = previous_year()
    quanyi(instance, "init")
    quanyi(
        instance, "demo", "--persons", "2500", "--employers", "80", "--seed", "5",
        "--without-history",
    )  # fmt: skip
    for month in (f"{year}-11", f"{year}-12"):
        quanyi(instance, "contributions", "post", "--month", month, "--as", "operator")
    bills = query(instance, "SELECT id, due_fen FROM contributions_bill ORDER BY id")
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "bill_id,amount_fen,paid_at,bank_ref\n"
        + "".join(f"{b},{due},{year + 1}-01-10,K{b}\n" for b, due in bills),
        encoding="utf-8",
    )
    quanyi(instance, "contributions", "pay", str(bank), "--as", "operator")
    accounts = query(
        instance, f"SELECT COUNT(*) FROM personal_accounts_yearbalance WHERE year = {year}"
    )[0][0]
    assert accounts > 1000

    def snapshot() -> tuple[int, ...]:
        closed, entries, balances = query(
            instance,
            "SELECT (SELECT COUNT(*) FROM personal_accounts_interestyear),"
            f" (SELECT COUNT(*) FROM personal_accounts_entry WHERE kind = 'interest'),"
            f" (SELECT COUNT(*) FROM personal_accounts_yearbalance WHERE year = {year}"
            "   AND interest_fen > 0)",
        )[0]
        return closed, entries, balances

    def whole_or_untouched(state: tuple[int, ...]) -> bool:
        closed, entries, balances = state
        return (closed, entries, balances) == (0, 0, 0) or (
            closed == 1 and entries == balances == accounts
        )

    command = ["accounts", "credit-interest", "--year", str(year)]
    kills = kill_at_random(instance, command, "operator", snapshot, whole_or_untouched, 7, 0.25)
    assert kills >= 3, f"only {kills} kills landed"
    finish = quanyi(instance, *command, "--as", "operator", check=False)
    assert finish.returncode == 0 or "credited already" in finish.stderr, finish.stderr
    again = quanyi(instance, *command, "--as", "operator", check=False)
    assert again.returncode == 1 and "credited already" in again.stderr
    assert snapshot() == (1, accounts, accounts)
    assert "OK" in quanyi(instance, "check", "consistency", "--as", "operator").stdout
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout


def test_kill_9_while_an_import_is_approved_loads_it_wholly_or_not_at_all(
    instance: Instance, tmp_path: Path
) -> None:
    from tests.registry import builders

    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "0", "--employers", "1", "--without-history")
    folder = tmp_path / "legacy"
    folder.mkdir()
    uscc = builders.uscc()
    numbers = [builders.id_number(date(1970, 1, 1) + timedelta(days=n)) for n in range(300)]
    (folder / "employers.csv").write_text(
        f"uscc,name,region,injury_class\n{uscc},旧系统迁移单位,110105,1\n", encoding="utf-8"
    )
    (folder / "persons.csv").write_text(
        "id_number,name,phone,hukou_region,residence_region,category\n"
        + "".join(f"{n},迁移人员,13800138000,110105,110105,employee\n" for n in numbers),
        encoding="utf-8",
    )
    (folder / "relations.csv").write_text(
        "id_number,uscc,insurance,start_month,end_month\n"
        + "".join(f"{n},{uscc},pension,2016-01,2024-12\n" for n in numbers),
        encoding="utf-8",
    )
    months = [f"{y}-{m:02d}" for y in range(2016, 2025) for m in range(1, 13)]
    (folder / "contributions.csv").write_text(
        "id_number,uscc,insurance,month,base_fen,paid_month\n"
        + "".join(f"{n},{uscc},pension,{m},600000,{m}\n" for n in numbers for m in months),
        encoding="utf-8",
    )
    rows = len(numbers) * len(months)
    submitted = quanyi(instance, "import", "legacy", str(folder), "--as", "operator")
    case = json.loads(submitted.stdout)["id"]
    for account in ("checker", "reviewer", "rechecker"):
        quanyi(instance, "case", "act", str(case), "approve", "--as", account)

    def snapshot() -> tuple[int, ...]:
        return tuple(
            query(
                instance,
                "SELECT (SELECT COUNT(*) FROM contributions_line),"
                " (SELECT COUNT(*) FROM registry_person),"
                " (SELECT COUNT(*) FROM personal_accounts_interestyear),"
                f" (SELECT COUNT(*) FROM workflow_case WHERE id = {case} AND status = 'approved')",
            )[0]
        )

    def whole_or_untouched(state: tuple[int, ...]) -> bool:
        return state == (0, 0, 0, 0) or state == (rows, len(numbers), 9, 1)

    command = ["case", "act", str(case), "approve"]
    kills = kill_at_random(instance, command, "approver", snapshot, whole_or_untouched, 11, 0.4)
    assert kills >= 3, f"only {kills} kills landed"
    # A backend whose client was killed may still hold locks until it notices; a run that meets
    # it can be chosen as a deadlock's victim, which leaves the case open (and says so): retry.
    for _ in range(3):
        finish = quanyi(instance, *command, "--as", "approver", check=False)
        if snapshot() == (rows, len(numbers), 9, 1):  # or a killed run had finished
            break
    assert snapshot() == (rows, len(numbers), 9, 1), finish.stderr
    again = quanyi(instance, *command, "--as", "approver", check=False)
    assert again.returncode != 0  # a decided case takes no more decisions
    assert "OK" in quanyi(instance, "check", "consistency", "--as", "operator").stdout
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout
