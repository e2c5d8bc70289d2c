"""``quanyi audit verify`` and ``quanyi audit checkpoint``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from quanyi.cli import command, fail


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the tamper-evident audit chain")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    verify = command(
        audit_sub,
        "verify",
        _verify,
        help="recompute the chain, check every registry row and the last checkpoint",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    command(audit_sub, "checkpoint", _checkpoint, help="sign a checkpoint of the chain head now")
    modifications = command(
        audit_sub,
        "modifications",
        _modifications,
        help="the month's modification log of corrections (维护日志, auditor)",
    )
    modifications.add_argument("--month", required=True, metavar="YYYY-MM")
    modifications.add_argument("--json", action="store_true", help="print it as JSON")


def _verify(args: argparse.Namespace) -> int:
    from quanyi.access.policy import authorize
    from quanyi.audit.verify import verify
    from quanyi.core.errors import current_language

    authorize(args.principal, "audit.verify")
    on_tty = sys.stderr.isatty()

    def progress(events: int) -> None:
        print(f"\r{events} events…", end="", file=sys.stderr, flush=True)

    report = verify(progress if on_tty else None)
    if on_tty:
        print(file=sys.stderr)
    if args.json:
        print(
            json.dumps(
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
                },
                ensure_ascii=False,
            )
        )
    if not report.ok:
        zh = current_language() == "zh"
        for finding in report.findings[1:]:
            print(f"  {finding.zh if zh else finding.en}", file=sys.stderr)
        return fail(f"audit verify: {report.problem_zh if zh else report.problem}")
    if not args.json:
        print(
            f"audit verify: OK — {report.events} events checked"
            f" ({report.events_per_second:,.0f}/s), {report.rows} registry rows,"
            f" checkpoint at event {report.checkpoint_seq}"
            + (
                f", {report.pending} recent events await the next checkpoint"
                if report.pending
                else ""
            )
        )
    return 0


def _checkpoint(args: argparse.Namespace) -> int:
    from quanyi.access.policy import authorize
    from quanyi.audit import checkpoints

    authorize(args.principal, "audit.checkpoint")
    written = checkpoints.write()
    latest = written or checkpoints.latest()
    print(
        f"checkpoint at event {latest.seq if latest else 0}"
        + (" (signed now)" if written else " (already signed)")
    )
    return 0


def _modifications(args: argparse.Namespace) -> int:
    from quanyi.core.errors import current_language
    from quanyi.workflow.queries import modifications

    rows = modifications(args.principal, args.month)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    zh = current_language() == "zh"
    print(
        f"{args.month} 维护日志：{len(rows)} 条"
        if zh
        else f"modification log {args.month}: {len(rows)} entries"
    )
    for row in rows:
        content = "; ".join(f"{c['field']}: {c['before']} → {c['after']}" for c in row["content"])
        print(
            f"{row['time']}  case {row['case']}  {row['object_type']} {row['object_id']}  "
            f"{content}  | {'原因' if zh else 'reason'}: {row['reason']}"
            f"  | {'方式' if zh else 'method'}: {row['method']}"
            f"  | {'负责人' if zh else 'responsible'}: {row['responsible']}"
            f" ({'受理' if zh else 'submitted by'} {row['submitted_by']})"
        )
    return 0
