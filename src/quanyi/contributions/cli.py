"""``quanyi contributions declare|post|pay``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from quanyi.core.commands import command


def register(sub: Any) -> None:
    contributions = sub.add_parser("contributions", help="bases, monthly bills, payments")
    contributions_sub = contributions.add_subparsers(
        dest="contributions_command", required=True, metavar="COMMAND"
    )
    declare = command(
        contributions_sub,
        "declare",
        _declare,
        atomic=True,
        writes=True,
        help="take in an employer's base declaration (CSV or Excel: id_number, wage_fen) as a case",
    )
    declare.add_argument("file")
    declare.add_argument("--uscc", required=True)
    declare.add_argument("--from", dest="valid_from", required=True, metavar="YYYY-MM")
    post = command(
        contributions_sub,
        "post",
        _post,
        writes=True,
        batch=True,
        help="post a month's bills (one unit of work per employer; resumable)",
    )
    post.add_argument("--month", required=True, metavar="YYYY-MM")
    pay = command(
        contributions_sub,
        "pay",
        _pay,
        atomic=True,
        writes=True,
        batch=True,
        help="import a bank result file, CSV or Excel (bill_id, amount_fen, paid_at, bank_ref)",
    )
    pay.add_argument("file")
    counter = command(
        contributions_sub,
        "counter",
        _counter,
        atomic=True,
        writes=True,
        help="record a payment taken at the counter against a bill",
    )
    counter.add_argument("--bill", required=True, dest="bill_id")
    counter.add_argument("--amount-fen", required=True)
    counter.add_argument("--receipt", required=True, help="the counter receipt number")
    counter.add_argument("--paid-on", default=None, metavar="YYYY-MM-DD", help="default today")
    bills = command(
        contributions_sub,
        "bills",
        _bills,
        help="an employer's bills: due, paid, owed with late fee, overpaid",
    )
    bills.add_argument("--uscc", required=True)
    register_check(sub)
    importer = sub.add_parser("import", help="import legacy data")
    importer_sub = importer.add_subparsers(dest="import_command", required=True, metavar="COMMAND")
    legacy = command(
        importer_sub,
        "legacy",
        _import_legacy,
        atomic=True,
        writes=True,
        help="validate a directory of legacy CSV files and submit them as one import.legacy case",
    )
    legacy.add_argument("directory")


def register_check(sub: Any) -> None:
    check = sub.add_parser("check", help="consistency checks (勾稽校验)")
    check_sub = check.add_subparsers(dest="check_command", required=True, metavar="COMMAND")
    command(
        check_sub,
        "consistency",
        _consistency,
        help="bills = their lines, payments = paid totals, balances and months = ledgers",
    )


def _consistency(args: argparse.Namespace) -> int:
    from quanyi.contributions.consistency import check
    from quanyi.core.commands import fail

    problems = check(args.principal)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return fail(f"check consistency: {len(problems)} mismatches")
    print("check consistency: OK")
    return 0


def _declare(args: argparse.Namespace) -> int:
    from quanyi.core.tables import read_rows
    from quanyi.workflow import queries, services

    rows = read_rows(args.file)
    payload = {
        "uscc": args.uscc,
        "valid_from": args.valid_from,
        "rows": [
            {"id_number": r.get("id_number", ""), "wage_fen": r.get("wage_fen", "")} for r in rows
        ],
    }
    case = services.submit(args.principal, "contribution.declare", payload)
    body = queries.case(args.principal, case.pk)
    clamped = [c for c in body.get("changes", []) if c["field"] != "base_fen"]
    print(
        json.dumps(
            {
                "case": case.pk,
                "status": case.status,
                "stage": case.stage,
                "rows": len(rows),
                "clamped": clamped,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


def _post(args: argparse.Namespace) -> int:
    from django.conf import settings

    from quanyi.contributions import flows

    progress = None
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(transient=True, console=Console(stderr=True))
        task = bar.add_task(f"{args.month}", total=None)
        bar.start()

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

    try:
        outcome = flows.post_month(
            args.principal, args.month, settings.QUANYI_REGION, progress=progress
        )
    finally:
        if progress is not None:
            bar.stop()
    print(json.dumps(outcome.__dict__, ensure_ascii=False))
    return 0


def _pay(args: argparse.Namespace) -> int:
    from quanyi.contributions import payments
    from quanyi.core.tables import read_table

    columns, raws = read_table(args.file)
    rows = payments.parse_bank_rows(columns, raws, Path(args.file).name)
    written = payments.record_payments(args.principal, rows)
    print(json.dumps({"payments": written}))
    return 0


def _counter(args: argparse.Namespace) -> int:
    from datetime import date

    from quanyi.contributions import payments

    written = payments.take_at_counter(
        args.principal,
        {
            "bill_id": args.bill_id,
            "amount_fen": args.amount_fen,
            "paid_at": args.paid_on or date.today().isoformat(),
            "bank_ref": args.receipt,
        },
    )
    print(json.dumps({"payments": written}))
    return 0


def _bills(args: argparse.Namespace) -> int:
    from quanyi.contributions.queries import employer_bills

    print(json.dumps(employer_bills(args.principal, args.uscc), ensure_ascii=False, indent=1))
    return 0


def _import_legacy(args: argparse.Namespace) -> int:
    from quanyi.core.errors import InvalidInput, QuanyiError
    from quanyi.workflow import queries, services

    folder = Path(args.directory)
    found = {p.name: p for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}
    if not found:
        raise InvalidInput.one(
            "directory", "empty", f"{folder} 中没有 CSV 文件", f"no CSV files in {folder}"
        )
    contents = {name: path.read_bytes() for name, path in found.items()}
    try:
        for data in contents.values():
            data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput.one(
            "file", "not_utf8", "文件须为 UTF-8 编码", "files are UTF-8"
        ) from error
    # Submitting validates every row of the stored files once; if it refuses, files no case
    # refers to are removed again.
    files = {name: services.store_content(data) for name, data in contents.items()}
    try:
        case = services.submit(
            args.principal,
            "import.legacy",
            {"files": files},
            tuple(services.NewAttachment(name, data) for name, data in contents.items()),
        )
    except QuanyiError:
        services.discard_unreferenced(files.values())
        raise
    body = queries.case(args.principal, case.pk)
    print(
        json.dumps(
            {
                "case": case.pk,
                "status": case.status,
                "stage": case.stage,
                "changes": body.get("changes", []),
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0
