"""``quanyi audit verify``: recompute the chain, check every checkpoint of the log (and of any
witness copy) against it, check every tracked row, the triggers and each domain's own checks.

It stops at the first problem and names it: later problems are usually consequences.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db.models import Max

from quanyi.audit import appendonly, checkpoints, checks, logcheck, tracking
from quanyi.audit.models import AuditEvent
from quanyi.audit.services import GENESIS, HASHED_FIELDS, event_hash
from quanyi.core import crypto
from quanyi.core.canonical import merkle_root_of_digests

UNSIGNED_GRACE = checkpoints.UNSIGNED_GRACE


@dataclass
class Expected:
    object_type: str
    object_id: str
    digest: str
    rows: int


@dataclass
class Report:
    events: int = 0
    rows: int = 0
    checkpoint_seq: int | None = None
    pending: int = 0
    seconds: float = 0.0
    chain_seconds: float = 0.0
    problem: str | None = None
    problem_zh: str | None = None
    rows_by_type: dict[str, int] = field(default_factory=dict)
    findings: list[checks.Finding] = field(default_factory=list)
    checkpoints: int = 0
    alerts: int = 0
    abandoned: int = 0
    forks: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    witnesses: list[str] = field(default_factory=list)
    since: int | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def events_per_second(self) -> float:
        """Events whose hash and link were recomputed per second of the chain pass."""
        return self.events / self.chain_seconds if self.chain_seconds else 0.0


class _Broken(Exception):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


# (step, done, total): "chain" counts events, "rows" the rows of the tracked tables.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 10000


def verify(
    progress: Progress | None = None,
    *,
    witnesses: tuple[Path, ...] = (),
    expect: str | None = None,
    since: int | None = None,
) -> Report:
    """``since``: check only what changed after that signed head — the events after it, the rows
    they wrote, the whole checkpoint log, the triggers and the checks registered as daily (a
    row edited in place under an older event waits for the full verify)."""
    report = Report(since=since)
    started = time.perf_counter()
    try:
        own_log = checkpoints.read_log()
        witness_logs = [(path, checkpoints.read_log(path)) for path in witnesses]
        anchor = _anchor(own_log, since)
        expected, superseded, last = _check_chain(report, progress, anchor)
        report.chain_seconds = report.step_seconds["chain"] = time.perf_counter() - started
        _timed(report, "checkpoints", _check_logs, report, last, own_log, witness_logs, expect)
        _timed(report, "rows", _check_rows, report, expected, superseded, since or 0, progress)
        # Last: a tampered row or event is the finding that matters; missing triggers come next.
        _timed(report, "triggers", _check_triggers)
        _timed(report, "domain checks", _run_registered_checks, report)
    except (_Broken, logcheck.Broken) as broken:
        report.problem, report.problem_zh = broken.en, broken.zh
        if not report.findings:
            report.findings.append(checks.Finding(broken.en, broken.zh))
    report.seconds = time.perf_counter() - started
    return report


def _timed(report: Report, step: str, work: Callable[..., None], *args: Any) -> None:
    started = time.perf_counter()
    try:
        work(*args)
    finally:
        report.step_seconds[step] = time.perf_counter() - started


def _anchor(log: list[checkpoints.Entry], since: int | None) -> tuple[int, str]:
    """Where the chain pass starts: genesis, or a signed head the database still holds."""
    if since is None:
        return 0, GENESIS
    signed = [e for e in log if e.kind in checkpoints.HEAD_KINDS and e.seq == since]
    if not signed:
        raise _Broken(
            f"--since {since}: no signed head at event {since} in the checkpoint log"
            " (quanyi audit head names one)",
            f"--since {since}：检查点日志中没有事件 {since} 的已签名链头（quanyi audit head 可查）",
        )
    stored = AuditEvent.objects.filter(seq=since).values_list("hash", flat=True).first()
    if stored != signed[-1].hash:
        raise _Broken(
            f"event {since} differs from its signed checkpoint (the chain was recomputed)",
            f"事件 {since} 与已签名检查点不符（链被重算）",
        )
    return since, stored


def _check_chain(
    report: Report, progress: Progress | None, anchor: tuple[int, str] = (0, GENESIS)
) -> tuple[dict[int, Expected], dict[int, list[tuple[int, str]]], tuple[int, str, datetime | None]]:
    tracked = set(tracking.tracked_models())
    expected: dict[int, Expected] = {}
    superseded: dict[int, list[tuple[int, str]]] = defaultdict(list)
    names = (*HASHED_FIELDS, "hash")
    previous_seq, previous_hash = anchor
    last_time: datetime | None = None
    total = (AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0) - previous_seq
    rows = (
        AuditEvent.objects.filter(seq__gt=previous_seq)
        .order_by("seq")
        .values_list(*names)
        .iterator(chunk_size=10000)
    )
    for row in rows:
        event = dict(zip(names, row, strict=True))
        seq = event["seq"]
        if seq != previous_seq + 1:
            raise _Broken(
                f"event {previous_seq + 1} is missing:"
                f" the chain jumps from {previous_seq} to {seq}",
                f"事件 {previous_seq + 1} 缺失：链从 {previous_seq} 跳到 {seq}",
            )
        if event_hash(event) != event["hash"]:
            raise _Broken(
                f"event {seq} was altered: its content does not match its hash",
                f"事件 {seq} 被篡改：内容与其哈希不符",
            )
        if event["prev_hash"] != previous_hash:
            raise _Broken(
                f"event {seq} does not link to event {previous_seq}"
                " (an event was inserted or replaced)",
                f"事件 {seq} 未链接到事件 {previous_seq}（有事件被插入或替换）",
            )
        if event["object_type"] in tracked and event["rows"]:
            expected[seq] = Expected(
                event["object_type"], event["object_id"], event["digest"], event["rows"]
            )
            if event["prior_seq"] is not None:
                superseded[event["prior_seq"]].append(
                    (int(event["object_id"]), event["prior_digest"])
                )
        previous_seq, previous_hash, last_time = seq, event["hash"], event["time"]
        report.events += 1
        if progress and report.events % PROGRESS_EVERY == 0:
            progress("chain", report.events, total)
    if progress:
        progress("chain", report.events, max(total, report.events))
    return expected, superseded, (previous_seq, previous_hash, last_time)


def _run_registered_checks(report: Report) -> None:
    """Every domain's own check (projections, access state); all their findings are kept. A
    verify ``--since`` runs only those registered as daily."""
    for check in checks.registered(daily_only=report.since is not None).values():
        report.findings.extend(check())
    if report.findings:
        first, more = report.findings[0], len(report.findings) - 1
        suffix_en = f" (and {more} more)" if more else ""
        suffix_zh = f"（另有 {more} 处）" if more else ""
        raise _Broken(first.en + suffix_en, first.zh + suffix_zh)


def _check_triggers() -> None:
    """Every append-only trigger present, enabled and as shipped (001 art. 12, 28 (3)): a
    disabled or rewritten trigger lets UPDATE through while it still exists by name."""
    problems = appendonly.trigger_problems()
    if not problems:
        return
    first = problems[0]
    group = [
        p for p in problems if (p.table, p.kind, p.state) == (first.table, first.kind, first.state)
    ]
    rest = [p for p in problems if p not in group]
    en, zh = _TRIGGER_PROBLEM[first.kind]
    state_en, state_zh = _TRIGGER_STATE.get(first.state, ("", ""))
    names = ", ".join(p.trigger for p in group)
    where = dict(table=first.table, triggers=names, state_en=state_en, state_zh=state_zh)
    more_en = more_zh = ""
    if rest:
        tables = ", ".join(sorted({p.table for p in rest}))
        more_en = f" (and {len(rest)} more, on {tables})"
        more_zh = f"（另有 {len(rest)} 处，涉及表 {tables}）"
    raise _Broken(en.format(**where) + more_en, zh.format(**where) + more_zh)


_TRIGGER_PROBLEM = {
    "missing": (
        "append-only triggers missing on {table}: {triggers}",
        "表 {table} 的只追加触发器缺失：{triggers}",
    ),
    "disabled": (
        "append-only triggers on {table} are {state_en}, so updates and deletes get through:"
        " {triggers}",
        "表 {table} 的只追加触发器{state_zh}，修改和删除不再被拒绝：{triggers}",
    ),
    "altered": (
        "append-only triggers on {table} were altered, their definitions are not the shipped"
        " ones (another function, a WHEN clause or another body): {triggers}",
        "表 {table} 的只追加触发器被改动，定义与发布版本不符（调用其他函数、附加 WHEN 条件或"
        "改写了内容）：{triggers}",
    ),
    "function": (
        "the function quanyi_refuse_change that the append-only triggers on {table} call was"
        " replaced: {triggers}",
        "表 {table} 的只追加触发器所调用的函数 quanyi_refuse_change 已被替换：{triggers}",
    ),
}
_TRIGGER_STATE = {
    "D": ("disabled", "已被停用"),
    "R": ("enabled for replication sessions only", "仅对复制会话启用"),
    "O": (
        "no longer ENABLE ALWAYS (a session with session_replication_role = replica skips them)",
        "不再是 ENABLE ALWAYS（session_replication_role = replica 的会话会跳过它们）",
    ),
}


def _check_logs(
    report: Report,
    last: tuple[int, str, datetime | None],
    own_log: list[checkpoints.Entry],
    witness_logs: list[tuple[Path, list[checkpoints.Entry]]],
    expect: str | None,
) -> None:
    last_seq, _, _ = last
    seqs = logcheck.needed_seqs(own_log, *(log for _, log in witness_logs))
    if expect:
        seqs.add(logcheck.parse_expect(expect)[0])
    hashes = logcheck.database_hashes(seqs)
    summary = logcheck.check_log(own_log, hashes, "checkpoint log")
    report.checkpoints, report.alerts = summary.checkpoints, summary.alerts
    report.forks, report.abandoned = summary.forks, summary.abandoned
    report.accepted = summary.accepted
    for directory, log in witness_logs:
        if directory.resolve() == checkpoints.checkpoint_dir().resolve():
            raise _Broken(
                f"{directory} is the data dir's own checkpoint log, not a witness",
                f"{directory} 是数据目录自己的检查点日志，不是见证副本",
            )
        if not log:
            raise _Broken(
                f"the witness {directory} holds no checkpoint log",
                f"见证目录 {directory} 中没有检查点日志",
            )
        logcheck.check_log(log, hashes, f"witness {directory}")
        logcheck.compare_witness(own_log, log, directory)
        report.witnesses.append(str(directory))
    if expect:
        logcheck.check_expected(expect, hashes)
    head = summary.head
    if head is None:
        if last_seq:
            _check_unsigned_tail(report, 1, last_seq)
        return
    report.checkpoint_seq = head.seq
    if last_seq < head.seq:
        raise _Broken(
            f"the chain ends at event {last_seq} but checkpoint {head.seq} was signed:"
            f" {_span_en(last_seq + 1, head.seq)} removed",
            f"链止于事件 {last_seq}，但已签名检查点 {head.seq}：事件 {last_seq + 1}"
            + (f"-{head.seq}" if head.seq > last_seq + 1 else "")
            + " 被删除",
        )
    if last_seq > head.seq:
        _check_unsigned_tail(report, head.seq + 1, last_seq)


def _span_en(first: int, last: int) -> str:
    return f"event {first} was" if first == last else f"events {first}-{last} were"


def _check_unsigned_tail(report: Report, first: int, last: int) -> None:
    cutoff = datetime.now(UTC) - UNSIGNED_GRACE
    stale = (
        AuditEvent.objects.filter(seq__gte=first, time__lt=cutoff)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if stale is not None:
        raise _Broken(
            f"event {stale} is not covered by any signed checkpoint"
            " (appended behind the application's back?)",
            f"事件 {stale} 不在任何已签名检查点内（疑似绕过应用追加）",
        )
    report.pending = last - first + 1


def _check_rows(
    report: Report,
    expected: dict[int, Expected],
    superseded: dict[int, list[tuple[int, str]]],
    since: int = 0,
    progress: Progress | None = None,
) -> None:
    """Stream each tracked table in (audit_seq, pk) order: rows of one event are contiguous, so
    each event's leaves are checked and dropped before the next (memory stays flat at scale).

    Two checks (decision 0009): each row's content must give the digest the row stores — else
    the row is named; then the stored digests of an event's rows, with the versions later
    events replaced, must give the event's digest (its Merkle root) — else the event is named,
    for someone rewrote a row's content and its digest together."""
    leaf_bytes = tracking.leaf_bytes
    # The rows the events claim, less the versions later events replaced: what the tables hold.
    total = sum(claim.rows for claim in expected.values()) - sum(map(len, superseded.values()))
    done = 0
    for object_type, model in tracking.tracked_models().items():
        fields = tracking.fields_of(model)
        table = model._meta.db_table
        queryset = model._default_manager.all()
        if since:
            queryset = queryset.filter(audit_seq__gt=since)
        rows = (
            queryset.order_by("audit_seq", "pk")
            .values_list("pk", "audit_seq", tracking.DIGEST_COLUMN, *fields)
            .iterator(chunk_size=10000)
        )
        seen: set[int] = set()
        group_seq: int | None = None
        leaves: list[tuple[int, bytes]] = []
        count = 0
        for row in _opened(rows, queryset, fields, object_type, table):
            pk, seq, stored = row[0], row[1], row[2]
            claim = expected.get(seq) if seq is not None else None
            if claim is None or claim.object_type != object_type:
                raise _Broken(
                    f"{object_type} {pk} was written without an audit event"
                    " (inserted or changed behind the application's back)",
                    f"{object_type} {pk} 无对应审计事件（绕过应用插入或修改）",
                )
            if stored is None:
                raise _Broken(
                    f"{object_type} {pk} has no stored digest (table {table};"
                    " changed behind the application's back)",
                    f"{object_type} {pk} 缺少存储的摘要（表 {table}；绕过应用修改）",
                )
            stored = bytes(stored)
            if leaf_bytes(object_type, fields, pk, row[3:]) != stored:
                raise _Broken(
                    f"{object_type} {pk} differs from its stored digest (table {table};"
                    " changed behind the application's back)",
                    f"{object_type} {pk} 与其存储的摘要不符（表 {table}；绕过应用修改）",
                )
            if seq != group_seq:
                if group_seq is not None:
                    _compare(group_seq, expected[group_seq], leaves + _older(superseded, group_seq))
                group_seq, leaves = seq, []
                seen.add(seq)
            leaves.append((pk, stored))
            count += 1
            if progress and (done + count) % PROGRESS_EVERY == 0:
                progress("rows", done + count, max(total, done + count))
        done += count
        if group_seq is not None:
            _compare(group_seq, expected[group_seq], leaves + _older(superseded, group_seq))
        report.rows += count
        report.rows_by_type[object_type] = count
        for seq, claim in sorted(expected.items()):
            if claim.object_type == object_type and seq not in seen:
                _compare(seq, claim, _older(superseded, seq))
    if progress:
        progress("rows", done, max(total, done))


