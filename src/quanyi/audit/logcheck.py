"""Checking checkpoint logs against the chain: every entry, not only the latest.

A log (the data dir's own, or a witness copy) must be a chain of authentic entries, each linked
to the one before; every checkpoint in it must still match the database's event at its seq,
unless a later approved fork abandoned it; and the database chain must reach the last signed
head. A witness copy must also agree with the data dir's log entry for entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quanyi.audit import checkpoints
from quanyi.audit.checkpoints import Entry
from quanyi.audit.models import AuditEvent


class Broken(Exception):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


@dataclass
class LogSummary:
    entries: int = 0
    checkpoints: int = 0
    alerts: int = 0
    head: Entry | None = None
    forks: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    abandoned: int = 0


def needed_seqs(*logs: list[Entry]) -> set[int]:
    return {entry.seq for log in logs for entry in log if entry.kind in checkpoints.HEAD_KINDS}


def check_log(entries: list[Entry], hashes: dict[int, str | None], label: str) -> LogSummary:
    """``hashes`` maps each needed seq to the database's hash at it (None: no such event)."""
    summary = LogSummary(entries=len(entries))
    previous = ""
    for index, entry in enumerate(entries, start=1):
        where_en = f"{label} entry {index} ({entry.kind}, event {entry.seq}, {entry.time})"
        where_zh = f"{label}第 {index} 条（{entry.kind}，事件 {entry.seq}，{entry.time}）"
        if entry.kind == "unreadable":
            raise Broken(
                f"{label}: {entry.details.get('file')} line {entry.details.get('line')}"
                " is not a signed entry",
                f"{label}：{entry.details.get('file')} 第 {entry.details.get('line')} 行不是"
                "已签名条目",
            )
        if not checkpoints.is_authentic(entry):
            raise Broken(f"{where_en} has a bad signature", f"{where_zh}签名无效")
        if entry.prev != previous:
            raise Broken(
                f"{where_en} does not link to the entry before it"
                " (an entry was removed, inserted or rewritten)",
                f"{where_zh}未链接到前一条（有条目被删除、插入或改写）",
            )
        previous = entry.digest
        if entry.kind == "alert":
            summary.alerts += 1
        if entry.kind == "fork":
            summary.forks.append({"time": entry.time, "restored_seq": entry.seq, **entry.details})
        if entry.kind == "checkpoint" and entry.details.get("accepted_by"):
            summary.accepted.append({"time": entry.time, "seq": entry.seq, **entry.details})
        if entry.kind in checkpoints.HEAD_KINDS:
            summary.head = entry
    _check_heads(entries, hashes, label, summary)
    return summary


def _check_heads(
    entries: list[Entry], hashes: dict[int, str | None], label: str, summary: LogSummary
) -> None:
    # A fork abandons every head signed before it beyond the restored seq.
    restored_after: list[int | None] = [None] * len(entries)
    floor: int | None = None
    for index in range(len(entries) - 1, -1, -1):
        restored_after[index] = floor
        entry = entries[index]
        if entry.kind == "fork":
            point = int(entry.details.get("fork_point", entry.seq))
            floor = point if floor is None else min(floor, point)
    last_seq = 0
    intact = 0  # the last signed seq whose event still has its signed hash
    for index, entry in enumerate(entries):
        if entry.kind not in checkpoints.HEAD_KINDS:
            continue
        limit = restored_after[index]
        if limit is not None and entry.seq > limit:
            summary.abandoned += 1
            continue
        if entry.kind == "checkpoint":
            summary.checkpoints += 1
            if entry.seq < last_seq:
                raise Broken(
                    f"{label}: checkpoint of event {entry.seq} ({entry.time}) goes back from"
                    f" event {last_seq} without a fork",
                    f"{label}：事件 {entry.seq} 的检查点（{entry.time}）未经分叉登记而回退自"
                    f"事件 {last_seq}",
                )
        last_seq = entry.seq
        stored = hashes.get(entry.seq)
        if stored is None:
            continue  # beyond the end of the chain: the caller reports the truncation
        if stored != entry.hash:
            suspects_en, suspects_zh = _suspects(intact + 1, entry.seq)
            raise Broken(
                f"event {entry.seq} differs from its signed checkpoint of {entry.time}"
                f" in the {label} (the chain was recomputed): the rewrite lies in events"
                f" {intact + 1}-{entry.seq}, which write {suspects_en}",
                f"事件 {entry.seq} 与{label}中 {entry.time} 的已签名检查点不符（链被重算）："
                f"改写发生在事件 {intact + 1}-{entry.seq} 之间，这些事件写入 {suspects_zh}",
            )
        intact = max(intact, entry.seq)


