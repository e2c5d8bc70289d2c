"""A restore from backup said out loud (decision 0010): the auditor proposes a fork naming the
abandoned head (the last one the log signed), the restored head and the reason; the security
administrator — someone else — approves it. Only then does the log sign heads of the restored
chain again, and every later verify reports the fork.

The caller checks the roles (``audit.fork.propose`` / ``audit.fork.approve``); this module only
knows the log and the chain.
"""

from __future__ import annotations

from quanyi.audit import checkpoints, logcheck
from quanyi.audit.checkpoints import Entry
from quanyi.core.errors import QuanyiError

MAX_REASON = 1000


class ForkRefused(QuanyiError):
    code = "fork_refused"


def propose(actor: str, reason: str, restored: tuple[int, str]) -> Entry:
    """``restored``: the database's head as restored, taken before this command logged in (it
    may include logins made since the restore, which link to it)."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise ForkRefused(
            f"须说明恢复原因（1 至 {MAX_REASON} 个字符）",
            f"give the reason for the restore (1 to {MAX_REASON} characters)",
        )
    head = checkpoints.latest()
    if head is None or checkpoints.guard() is None:
        raise ForkRefused(
            "审计链仍经过最后一个已签名链头，无需登记分叉",
            "the chain still passes through the last signed head: there is no fork to record",
        )
    point = fork_point()
    refusal = checkpoints.passes_through(*point)
    if refusal is not None:
        raise ForkRefused(
            f"恢复后的链不经过与日志共同的最后一个已签名链头（事件 {point[0]}）：" + refusal.zh,
            f"the restored chain does not pass through the last signed head it shares with the"
            f" log (event {point[0]}): " + refusal.en,
        )
    return checkpoints.propose_fork(actor, reason, restored, point)


def fork_point() -> tuple[int, str]:
    """The newest signed head the database still has: where the restored chain leaves the log.
    Every signed head after it is abandoned by the fork (and reported by verify)."""
    heads = [entry for entry in checkpoints.read_log() if entry.kind in checkpoints.HEAD_KINDS]
    stored = logcheck.database_hashes({entry.seq for entry in heads})
    for entry in reversed(heads):
        if stored.get(entry.seq) == entry.hash:
            return entry.seq, entry.hash
    return 0, ""


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
