"""``quanyi audit``: verify, checkpoint, head, alerts, fork. Each command names the permission
the dispatcher checks after login (``audit`` imports nothing above ``core``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from quanyi.audit import checkpoints, forks
from quanyi.audit.alerts import alert_rows
from quanyi.audit.logcheck import parse_expect
from quanyi.audit.schemas import Head, VerifyReport
from quanyi.audit.verify import verify
from quanyi.core import progress
from quanyi.core.bounds import MAX_ID, argument
from quanyi.core.commands import command, fail, group, print_json
from quanyi.core.errors import current_language


def register(sub: Any) -> None:
    audit_sub = group(sub, "audit", "the tamper-evident audit chain")
    verify = command(
        audit_sub,
        "verify",
        _verify,
        permission="audit.verify",
        guarded=False,
        help="recompute the chain, check every checkpoint, tracked row, trigger and projection",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="DIR",
        help="also check this independent copy of the checkpoint log (repeatable)",
    )
    verify.add_argument(
        "--since",
        type=argument(0, MAX_ID),
        metavar="SEQ",
        help="daily check: only what changed after this signed head (see audit head)",
    )
    verify.add_argument(
        "--expect",
        metavar="SEQ:HASH",
        help="the chain must still pass through this head (as printed by audit head)",
    )
    checkpoint = command(
        audit_sub,
        "checkpoint",
        _checkpoint,
        permission="audit.checkpoint",
        guarded=lambda args: args.accept is None,
        help="sign a checkpoint of the chain head now (auditor; refused over a broken chain)",
    )
    checkpoint.add_argument(
        "--accept",
        metavar="REASON",
        help="sign unsigned events older than the grace after looking at them (a server killed"
        " between two checkpoints, an upgrade); verify reports it ever after",
    )
    head = command(
        audit_sub,
        "head",
        _head,
        permission="audit.verify",
        guarded=False,
        help="print the last signed head (seq, hash, time, signature) to keep on paper",
    )
    head.add_argument("--json", action="store_true", help="print it as JSON")
    alerts = command(
        audit_sub,
        "alerts",
        _alerts,
        permission="audit.read",
        guarded=False,
        help="the alerts of the checkpoint log: refusals to sign or to write, readers stopped"
        " for looking up too many id numbers",
    )
    alerts.add_argument("--json", action="store_true", help="print them as JSON")
    fork = audit_sub.add_parser("fork", help="record a restore from backup as a fork")
    fork_sub = fork.add_subparsers(dest="fork_command", required=True, metavar="STEP")
    propose = command(
        fork_sub,
        "propose",
        _fork_propose,
        permission="audit.fork.propose",
        guarded=False,
        help="the auditor names the restore: abandoned head, restored head, reason",
    )
    propose.add_argument("--reason", required=True, help="why the database was restored")
    command(
        fork_sub,
        "approve",
        _fork_approve,
        permission="audit.fork.approve",
        guarded=False,
        help="the security administrator approves the auditor's fork proposal",
    )


def _verify(args: argparse.Namespace) -> int:

    try:
        expect = _expect(args.expect)
    except ValueError:
        return fail(
            "audit verify: --expect 须为 序号:哈希（64 位十六进制）"
            if current_language() == "zh"
            else "audit verify: --expect must be SEQ:HASH (64 hex digits)"
        )
    zh = current_language() == "zh"
    steps = {
        "chain": "审计链事件" if zh else "audit events",
        "rows": "数据行" if zh else "data rows",
    }
    with progress.bars(steps) as update:
        report = verify(
            update,
            witnesses=tuple(Path(path) for path in args.witness),
            expect=expect,
            since=args.since,
        )
    if args.json:
        print_json(
            VerifyReport.model_validate(
                {
                    "ok": report.ok,
                    "events": report.events,
                    "rows": report.rows_by_type,
                    "checkpoint_seq": report.checkpoint_seq,
                    "pending": report.pending,
                    "seconds": round(report.seconds, 3),
                    "events_per_second": round(report.events_per_second),
                    "problem": report.problem,
                    "findings": [finding.en for finding in report.findings],
                    "checkpoints": report.checkpoints,
                    "alerts": report.alerts,
                    "forks": report.forks,
                    "accepted": report.accepted,
                    "abandoned_checkpoints": report.abandoned,
                    "witnesses": report.witnesses,
                    "since": report.since,
                    "step_seconds": {k: round(v, 3) for k, v in report.step_seconds.items()},
                }
            )
        )
    zh = current_language() == "zh"
    for fork in report.forks:
        print(_fork_line(fork, zh), file=sys.stderr)
    for accepted in report.accepted:
        print(
            (
                f"已接受的未签名事件（{accepted['time']}，签至事件 {accepted['seq']}）："
                f"{accepted['accepted_by']}，原因：{accepted['reason']}"
            )
            if zh
            else (
                f"unsigned events accepted at {accepted['time']} (signed up to event"
                f" {accepted['seq']}) by {accepted['accepted_by']}: {accepted['reason']}"
            ),
            file=sys.stderr,
        )
    if not report.ok:
        for finding in report.findings[1:]:
            print(f"  {finding.zh if zh else finding.en}", file=sys.stderr)
        return fail(f"audit verify: {report.problem_zh if zh else report.problem}")
    if not args.json:
        print(
            f"audit verify: OK — {report.events} events checked"
            f" ({report.events_per_second:,.0f}/s), {report.rows} tracked rows,"
            f" {report.checkpoints} checkpoints, last at event {report.checkpoint_seq}"
            + (f", witnesses agree: {', '.join(report.witnesses)}" if report.witnesses else "")
            + (f"; only what changed after event {report.since}" if report.since else "")
            + (f", {report.alerts} alerts on record (quanyi audit alerts)" if report.alerts else "")
            + (
                f", {report.pending} recent events await the next checkpoint"
                if report.pending
                else ""
            )
        )
    return 0


def _checkpoint(args: argparse.Namespace) -> int:

    accept = None
    if args.accept is not None:
        reason = args.accept.strip()
        if not reason or len(reason) > 1000 or not reason.isprintable():
            return fail(
                "audit checkpoint: --accept 须说明原因（1 至 1000 个可打印字符）"
                if _lang() == "zh"
                else "audit checkpoint: --accept needs a reason (1 to 1000 printable characters)"
            )
        accept = (args.principal.actor, reason)
    try:
        written = checkpoints.write(
            source="cli audit checkpoint", started=args.started, accept=accept, logged=False
        )
    except checkpoints.ChainBroken as broken:
        return fail(f"audit checkpoint: {broken.refusal.message(_lang())}")
    latest = written or checkpoints.latest()
    print(
        f"checkpoint at event {latest.seq if latest else 0}"
        + (" (signed now)" if written else " (already signed)")
    )
    return 0


def _lang() -> str:

    return "zh" if current_language() == "zh" else "en"


def _expect(text: str | None) -> str | None:
    if text is None:
        return None

    seq, digest = parse_expect(text)
    return f"{seq}:{digest}"


def _head(args: argparse.Namespace) -> int:

    head = checkpoints.latest()
    if head is None:
        return fail(
            "audit head: 尚无已签名的检查点"
            if _lang() == "zh"
            else "audit head: nothing signed yet"
        )
    data = Head(
        seq=head.seq,
        hash=head.hash,
        time=head.time,
        kind=head.kind,
        signature=head.signature,
        key_fingerprint=checkpoints.key_fingerprint(),
        expect=f"{head.seq}:{head.hash}",
    )
    if args.json:
        print_json(data)
        return 0
    for name, value in data.model_dump().items():
        print(f"{name:16} {value}")
    return 0


def _alerts(args: argparse.Namespace) -> int:

    rows = alert_rows()
    if args.json:
        print_json(rows, indent=1)
        return 0
    zh = _lang() == "zh"
    print(f"告警：{len(rows)} 条" if zh else f"alerts: {len(rows)}")
    for row in rows:
        print(
            f"{row.time}  {row.kind}  {row.source}  {row.actor or '-'}"
            f"  {row.reason_zh if zh else row.reason}"
        )
    return 0


def _fork_line(fork: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"分叉（备份恢复）{fork.get('time')}：放弃链头事件 {fork.get('abandoned_seq')}，"
            f"恢复至事件 {fork.get('restored_seq')}（与日志共同的最后签名链头：事件"
            f" {fork.get('fork_point')}）；原因：{fork.get('reason')}；"
            f"提出：{fork.get('proposed_by')}，批准：{fork.get('approved_by')}"
        )
    return (
        f"fork (restore from backup) at {fork.get('time')}: head at event"
        f" {fork.get('abandoned_seq')} abandoned, restored to event {fork.get('restored_seq')}"
        f" (last signed head shared with the log: event {fork.get('fork_point')});"
        f" reason: {fork.get('reason')}; proposed by {fork.get('proposed_by')},"
        f" approved by {fork.get('approved_by')}"
    )


def _fork_propose(args: argparse.Namespace) -> int:

    proposal = forks.propose(args.principal.actor, args.reason, args.head_before_login)
    print(_fork_proposal_line(proposal.details, proposal.seq, _lang() == "zh"))
    return 0


def _fork_proposal_line(details: dict[str, Any], restored: int, zh: bool) -> str:
    if zh:
        return (
            f"分叉提议已记录：放弃事件 {details['abandoned_seq']}，恢复至事件 {restored}；"
            "待安全管理员批准：quanyi audit fork approve --as <安全管理员>"
        )
    return (
        f"fork proposed: head at event {details['abandoned_seq']} abandoned, restored to event"
        f" {restored}; the security administrator approves it: quanyi audit fork approve"
        " --as <secadmin>"
    )


def _fork_approve(args: argparse.Namespace) -> int:

    fork = forks.approve(args.principal.actor)
    print(
        _fork_line({"time": fork.time, "restored_seq": fork.seq, **fork.details}, _lang() == "zh")
    )
    return 0
