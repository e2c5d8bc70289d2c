"""What ``quanyi audit verify|head|alerts --json`` print."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class Fork(Schema):
    """A restore from backup the log records: the head abandoned, the head restored, the last
    signed head both share, why, and who proposed and approved it."""

    model_config = ConfigDict(extra="allow")

    time: str
    restored_seq: int
    abandoned_seq: int | None = None
    abandoned_hash: str | None = None
    fork_point: int | None = None
    reason: str | None = None
    proposed_by: str | None = None
    approved_by: str | None = None


class Accepted(Schema):
    """Unsigned events a checkpoint accepted, by whom and why."""

    model_config = ConfigDict(extra="allow")

    time: str
    seq: int
    accepted_by: str
    reason: str | None = None


class VerifyReport(Schema):
    ok: bool
    events: int
    rows: dict[str, int]  # tracked rows checked, by type
    checkpoint_seq: int | None
    pending: int  # events after the last checkpoint
    seconds: float
    events_per_second: int
    problem: str | None
    findings: list[str]
    checkpoints: int
    alerts: int
    forks: list[Fork]
    accepted: list[Accepted]
    abandoned_checkpoints: int
    witnesses: list[str]
    since: int | None
    step_seconds: dict[str, float]


class Head(Schema):
    """The last signed head, and ``expect`` (``SEQ:HASH``) to check a copy against later."""

    seq: int
    hash: str
    time: str
    kind: str
    signature: str
    key_fingerprint: str
    expect: str
