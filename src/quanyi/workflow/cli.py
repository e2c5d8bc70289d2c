"""``quanyi case submit|act|resubmit|show|list|types`` (DESIGN.md, CLI contract)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from quanyi.core.bounds import MAX_ID, argument
from quanyi.core.commands import command, group, print_json
from quanyi.core.errors import InvalidInput, current_language
from quanyi.workflow import queries, services, types
from quanyi.workflow.queries import modifications
from quanyi.workflow.reveal import reveal

CASE_ID = argument(1, MAX_ID)


def register(sub: Any) -> None:
    case = sub.add_parser("case", help="business cases (业务件) and their review")
    case_sub = case.add_subparsers(dest="case_command", required=True, metavar="COMMAND")
    submit = command(
        case_sub,
        "submit",
        _submit,
        atomic=True,
        writes=True,
        help="take in a case (the intake decision) and print it as JSON",
    )
    submit.add_argument("type", help="case type, e.g. person.register (see: quanyi case types)")
    submit.add_argument("--data", required=True, help="the payload: JSON, or a file holding it")
    submit.add_argument("--attach", action="append", default=[], metavar="FILE")
    submit.add_argument("--opinion", default="")
    act = command(
        case_sub,
        "act",
        _act,
        atomic=True,
        writes=True,
        help="decide at the case's current stage: approve, reject (returns it) or withdraw",
    )
    act.add_argument("id", type=CASE_ID)
    act.add_argument("decision", choices=["approve", "reject", "withdraw"])
    act.add_argument("--opinion", default="")
    resubmit = command(
        case_sub,
        "resubmit",
        _resubmit,
        atomic=True,
        writes=True,
        help="continue a returned case, with corrected data if given",
    )
    resubmit.add_argument("id", type=CASE_ID)
    resubmit.add_argument("--data", default=None)
    resubmit.add_argument("--opinion", default="")
    show = command(case_sub, "show", _show, help="print a case, its history and its diff")
    show.add_argument("id", type=CASE_ID)
    listing = command(case_sub, "list", _list, help="the cases waiting for you (JSON)")
    listing.add_argument("--stage", choices=["check", "review", "recheck", "approval"])
    kinds = command(
        case_sub, "types", _types, anonymous=True, help="the case types and their stages"
    )
    kinds.add_argument(
        "--json", action="store_true", help="print them with their fields and payload schemas"
    )
    audit = group(sub, "audit", "the tamper-evident audit chain")
    modifications = command(
        audit,
        "modifications",
        _modifications,
        permission="maintenance.read",
        help="the month's modification log of corrections (维护日志, auditor)",
    )
    modifications.add_argument("--month", required=True, metavar="YYYY-MM")
    modifications.add_argument("--json", action="store_true", help="print it as JSON")
    reveal = command(
        audit,
        "reveal",
        _reveal,
        atomic=True,
        writes=True,
        help="show once the values of the maintenance entry an approved audit.reveal case names"
        " (the auditor who asked)",
    )
    reveal.add_argument("id", type=CASE_ID, help="the audit.reveal case")


def _payload(value: str) -> Any:

    text = value if value.lstrip().startswith("{") else _read(value)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput.one(
            "data", "bad_json", f"JSON 格式错误：{error}", f"not valid JSON: {error}"
        ) from None


def _read(path: str) -> str:

    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput.one(
            "data", "unreadable", f"无法读取文件 {path}：{error}", f"cannot read {path}: {error}"
        ) from None


def _print(principal: Any, case_id: int) -> None:

    print_json(queries.case(principal, case_id), indent=2)


def _submit(args: argparse.Namespace) -> int:

    attachments = []
    for name in args.attach:
        path = Path(name)
        if not path.is_file() or not os.access(path, os.R_OK):
            raise InvalidInput.one(
                "attach", "unreadable", f"无法读取附件 {name}", f"cannot read {name}"
            )
        attachments.append(services.NewAttachment(name, path))  # read as a stream
    case = services.submit(
        args.principal, args.type, _payload(args.data), tuple(attachments), args.opinion
    )
    _print(args.principal, case.pk)
    return 0


def _act(args: argparse.Namespace) -> int:

    case = services.act(args.principal, args.id, args.decision, args.opinion)
    _print(args.principal, case.pk)
    return 0


def _resubmit(args: argparse.Namespace) -> int:

    payload = _payload(args.data) if args.data is not None else None
    case = services.resubmit(args.principal, args.id, payload, args.opinion)
    _print(args.principal, case.pk)
    return 0


def _show(args: argparse.Namespace) -> int:
    _print(args.principal, args.id)
    return 0


def _list(args: argparse.Namespace) -> int:

    print_json(queries.queue(args.principal, args.stage), indent=1)
    return 0


def _types(args: argparse.Namespace) -> int:

    if args.json:
        print_json([t.out() for t in types.all_types()], indent=1)
        return 0
    lang = current_language()
    for case_type in types.all_types():
        stages = " → ".join(str(s) for s in case_type.stages)
        print(f"{case_type.name:20} {case_type.label(lang)}: {stages}")
    return 0


def _modifications(args: argparse.Namespace) -> int:

    rows = modifications(args.principal, args.month)
    if args.json:
        print_json(rows, indent=1)
        return 0
    zh = current_language() == "zh"
    print(
        f"{args.month} 维护日志：{len(rows)} 条"
        if zh
        else f"modification log {args.month}: {len(rows)} entries"
    )
    hidden = "（已隐藏）" if zh else "(hidden)"
    for row in rows:
        content = "; ".join(
            f"{c.field}: {hidden}" if c.hidden else f"{c.field}: {c.before} → {c.after}"
            for c in row.content
        )
        print(
            f"{row.time}  {'条目' if zh else 'entry'} {row.entry}  case {row.case}  "
            f"{row.object_type} {row.object_id}  "
            f"{content}  | {'原因' if zh else 'reason'}: {row.reason}"
            f"  | {'方式' if zh else 'method'}: {row.method}"
            f"  | {'负责人' if zh else 'responsible'}: {row.responsible}"
            f" ({'受理' if zh else 'submitted by'} {row.submitted_by})"
        )
    return 0


def _reveal(args: argparse.Namespace) -> int:

    print(json.dumps(reveal(args.principal, args.id), ensure_ascii=False, indent=1))
    return 0