def _opened(
    rows: Iterator[tuple[Any, ...]],
    queryset: Any,
    fields: tuple[str, ...],
    object_type: str,
    table: str,
) -> Iterator[tuple[Any, ...]]:
    """The rows, or the first whose sealed value (``core.crypto``) does not decrypt, named: it
    was written behind the application's back (plaintext, or bytes that are no ciphertext of
    its keys). Only then is the table read again to find which row it is."""
    try:
        yield from rows
    except crypto.Unreadable:
        pk = _first_unreadable(queryset.order_by("audit_seq", "pk"), fields)
        raise _Broken(
            f"{object_type} {pk} holds a sealed value that does not decrypt (table {table};"
            " changed behind the application's back)",
            f"{object_type} {pk} 的加密字段无法解密（表 {table}；绕过应用修改）",
        ) from None


def _first_unreadable(queryset: Any, fields: tuple[str, ...]) -> int | None:
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), 1000):
        chunk = pks[start : start + 1000]
        try:
            list(queryset.filter(pk__in=chunk).values_list(*fields))
            continue
        except crypto.Unreadable:
            pass
        for pk in chunk:
            try:
                list(queryset.filter(pk=pk).values_list(*fields))
            except crypto.Unreadable:
                return int(pk)
    return None


def _older(superseded: dict[int, list[tuple[int, str]]], seq: int) -> list[tuple[int, bytes]]:
    """The versions event ``seq`` wrote that later single-row events replaced, as leaves."""
    return [(pk, bytes.fromhex(digest)) for pk, digest in superseded.get(seq, [])]


