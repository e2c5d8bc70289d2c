"""Nothing lost (DESIGN invariant 7): ``kill -9`` at random moments while a month is posted
leaves every employer's bill either whole or absent; running again finishes the month, and
posting it once more is refused."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from datetime import date

import pytest

from tests.conftest import Instance
from tests.helpers import QUANYI, demo_login, quanyi, query

pytestmark = pytest.mark.subprocess


def previous_month() -> str:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def whole_bills(instance: Instance) -> tuple[int, int]:
    """(bills, bills whose line count differs from what the bill says)."""
    rows = query(
        instance,
        "SELECT b.id, b.lines, (SELECT COUNT(*) FROM contributions_line l WHERE l.bill_id = b.id)"
        " FROM contributions_bill b",
    )
    return len(rows), sum(1 for _, said, counted in rows if said != counted)


def test_kill_9_while_posting_leaves_each_unit_whole(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(
        instance, "demo", "--persons", "1500", "--employers", "150", "--seed", "9",
        "--without-history",
    )  # fmt: skip
    month = previous_month()
    command = [QUANYI, "contributions", "post", "--month", month, "--as", "operator"]
    # Small units, so a kill lands between many commits.
    env = instance.env(QUANYI_POST_UNIT_LINES="40", **demo_login(instance, "operator"))
    rng = random.Random(20261127)
    kills = 0
    for _ in range(6):
        before = whole_bills(instance)[0]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        # Kill once this run has committed some units, at a random moment after.
        while process.poll() is None and whole_bills(instance)[0] == before:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.15))
        if process.poll() is not None:
            break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        kills += 1
        bills, broken = whole_bills(instance)
        assert broken == 0, f"after kill {kills}: {broken} of {bills} bills are partial"
    assert kills >= 2, f"only {kills} kills landed: make the posting longer"
    print(f"killed {kills} times")
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if finished.returncode != 0:  # the last unkilled run may have completed the month
        assert "posted already" in finished.stderr, finished.stderr
    bills, broken = whole_bills(instance)
    assert bills > 0 and broken == 0
    employers = query(
        instance,
        "SELECT COUNT(DISTINCT employer_id) FROM registry_insurancerelation"
        f" WHERE employer_id IS NOT NULL AND start_month <= '{month}'"
        f" AND (end_month IS NULL OR end_month >= '{month}')",
    )[0][0]
    assert bills == employers  # every employer billed exactly once
    again = quanyi(
        instance, "contributions", "post", "--month", month, "--as", "operator", check=False
    )
    assert again.returncode == 1 and "posted already" in again.stderr
    assert "OK" in quanyi(instance, "check", "consistency", "--as", "operator").stdout
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout
