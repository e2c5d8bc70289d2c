"""Attacks by someone with write access to the database, done as they would do them (raw SQL,
triggers dropped and put back, hashes recomputed with the project's own functions), each
followed by the ordinary commands that would sign a checkpoint: every one is caught by ``audit
verify`` (exit 1) naming the table and row, nothing later writes or signs over it, and every
refusal is an alert the auditor sees (001 art. 9, 12, 25, 28 (3); 000 §4 (1); DESIGN.md
invariant 5). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Instance
from tests.helpers import plain_query, quanyi, query, raw_sql

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(instance: Instance) -> Instance:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "30", "--employers", "3", "--years", "2", "--seed", "3")
    return instance


def forge(instance: Instance, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tests.audit.forgery", *args],
        env=instance.env(),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )


def chain_length(instance: Instance) -> int:
    return int(query(instance, "SELECT MAX(seq) FROM audit_auditevent")[0][0])


def signed_heads(instance: Instance) -> list[tuple[str, int]]:
    lines = []
    for path in sorted((instance.data_dir / "checkpoints").glob("*.jsonl")):
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(line["kind"], line["seq"]) for line in lines if line["kind"] != "alert"]


def a_person(instance: Instance) -> tuple[int, str]:
    pk, number = plain_query(
        instance, "SELECT id, id_number FROM registry_person ORDER BY id LIMIT 1"
    )[0]
    return int(pk), str(number)


def verify_fails(instance: Instance, *fragments: str) -> str:
    done = quanyi(instance, "audit", "verify", "--as", "auditor", check=False)
    assert done.returncode == 1, done.stdout
    for fragment in fragments:
        assert fragment in done.stderr, done.stderr
    return done.stderr


def assert_never_signed_over(instance: Instance, number: str, reason: str) -> None:
    """The commands an ordinary day brings are refused before they write anything (not even a
    login), nothing is signed, and each refusal is an alert."""
    length, heads = chain_length(instance), signed_heads(instance)
    for args in (
        ("record", "show", number, "--as", "querier"),
        ("case", "list", "--as", "operator"),
        ("audit", "checkpoint", "--as", "auditor"),
        ("demo", "--persons", "5", "--employers", "1"),
    ):
        done = quanyi(instance, *args, check=False)
        assert done.returncode == 1, (args, done.stdout)
        assert reason in done.stderr, (args, done.stderr)
    assert chain_length(instance) == length, "a refused command wrote to the chain"
    assert signed_heads(instance) == heads, "a refused command signed a checkpoint"
    alerts = json.loads(quanyi(instance, "audit", "alerts", "--json", "--as", "auditor").stdout)
    sources = {alert["source"] for alert in alerts}
    assert {"cli record show", "cli case list", "cli audit checkpoint", "cli demo"} <= sources
    assert all(reason in alert["reason"] for alert in alerts)


def test_a_name_rewritten_with_the_chain_recomputed_is_never_signed(demo: Instance) -> None:
    pk, number = a_person(demo)
    forge(demo, "rewrite", "person", str(pk), "name", "李鬼")
    assert query(demo, f"SELECT name FROM registry_person WHERE id = {pk}")[0][0] == "李鬼"
    assert_never_signed_over(demo, number, "differs from its signed checkpoint")
    verify_fails(demo, "differs from its signed checkpoint", "person rows")


def test_a_truncated_tail_is_never_signed(demo: Instance) -> None:
    _, number = a_person(demo)
    keep = chain_length(demo) - 3
    forge(demo, "truncate", str(keep))
    assert_never_signed_over(demo, number, "removed")
    verify_fails(demo, "removed")


def _copy_database(instance: Instance, source: str, target: str) -> None:
    """A backup and its restore: the SQLite file copied, or a PostgreSQL database re-created
    from another as template."""
    if instance.database_url.startswith("sqlite"):
        import sqlite3

        folder = Path(instance.database_url.removeprefix("sqlite:///")).parent
        with sqlite3.connect(folder / source) as origin, sqlite3.connect(folder / target) as copy:
            origin.backup(copy)
        return
    import psycopg

    with psycopg.connect(os.environ["QUANYI_TEST_DATABASE_URL"], autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')  # type: ignore[arg-type]
        admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')  # type: ignore[arg-type]


def test_a_restore_from_backup_is_a_fork_the_auditor_and_secadmin_record(
    demo: Instance,
) -> None:
    """Decision 0002's restore, said out loud: refused until the auditor proposes and the
    security administrator approves; afterwards work goes on and verify reports the fork."""
    _, number = a_person(demo)
    name = demo.database_url.rsplit("/", 1)[1]
    _copy_database(demo, name, name + "_backup")
    for _ in range(2):
        quanyi(demo, "record", "show", number, "--as", "querier")  # work the backup misses
    abandoned = chain_length(demo)
    _copy_database(demo, name + "_backup", name)
    assert quanyi(demo, "record", "show", number, "--as", "querier", check=False).returncode == 1
    refused = quanyi(demo, "audit", "fork", "approve", "--as", "secadmin", check=False)
    assert refused.returncode == 1 and "no fork proposal" in refused.stderr
    by_secadmin = quanyi(
        demo, "audit", "fork", "propose", "--reason", "x", "--as", "secadmin", check=False
    )
    assert by_secadmin.returncode == 1 and "only the security auditor" in by_secadmin.stderr
    quanyi(
        demo,
        "audit",
        "fork",
        "propose",
        "--reason",
        "disk lost; backup of 02:00",
        "--as",
        "auditor",
    )
    approved = quanyi(demo, "audit", "fork", "approve", "--as", "secadmin")
    assert f"head at event {abandoned} abandoned" in approved.stdout
    quanyi(demo, "record", "show", number, "--as", "querier")
    done = quanyi(demo, "audit", "verify", "--as", "auditor")
    assert "audit verify: OK" in done.stdout
    assert "fork (restore from backup)" in done.stderr and "disk lost" in done.stderr


def test_a_witness_and_the_printed_head_outlive_a_rewrite_by_the_key_holder(
    instance: Instance, tmp_path: Path
) -> None:
    """Someone with the database, the data dir and the key rewrites the chain and re-signs a
    fresh log: only the witness copy and the head the auditor wrote down still disagree."""
    witness = tmp_path / "witness"
    env = {"QUANYI_CHECKPOINT_WITNESSES": str(witness)}
    quanyi(instance, "init", env=env)
    quanyi(instance, "demo", "--persons", "20", "--employers", "2", "--years", "1", env=env)
    head = json.loads(
        quanyi(instance, "audit", "head", "--json", "--as", "auditor", env=env).stdout
    )
    pk, _ = a_person(instance)
    forge(instance, "rewrite", "person", str(pk), "name", "李鬼")
    for path in (instance.data_dir / "checkpoints").glob("*.jsonl"):
        path.unlink()
    quanyi(instance, "case", "list", "--as", "operator")  # signs a fresh log over the forgery
    assert quanyi(instance, "audit", "verify", "--as", "auditor").returncode == 0
    done = quanyi(
        instance, "audit", "verify", "--witness", str(witness), "--as", "auditor", check=False
    )
    assert done.returncode == 1 and f"witness {witness}" in done.stderr
    done = quanyi(
        instance, "audit", "verify", "--expect", head["expect"], "--as", "auditor", check=False
    )
    assert done.returncode == 1 and f"event {head['seq']} has hash" in done.stderr


def test_checkpoints_are_the_auditors_alone(demo: Instance) -> None:
    for user in ("sysadmin", "dba"):
        done = quanyi(demo, "audit", "checkpoint", "--as", user, check=False)
        assert done.returncode == 1 and "only the security auditor" in done.stderr
    assert "checkpoint at event" in quanyi(demo, "audit", "checkpoint", "--as", "auditor").stdout


def test_raw_sql_on_a_person_is_named_and_not_laundered(demo: Instance) -> None:
    pk, number = a_person(demo)
    raw_sql(demo, f"UPDATE registry_person SET name = '李鬼' WHERE id = {pk}")
    verify_fails(demo, "person")
    quanyi(demo, "record", "show", number, "--as", "querier")  # signs a checkpoint
    verify_fails(demo, "person")


def test_access_tables_changed_behind_the_back_are_named(demo: Instance) -> None:
    """001 art. 25, 26: a password hash copied onto the sysadmin, an account renamed, the
    superuser flag set, a second-factor secret swapped, lockout rows deleted — each named by
    user, and still named after the forged credentials were used to log in."""
    ids = dict(query(demo, "SELECT username, id FROM auth_user"))
    raw_sql(
        demo,
        "UPDATE auth_user SET password = (SELECT password FROM auth_user"
        " WHERE username = 'querier') WHERE username = 'sysadmin'",
        "UPDATE auth_user SET username = 'operat0r' WHERE username = 'operator'",
        "UPDATE auth_user SET is_superuser = TRUE WHERE username = 'reviewer'",
        "UPDATE otp_totp_totpdevice SET key = (SELECT key FROM otp_totp_totpdevice d"
        f" WHERE d.user_id = {ids['dba']}) WHERE user_id = {ids['secadmin']}",
    )
    stderr = verify_fails(demo, "credentials differ from audit event")
    for username, pk in (
        ("sysadmin", ids["sysadmin"]),
        ("operat0r", ids["operator"]),
        ("reviewer", ids["reviewer"]),
        ("secadmin", ids["secadmin"]),
    ):
        assert f"auth_user {pk} ({username})" in stderr, stderr
    quanyi(demo, "record", "show", a_person(demo)[1], "--as", "reviewer")  # signs over it
    verify_fails(demo, f"auth_user {ids['reviewer']} (reviewer)")


def test_a_disabled_or_loosened_trigger_is_named(demo: Instance) -> None:
    """DESIGN.md invariant 5: triggers present, enabled and unaltered."""
    if demo.database_url.startswith("sqlite"):
        raw_sql(
            demo,
            "DROP TRIGGER contributions_line_no_update",
            "CREATE TRIGGER contributions_line_no_update BEFORE UPDATE ON contributions_line"
            " WHEN 0 BEGIN SELECT RAISE(ABORT, 'no'); END",
        )
    else:
        raw_sql(demo, "ALTER TABLE contributions_line DISABLE TRIGGER contributions_line_no_update")
    raw_sql(demo, "UPDATE contributions_line SET employee_fen = employee_fen WHERE id = 1")
    verify_fails(demo, "contributions_line")
    quanyi(demo, "init")  # any migrate repairs the triggers
    quanyi(demo, "audit", "verify", "--as", "auditor")


def test_forged_projections_are_named_and_not_laundered(demo: Instance) -> None:
    """001 art. 6 ¶4: a balance and contribution months forged by raw SQL; the record would show
    them, verify recomputes them from the ledgers and names each row."""
    person, year = query(
        demo, "SELECT person_id, year FROM personal_accounts_yearbalance ORDER BY id LIMIT 1"
    )[0]
    raw_sql(
        demo,
        "UPDATE personal_accounts_yearbalance SET closing_fen = closing_fen + 99999900"
        f" WHERE person_id = {person} AND year = {year}",
        f"UPDATE personal_accounts_paidmonths SET months = months + 12 WHERE person_id = {person}",
    )
    number = plain_query(demo, f"SELECT id_number FROM registry_person WHERE id = {person}")[0][0]
    quanyi(demo, "record", "show", number, "--as", "querier")  # signs a checkpoint
    stderr = verify_fails(demo, f"account of person {person} in {year}")
    assert "personal_accounts_yearbalance" in stderr
    assert "personal_accounts_paidmonths" in stderr


def test_a_logged_read_removed_behind_the_back_is_named(demo: Instance) -> None:
    """001 art. 21: who looked at a record cannot be erased from the query log."""
    number = a_person(demo)[1]
    quanyi(demo, "record", "show", number, "--as", "querier")
    quanyi(demo, "record", "show", number, "--as", "reviewer")
    quanyi(demo, "audit", "verify", "--as", "auditor")
    (first,) = query(demo, "SELECT MIN(id) FROM records_querylogentry WHERE actor = 'querier'")[0]
    if demo.database_url.startswith("sqlite"):
        raw_sql(
            demo,
            "DROP TRIGGER records_querylogentry_no_delete",
            f"DELETE FROM records_querylogentry WHERE id = {first}",
        )
    else:
        raw_sql(
            demo,
            "ALTER TABLE records_querylogentry DISABLE TRIGGER USER",
            f"DELETE FROM records_querylogentry WHERE id = {first}",
            "ALTER TABLE records_querylogentry ENABLE TRIGGER USER",
        )
    quanyi(demo, "init")  # puts the trigger back
    verify_fails(demo, f"missing {first}")
