"""A whole instance driven as an operator would: ``quanyi init``, ``demo``, ``audit verify``,
``record show`` in child processes, and tampering with the database file or server directly."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import DEMO_PASSWORD, Instance
from tests.helpers import plain_query, quanyi, query, raw_sql, totp_code

pytestmark = pytest.mark.subprocess


def test_init_demo_verify_and_tamper(instance: Instance) -> None:
    first = quanyi(instance, "init")
    assert "database ready" in first.stdout and "signing key created" in first.stdout
    assert "signing key created" not in quanyi(instance, "init").stdout  # idempotent
    demo = quanyi(
        instance, "demo", "--persons", "500", "--employers", "20", "--years", "3", "--seed", "11"
    )
    assert "500 persons, 20 employers" in demo.stdout
    again = quanyi(instance, "demo", "--if-empty").stdout
    assert "already holds persons" in again and "demo-accounts.json" in again
    assert list((instance.data_dir / "checkpoints").glob("*.jsonl"))
    report = json.loads(quanyi(instance, "audit", "verify", "--json", "--as", "auditor").stdout)
    assert report["rows"]["person"] == 500

    raw_sql(
        instance,
        "UPDATE registry_insurancerelation SET start_month = '1999-01'"
        " WHERE id = (SELECT MIN(id) FROM registry_insurancerelation)",
    )
    tampered = quanyi(instance, "audit", "verify", "--as", "auditor", check=False)
    assert tampered.returncode == 1
    assert "relation " in tampered.stderr and "differs from its stored digest" in tampered.stderr


def test_truncated_audit_tail_is_named(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "50", "--employers", "5", "--seed", "2")
    sqlite = instance.database_url.startswith("sqlite")
    drop = (
        ["DROP TRIGGER audit_auditevent_no_delete"]
        if sqlite
        else ["DROP TRIGGER audit_auditevent_no_delete ON audit_auditevent"]
    )
    raw_sql(instance, *drop, "DELETE FROM audit_auditevent WHERE seq > 2")
    tampered = quanyi(instance, "audit", "verify", "--as", "auditor", check=False)
    assert tampered.returncode == 1
    # The auditor's login is appended after the cut, as event 3.
    assert re.search(
        r"the chain ends at event 3 but checkpoint (\d+) was signed: events 4-\1 were removed",
        tampered.stderr,
    ), tampered.stderr


def test_record_show_of_a_demo_person(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "20", "--employers", "3", "--seed", "5")
    number = plain_query(instance, "SELECT id_number FROM registry_person LIMIT 1")[0][0]
    record = json.loads(quanyi(instance, "record", "show", number, "--as", "querier").stdout)
    assert record["person"]["id_number"] == number[:6] + "********" + number[14:]
    assert record["relations"], "every demo person has at least one relation"


def test_security_check_passes_on_demo_and_fails_after_a_grant_behind_the_back(
    instance: Instance,
) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "20", "--employers", "3", "--seed", "6")
    passed = quanyi(instance, "security", "check", "--as", "sysadmin")
    assert "no separation-of-duties violation" in passed.stdout
    dba = query(instance, "SELECT id FROM auth_user WHERE username = 'dba'")[0][0]
    raw_sql(
        instance,
        "INSERT INTO access_rolegrant (user_id, role, granted_by, granted_at)"
        f" VALUES ({dba}, 'approver', 'mallory', CURRENT_TIMESTAMP)",
    )
    code = quanyi(instance, "demo", "--otp", "auditor").stdout.strip()
    auditor = {"QUANYI_PASSWORD": DEMO_PASSWORD, "QUANYI_OTP": code}
    failed = quanyi(instance, "security", "check", "--as", "auditor", env=auditor, check=False)
    assert failed.returncode == 1
    assert failed.stderr.startswith("dba: ") and "approver" in failed.stderr


def test_init_admin_creates_the_first_sysadmin_who_needs_the_second_factor(
    instance: Instance,
) -> None:
    root = {"QUANYI_PASSWORD": "Root-pass-2026!"}
    created = quanyi(instance, "init", "--admin", "root", env=root)
    found = re.search(r"secret: (\S+)", created.stdout)
    assert found, created.stdout
    new_clerk = ["user", "add", "clerk", "--role", "querier", "--as", "root"]

    without_code = quanyi(instance, *new_clerk, env=root, check=False)
    assert without_code.returncode == 1 and "one-time code" in without_code.stderr
    code = totp_code(instance, "root", found.group(1))
    added = quanyi(
        instance,
        *new_clerk,
        env={**root, "QUANYI_OTP": code, "QUANYI_NEW_PASSWORD": "Clerk-pass-2026!"},
    )
    proposed = json.loads(added.stdout)  # a case the security administrator approves
    assert (proposed["type"], proposed["stage"]) == ("access.grant", "approval")
    assert proposed["payload"]["roles"] == ["querier"]
    assert "Clerk-pass-2026!" not in added.stdout  # the case keeps the password's hash only
    again = quanyi(instance, "init", "--admin", "other", env=root, check=False)
    assert again.returncode == 1 and "a sysadmin exists already" in again.stderr
    events = query(
        instance,
        "SELECT action, result FROM audit_auditevent WHERE actor = 'root' ORDER BY seq",
    )
    assert ("auth.login", "bad_otp") in events and ("auth.login", "ok") in events
