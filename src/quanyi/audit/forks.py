"""A restore from backup said out loud (decision 0010): the auditor proposes a fork naming the
abandoned head (the last one the log signed), the restored head and the reason; the security
administrator — someone else — approves it. Only then does the log sign heads of the restored
chain again, and every later verify reports the fork.

The caller checks the roles (``audit.fork.propose`` / ``audit.fork.approve``); this module only
knows the log and the chain.
"""

from __future__ import annotations

from datetime import datetime

from quanyi.audit import checkpoints, logcheck
from quanyi.audit.checkpoints import Entry
from quanyi.audit.models import AuditEvent
from quanyi.core.errors import QuanyiError

MAX_REASON = 1000


class ForkRefused(QuanyiError):
    code = "fork_refused"


def propose(actor: str, reason: str, restored: tuple[int, str]) -> Entry:
    """``restored``: the database's head as restored, taken before this command logged in (it
    may include logins made since the restore, which link to it)."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON or not reason.isprintable():
        raise ForkRefused(
            f"须说明恢复原因（1 至 {MAX_REASON} 个可打印字符）",
            f"give the reason for the restore (1 to {MAX_REASON} printable characters)",
        )
    head = checkpoints.latest()
    if head is None or checkpoints.guard() is None:
        raise ForkRefused(
            "审计链仍经过最后一个已签名链头，无需登记分叉",
            "the chain still passes through the last signed head: there is no fork to record",
        )
    backup = _backup_head(head)
    if backup >= head.seq:
        raise ForkRefused(
            f"数据库仍有事件 {head.seq} 签名之前写入的全部事件（直至事件 {backup}）：这不是备份"
            "恢复，而是链被改写，不得以分叉掩盖",
            f"the database still holds every event written before event {head.seq} was signed"
            f" (up to event {backup}): that is a rewrite, not a restore, and a fork must not"
            " cover it",
        )
    point = fork_point(backup)
    refusal = checkpoints.passes_through(*point)
    if refusal is not None:
        raise ForkRefused(
            f"恢复后的链不经过与日志共同的最后一个已签名链头（事件 {point[0]}）：" + refusal.zh,
            f"the restored chain does not pass through the last signed head it shares with the"
            f" log (event {point[0]}): " + refusal.en,
        )
    return checkpoints.propose_fork(actor, reason, restored, point)


def _backup_head(head: Entry) -> int:
    """The last event written before the abandoned head was signed: the head of the backup.
    Logins since the restore come after it in time; a chain rewritten in place still holds
    events up to the signed seq."""
    signed_at = datetime.fromisoformat(head.time.replace("Z", "+00:00"))
    last = (
        AuditEvent.objects.filter(time__lte=signed_at)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return int(last or 0)


def fork_point(backup: int) -> tuple[int, str]:
    """The newest signed head at or before the backup's head, which the database must still
    hold unchanged — as must every signed head before it: a backup is a prefix of the signed
    chain. Every signed head after it is abandoned by the fork (and reported by verify)."""
    heads = [
        entry
        for entry in checkpoints.read_log()
        if entry.kind in checkpoints.HEAD_KINDS and entry.seq <= backup
    ]
    stored = logcheck.database_hashes({entry.seq for entry in heads})
    for entry in heads:
        if stored.get(entry.seq) != entry.hash:
            raise ForkRefused(
                f"恢复后的事件 {entry.seq} 与其 {entry.time} 的签名不符：备份应是已签名链的前段，"
                "这是改写，不得以分叉掩盖",
                f"restored event {entry.seq} differs from its signature of {entry.time}: a backup"
                " is a prefix of the signed chain, this is a rewrite and a fork must not cover it",
            )
    return (heads[-1].seq, heads[-1].hash) if heads else (0, "")


def approve(actor: str) -> Entry:
    proposal = checkpoints.pending_fork()
    if proposal is None:
        raise ForkRefused("没有待批准的分叉提议", "no fork proposal awaits approval")
    if proposal.details.get("proposed_by") == actor:
        raise ForkRefused(
            "提出分叉者不得自行批准（四眼原则）", "the proposer may not approve their own fork"
        )
    refusal = checkpoints.passes_through(proposal.seq, proposal.hash)
    if refusal is not None:
        raise ForkRefused(
            "数据库已不经过提议中的恢复链头：" + refusal.zh,
            "the database no longer passes through the proposed restored head: " + refusal.en,
        )
    fork = checkpoints.approve_fork(actor, proposal)
    checkpoints.write(source="cli audit fork approve")
    return fork