def _suspects(first: int, last: int, shown: int = 3) -> tuple[str, str]:
    """What the events of a rewritten span claim to write, by table: the candidates for the
    forgery (a checkpoint follows every command, so a span is one command's work)."""
    by_type: dict[str, list[tuple[int, str, int]]] = {}
    events = (
        AuditEvent.objects.filter(seq__gte=first, seq__lte=last)
        .exclude(object_type__in=("session", "system"))
        .order_by("seq")
        .values_list("seq", "object_type", "object_id", "rows")
    )
    for seq, object_type, object_id, rows in events.iterator(chunk_size=5000):
        by_type.setdefault(object_type, []).append((seq, object_id, rows))
    if not by_type:
        return "nothing but logins", "仅登录事件"
    parts = []
    for object_type, items in by_type.items():
        named = [
            f"{object_type} {object_id}" if object_id else f"{rows} {object_type} rows"
            for _, object_id, rows in items[:shown]
        ]
        events_text = ", ".join(str(seq) for seq, _, _ in items[:shown])
        more = f" … ({len(items)} events)" if len(items) > shown else ""
        parts.append(f"{'; '.join(named)} (event {events_text}){more}")
    text = "; ".join(parts)
    return text, text


def compare_witness(primary: list[Entry], witness: list[Entry], directory: Path) -> None:
    """Every entry the witness holds must be in the data dir's log, in the same order."""
    own = {entry.digest: index for index, entry in enumerate(primary)}
    last = -1
    for entry in witness:
        index = own.get(entry.digest)
        if index is None or index < last:
            raise Broken(
                f"the witness {directory} holds the {entry.kind} of event {entry.seq}"
                f" ({entry.time}) that the data dir's checkpoint log lacks"
                " (the log was rewritten or truncated)",
                f"见证副本 {directory} 存有事件 {entry.seq} 的{entry.kind}（{entry.time}），"
                "数据目录的检查点日志却没有（日志被改写或截断）",
            )
        last = index


def database_hashes(seqs: set[int]) -> dict[int, str | None]:
    found: dict[int, str | None] = dict.fromkeys(seqs)
    ordered = sorted(seqs)
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        for seq, value in AuditEvent.objects.filter(seq__in=chunk).values_list("seq", "hash"):
            found[seq] = value
    return found


def check_expected(expect: str, hashes: dict[int, str | None]) -> None:
    seq_text, _, hash_text = expect.partition(":")
    seq = int(seq_text)
    stored = hashes.get(seq)
    if stored is None:
        raise Broken(
            f"the chain does not reach event {seq} that you expect",
            f"链未到达您预期的事件 {seq}",
        )
    if stored != hash_text.strip().lower():
        raise Broken(
            f"event {seq} has hash {stored[:16]}…, not the {hash_text[:16]}… you expect"
            " (the chain was rewritten since you noted it)",
            f"事件 {seq} 的哈希为 {stored[:16]}…，而非您预期的 {hash_text[:16]}…"
            "（链在您记下之后被改写）",
        )


def parse_expect(text: str) -> tuple[int, str]:
    seq_text, sep, hash_text = text.partition(":")
    if not sep or not seq_text.strip().isdigit() or len(hash_text.strip()) != 64:
        raise ValueError(text)
    if int(seq_text) >= 2**63:
        raise ValueError(text)
    int(hash_text.strip(), 16)
    return int(seq_text), hash_text.strip().lower()