def _compare(seq: int, claim: Expected, leaves: list[tuple[int, bytes]]) -> None:
    leaves.sort()
    kind = claim.object_type
    # A batch of one row names no object: its row is named by the id it has.
    if claim.rows == 1 and (claim.object_id or len(leaves) == 1):
        name = claim.object_id or str(leaves[0][0])
        if not leaves:
            raise _Broken(
                f"{kind} {name} is missing (deleted behind the application's"
                f" back; last written by event {seq})",
                f"{kind} {name} 缺失（绕过应用删除；最后由事件 {seq} 写入）",
            )
        if len(leaves) != 1 or str(leaves[0][0]) != name:
            raise _Broken(
                f"{kind} {name} differs from audit event {seq}"
                " (changed behind the application's back)",
                f"{kind} {name} 与审计事件 {seq} 不符（绕过应用修改）",
            )
        if leaves[0][1].hex() != claim.digest:
            raise _Broken(
                f"the digest of {kind} {name} was rewritten: the rows of audit event"
                f" {seq} no longer match its Merkle root (content and digest changed together"
                " behind the application's back)",
                f"{kind} {name} 的摘要被改写：审计事件 {seq} 的行与其默克尔根不符"
                "（内容与摘要一同被绕过应用修改）",
            )
        return
    if len(leaves) != claim.rows:
        raise _Broken(
            f"the {claim.rows} {kind} rows of audit event {seq} no longer match it"
            f" ({len(leaves)} found; deleted or inserted behind the application's back)",
            f"审计事件 {seq} 的 {claim.rows} 行 {kind} 数据不符（现有 {len(leaves)} 行；"
            "绕过应用被删除或插入）",
        )
    if merkle_root_of_digests([leaf for _, leaf in leaves]) != claim.digest:
        raise _Broken(
            f"the digest of a {kind} row was rewritten: the {claim.rows} {kind} rows of audit"
            f" event {seq} no longer match its Merkle root (a row's content and digest changed"
            " together behind the application's back)",
            f"{kind} 行的摘要被改写：审计事件 {seq} 的 {claim.rows} 行 {kind} 数据与其默克尔根"
            "不符（某行内容与摘要一同被绕过应用修改）",
        )
