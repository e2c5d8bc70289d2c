"""Identities encrypted at rest, on a whole instance (DESIGN.md invariant 9; GB/T 22239-2019
8.1.4.8; PIPL art. 51): a raw read of the database file (or a dump) finds no id number and no
phone number, lookups by id number still work, the master key rotates and survives ``kill -9``
mid-way, and a missing or wrong key file is a one-line error."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Instance, on_postgresql
from tests.helpers import QUANYI, demo_login, plain_query, quanyi, query

pytestmark = pytest.mark.subprocess


def identities(instance: Instance) -> tuple[list[str], list[str]]:
    rows = plain_query(instance, "SELECT id_number, phone FROM registry_person ORDER BY id")
    return [row[0] for row in rows], [row[1] for row in rows if row[1]]


def stored_bytes(instance: Instance) -> bytes:
    """Everything the database keeps: the SQLite file with its WAL and shared memory, or a
    ``pg_dump`` of the PostgreSQL database."""
    if not on_postgresql():
        database = Path(instance.database_url.removeprefix("sqlite:///"))
        parts = [database.with_name(database.name + s) for s in ("", "-wal", "-shm")]
        return b"".join(part.read_bytes() for part in parts if part.exists())
    dump = subprocess.run(
        ["pg_dump", "--no-owner", instance.database_url],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return dump.stdout


def test_a_demo_database_holds_no_id_number_and_no_phone_in_clear(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "60", "--employers", "4", "--years", "2", "--seed", "9")
    numbers, phones = identities(instance)
    assert len(numbers) == 60 and len(phones) > 30
    # Lookups by id number work: the record, and a change case found by the number.
    number = numbers[0]
    record = json.loads(quanyi(instance, "record", "show", number, "--as", "querier").stdout)
    assert record["person"]["id_number"] == number[:6] + "********" + number[14:]
    change = {"id_number": number.lower(), "phone": "13612345678"}
    case = json.loads(
        quanyi(
            instance,
            "case",
            "submit",
            "person.change",
            "--data",
            json.dumps(change),
            "--as",
            "operator",
        ).stdout
    )
    for role in ("reviewer", "approver"):
        quanyi(instance, "case", "act", str(case["id"]), "approve", "--as", role)
    assert ("13612345678",) in plain_query(
        instance, "SELECT phone FROM registry_person ORDER BY id LIMIT 1"
    )

    stored = stored_bytes(instance)
    assert len(stored) > 100_000
    found = [value for value in [*numbers, *phones, "13612345678"] if value.encode() in stored]
    assert found == [], f"{len(found)} identities in clear, e.g. {found[:3]}"
    assert "audit verify: OK" in quanyi(instance, "audit", "verify", "--as", "auditor").stdout


def test_init_keeps_the_data_dir_and_files_to_the_service_account(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "5", "--employers", "2", "--years", "1", "--seed", "2")
    data = instance.data_dir

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(data) == 0o700 and mode(data / "data.key") == 0o600
    if not on_postgresql():
        assert mode(data / "quanyi.sqlite3") == 0o600
    passed = quanyi(instance, "security", "check", "--as", "sysadmin")
    assert "service account only" in passed.stdout
    data.chmod(0o755)
    (data / "data.key").chmod(0o644)
    failed = quanyi(instance, "security", "check", "--as", "sysadmin", check=False)
    assert failed.returncode == 1
    assert f"{data}: mode 755" in failed.stderr and "data.key: mode 644" in failed.stderr
    quanyi(instance, "init")  # puts the modes right again
    assert mode(data) == 0o700 and mode(data / "data.key") == 0o600


def rotate_until_paused(instance: Instance, point: str) -> None:
    """Start ``keys rotate``, wait until it stops at ``point``, then ``kill -9`` it."""
    env = instance.env(**demo_login(instance, "secadmin"), QUANYI_KEYS_ROTATE_PAUSE=point)
    process = subprocess.Popen(
        [QUANYI, "keys", "rotate", "--as", "secadmin"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert f"paused {point}" in line, line + process.stderr.read()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_keys_rotate_survives_kill_9_and_finishes_when_run_again(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "8", "--employers", "2", "--years", "1", "--seed", "4")
    key, pending = instance.data_dir / "data.key", instance.data_dir / "data.key.new"
    original = key.read_text()
    number = identities(instance)[0][0]

    def readable() -> None:
        body = json.loads(quanyi(instance, "record", "show", number, "--as", "querier").stdout)
        assert body["person"]["id_number"].startswith(number[:6])

    refused = quanyi(instance, "keys", "rotate", "--as", "sysadmin", check=False)
    assert refused.returncode == 1 and "security administrator" in refused.stderr

    # Killed after writing the new key, before re-wrapping: the old key still opens everything.
    rotate_until_paused(instance, "written")
    assert pending.exists() and key.read_text() == original
    readable()
    # Killed after the re-wrap committed, before the rename: the rows name the new key, which
    # readers find in the .new file.
    rotate_until_paused(instance, "committed")
    assert pending.exists() and key.read_text() == original
    readable()
    done = quanyi(instance, "keys", "rotate", "--as", "secadmin")
    assert "2 data keys" in done.stdout and "interrupted rotation finished" in done.stdout
    assert not pending.exists() and key.read_text() != original
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    readable()
    # Once more, adding a data key: new values use it, old ones keep theirs.
    added = quanyi(instance, "keys", "rotate", "--new-data-key", "--as", "secadmin")
    assert "3 data keys" in added.stdout and "data key 3 added" in added.stdout
    change = {"id_number": number, "phone": "13512345678"}
    case = json.loads(
        quanyi(
            instance,
            *("case", "submit", "person.change", "--data", json.dumps(change)),
            *("--as", "operator"),
        ).stdout
    )
    for role in ("reviewer", "approver"):
        quanyi(instance, "case", "act", str(case["id"]), "approve", "--as", role)
    from quanyi.core import crypto

    ((phone,),) = query(instance, "SELECT phone FROM registry_person ORDER BY id LIMIT 1")
    assert crypto.key_id_of(bytes(phone)) == 3
    assert plain_query(instance, "SELECT phone FROM registry_person ORDER BY id LIMIT 1") == [
        ("13512345678",)
    ]
    readable()
    verified = quanyi(instance, "audit", "verify", "--json", "--as", "auditor")
    assert json.loads(verified.stdout)["ok"]


def test_a_missing_or_wrong_master_key_is_a_clear_error(instance: Instance) -> None:
    quanyi(instance, "init")
    quanyi(instance, "demo", "--persons", "3", "--employers", "1", "--years", "1", "--seed", "6")
    number = identities(instance)[0][0]
    key = instance.data_dir / "data.key"
    kept = key.read_text()

    key.unlink()
    missing = quanyi(instance, "record", "show", number, "--as", "querier", check=False)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"the master key file {key} is missing" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    # init never makes a new key for a database that has data keys: it would lose them all.
    again = quanyi(instance, "init", check=False)
    assert again.returncode == 1 and "is missing" in again.stderr and not key.exists()

    from quanyi.core import crypto

    crypto.write_master(key, crypto.new_key())
    wrong = quanyi(instance, "record", "show", number, "--as", "querier", check=False)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert "is not the one that wraps this database's data keys" in wrong.stderr

    key.write_text(kept)
    quanyi(instance, "record", "show", number, "--as", "querier")
