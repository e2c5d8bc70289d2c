"""The checkpoint log: kept whole, chained, witnessed; a broken chain is never signed over; a
restore is a fork said out loud (001 art. 12, 28 (3); 000 §4 (1); DESIGN.md invariant 5; RFC
9162's consistency between signed heads). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from quanyi.audit import appendonly, checkpoints, forks
from quanyi.audit import services as audit
from quanyi.audit.alerts import alert_rows
from quanyi.audit.models import AuditEvent
from quanyi.audit.verify import verify
from quanyi.core.errors import QuanyiError
from quanyi.core.principal import Principal
from tests.audit import forgery
from tests.registry import builders

pytestmark = pytest.mark.django_db


def _event(principal: Principal, n: int = 1) -> None:
    for _ in range(n):
        audit.record(principal, "system.test", "system")


def _recompute_from(seq: int) -> None:
    """An attacker's rewrite of event ``seq`` with every later hash recomputed."""
    appendonly.disarm("audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = %s", [seq])
    forgery.relink_from(seq)
    appendonly.arm("audit_auditevent")


def _truncate_after(seq: int) -> None:
    appendonly.disarm("audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [seq])
    appendonly.arm("audit_auditevent")


def _log_lines() -> list[str]:
    [path] = checkpoints.checkpoint_dir().glob("*.jsonl")
    return path.read_text().splitlines()


def test_every_checkpoint_is_kept_and_linked_to_the_one_before(principal: Principal) -> None:
    _event(principal)
    first = checkpoints.write()
    _event(principal, 2)
    second = checkpoints.write()
    assert first and second and (first.seq, second.seq) == (1, 3)
    entries = checkpoints.read_log()
    assert [entry.seq for entry in entries] == [1, 3]
    assert entries[0].prev == "" and entries[1].prev == entries[0].digest
    assert verify().checkpoints == 2


def test_a_line_removed_from_the_log_is_named(principal: Principal) -> None:
    for _ in range(3):
        _event(principal)
        checkpoints.write()
    [path] = checkpoints.checkpoint_dir().glob("*.jsonl")
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    report = verify()
    assert not report.ok
    assert "checkpoint log entry 2 (checkpoint, event 3" in (report.problem or "")
    assert "does not link to the entry before it" in (report.problem or "")


def test_an_earlier_checkpoint_still_catches_a_rewrite_below_the_latest(
    principal: Principal,
) -> None:
    """Every checkpoint is checked, not only the latest: rewriting event 2 and recomputing the
    chain is named against the first checkpoint that covered it."""
    _event(principal, 2)
    checkpoints.write()
    _event(principal, 3)
    checkpoints.write()
    _recompute_from(2)
    report = verify()
    assert not report.ok
    assert "event 2 differs from its signed checkpoint" in (report.problem or "")
    assert "the rewrite lies in events 1-2" in (report.problem or "")


def test_a_rewritten_chain_is_refused_by_the_signer_and_alerted_once_by_the_timer(
    principal: Principal, caplog: pytest.LogCaptureFixture
) -> None:
    _event(principal, 4)
    signed = checkpoints.write()
    assert signed is not None
    _recompute_from(2)
    _event(principal)  # an ordinary write after the rewrite
    caplog.set_level(logging.ERROR, logger="quanyi.audit.checkpoints")
    for _ in range(3):
        with pytest.raises(checkpoints.ChainBroken) as refused:
            checkpoints.write(source="server timer", dedupe=True)
    assert "event 4 differs from its signed checkpoint" in str(refused.value)
    assert checkpoints.latest() == signed, "nothing was signed over the rewrite"
    assert [row.source for row in alert_rows()] == ["server timer"]
    assert "event 4 differs" in caplog.text
    assert not verify().ok


def test_truncation_is_refused_and_named(principal: Principal) -> None:
    _event(principal, 5)
    checkpoints.write()
    _truncate_after(3)
    refusal = checkpoints.guard()
    assert refusal is not None and "events 4-5 were removed" in refusal.en
    with pytest.raises(checkpoints.ChainBroken):
        checkpoints.write()
    assert "the chain ends at event 3 but checkpoint 5 was signed" in (verify().problem or "")


def test_an_event_inserted_after_the_signed_head_that_does_not_link_is_refused(
    principal: Principal,
) -> None:
    _event(principal, 2)
    checkpoints.write()
    _event(principal)
    appendonly.disarm("audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET result = 'forged' WHERE seq = 3")
    appendonly.arm("audit_auditevent")
    refusal = checkpoints.guard()
    assert refusal is not None and "event 3 does not link to the signed head" in refusal.en


def test_the_witness_catches_a_log_rewritten_with_and_without_the_key(
    principal: Principal, settings: object, tmp_path: Path
) -> None:
    witness = tmp_path / "witness"
    settings.QUANYI_CHECKPOINT_WITNESSES = [str(witness)]  # type: ignore[attr-defined]
    _event(principal, 3)
    checkpoints.write()
    _event(principal, 2)
    checkpoints.write()
    assert verify(witnesses=(witness,)).ok
    assert [json.loads(line)["seq"] for line in _log_lines()] == [3, 5]

    _recompute_from(2)
    settings.QUANYI_CHECKPOINT_WITNESSES = []  # type: ignore[attr-defined]
    # Without the key: the data dir's log is rewritten by hand to match the forged chain.
    [path] = checkpoints.checkpoint_dir().glob("*.jsonl")
    original = path.read_text()
    forged = [json.loads(line) for line in original.splitlines()]
    for line in forged:
        line["hash"] = AuditEvent.objects.get(seq=line["seq"]).hash
    path.write_text("".join(json.dumps(line) + "\n" for line in forged))
    assert "bad signature" in (verify().problem or "")

    # With the key: a fresh, validly signed log over the forged chain fools the data dir alone.
    path.unlink()
    checkpoints.write()
    assert verify().ok, "the key holder's own log agrees with the forged chain"
    report = verify(witnesses=(witness,))
    assert not report.ok
    assert "in the witness" in (report.problem or "")
    assert "differs from its signed checkpoint" in (report.problem or "")


def test_a_witness_missing_entries_of_the_data_dir_is_named(
    principal: Principal, settings: object, tmp_path: Path
) -> None:
    witness = tmp_path / "witness"
    settings.QUANYI_CHECKPOINT_WITNESSES = [str(witness)]  # type: ignore[attr-defined]
    _event(principal)
    checkpoints.write()
    [path] = checkpoints.checkpoint_dir().glob("*.jsonl")
    path.write_text("")  # the data dir's own log emptied
    report = verify(witnesses=(witness,))
    assert not report.ok
    assert "that the data dir's checkpoint log lacks" in (report.problem or "")
    assert not verify(witnesses=(tmp_path / "nowhere",)).ok


def test_the_expected_head_noted_on_paper(principal: Principal) -> None:
    _event(principal, 3)
    head = checkpoints.write()
    assert head is not None
    assert verify(expect=f"{head.seq}:{head.hash}").ok
    _recompute_from(2)
    Path(next(checkpoints.checkpoint_dir().glob("*.jsonl"))).unlink()
    checkpoints.write()  # re-signed by someone with the key
    report = verify(expect=f"{head.seq}:{head.hash}")
    assert not report.ok and f"event {head.seq} has hash" in (report.problem or "")
    with pytest.raises(ValueError):
        verify(expect="3:nothex")


def test_a_restore_is_a_fork_proposed_by_the_auditor_and_approved_by_the_secadmin(
    principal: Principal,
) -> None:
    _event(principal, 3)
    restored = audit.head()
    _event(principal, 3)
    checkpoints.write()  # the head the backup misses
    with pytest.raises(QuanyiError, match="no fork to record"):
        forks.propose("auditor", "restore", audit.head())
    _truncate_after(restored[0])  # the backup is restored
    assert checkpoints.guard() is not None
    with pytest.raises(QuanyiError, match="reason"):
        forks.propose("auditor", "   ", restored)
    proposal = forks.propose("auditor", "disk failure on 2026-11-29; restored last night", restored)
    assert checkpoints.guard() is not None, "a proposal alone signs nothing"
    with pytest.raises(QuanyiError, match="own fork"):
        forks.approve("auditor")
    fork = forks.approve("secadmin")
    assert fork.details["abandoned_seq"] == 6 and fork.seq == 3
    assert fork.details["fork_point"] == 0, "no head before the restored one was signed"
    assert fork.details["proposal"] == proposal.digest
    assert checkpoints.guard() is None
    _event(principal)
    checkpoints.write()
    report = verify()
    assert report.ok, report.problem
    assert report.abandoned == 1
    [recorded] = report.forks
    assert recorded["reason"].startswith("disk failure")
    assert recorded["proposed_by"] == "auditor" and recorded["approved_by"] == "secadmin"


def test_the_signing_key_may_live_outside_the_data_dir(
    principal: Principal, settings: object, tmp_path: Path
) -> None:
    key_file = tmp_path / "elsewhere" / "signing.key"
    settings.QUANYI_SIGNING_KEY_FILE = str(key_file)  # type: ignore[attr-defined]
    builders.person(principal)
    assert checkpoints.write() is not None
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not (checkpoints.key_dir() / checkpoints.PRIVATE_KEY).exists()
    assert (checkpoints.key_dir() / checkpoints.PUBLIC_KEY).exists()
    assert verify().ok


def test_a_daily_verify_since_a_signed_head_checks_what_changed_after_it(
    principal: Principal,
) -> None:
    """``audit verify --since SEQ``: the chain and rows after a signed head; an unsigned seq is
    refused; a rewrite before it is still caught against the log."""
    old = builders.person(principal, name="旧人")
    head = checkpoints.write()
    assert head is not None
    new = builders.person(principal, name="新人")
    checkpoints.write()
    report = verify(since=head.seq)
    assert report.ok, report.problem
    assert report.events == audit.head()[0] - head.seq
    assert report.rows_by_type["person"] == 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_person SET name = '李鬼' WHERE id = %s", [new.pk])
    assert f"person {new.pk} differs from its stored digest" in (
        verify(since=head.seq).problem or ""
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_person SET name = '新人' WHERE id = %s", [new.pk])
        cursor.execute("UPDATE registry_person SET name = '李鬼' WHERE id = %s", [old.pk])
    assert verify(since=head.seq).ok, "a row under an older event waits for the full verify"
    assert f"person {old.pk}" in (verify().problem or "")
    assert "no signed head at event 999" in (verify(since=999).problem or "")


def _forge_at_tail(when: datetime) -> None:
    """An insider appends a well-formed event at the tail, dated as they like."""
    seq, previous = audit.head()
    forgery.append_event(seq + 1, previous, when)


def test_an_old_or_future_event_at_the_tail_is_not_signed_until_the_auditor_accepts_it(
    principal: Principal,
) -> None:
    """Decision 0002's window holds for the signer too: an event older than the grace (an
    insider's append, or a server killed between two ticks) or dated in the future is refused;
    the auditor may accept it by name, and verify reports that for ever."""
    _event(principal)
    checkpoints.write()
    _forge_at_tail(datetime.now(UTC) - timedelta(minutes=30))
    with pytest.raises(checkpoints.ChainBroken, match="older than any unsigned event"):
        checkpoints.write()
    started = datetime.now(UTC) - timedelta(hours=1)
    assert checkpoints.guard(started) is None, "a command's own events may be older"
    accepted = checkpoints.write(accept=("auditor", "server killed at 03:00; events reviewed"))
    assert accepted is not None and accepted.details["accepted_by"] == "auditor"
    report = verify()
    assert report.ok and report.accepted[0]["reason"].startswith("server killed")
    _forge_at_tail(datetime.now(UTC) + timedelta(days=365))
    refusal = checkpoints.guard()
    assert refusal is not None and "dated in the future" in refusal.en


def test_a_deleted_log_is_not_started_again_over_old_events(principal: Principal) -> None:
    _event(principal)
    checkpoints.write()
    appendonly.disarm("audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET time = %s", [datetime.now(UTC) - timedelta(1)])
    appendonly.arm("audit_auditevent")
    for path in checkpoints.checkpoint_dir().glob("*.jsonl"):
        path.unlink()
    refusal = checkpoints.guard()
    assert refusal is not None and "the checkpoint log has no signed head" in refusal.en


def test_a_fork_does_not_cover_a_chain_rewritten_in_place(principal: Principal) -> None:
    _event(principal, 3)
    checkpoints.write()
    _event(principal, 2)
    checkpoints.write()
    _recompute_from(2)
    with pytest.raises(QuanyiError, match="a rewrite, not a restore"):
        forks.propose("auditor", "disk lost", audit.head())
