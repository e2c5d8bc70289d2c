"""The auditor's list of alerts (``quanyi audit alerts``, the 告警 screen). The checkpoint log's
refusals are the first kind; later checks add theirs by appending alerts to the same log."""

from __future__ import annotations

from ninja import Schema

from quanyi.audit import checkpoints
from quanyi.core.identifiers import mask_text


class AlertRow(Schema):
    time: str
    kind: str
    source: str
    actor: str
    reason: str
    reason_zh: str
    head_seq: int
    head_hash: str


def alert_rows() -> list[AlertRow]:
    """Newest first."""
    return [
        AlertRow(
            time=entry.time,
            kind=str(entry.details.get("kind", "chain_broken")),
            source=str(entry.details.get("source", "")),
            # A person logs in by id number: the auditor sees it masked.
            actor=mask_text(str(entry.details.get("actor", ""))),
            reason=str(entry.details.get("reason", "")),
            reason_zh=str(entry.details.get("reason_zh", "")),
            head_seq=entry.seq,
            head_hash=entry.hash,
        )
        for entry in reversed(checkpoints.alerts())
    ]
