"""``quanyi contributions declare|post|pay|counter|bills`` and ``quanyi import legacy``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from quanyi.contributions import declaration_files, flows, legacy, payment_files, services
from quanyi.contributions.queries import employer_bills
from quanyi.contributions.schemas import Bills, DeclaredCase, Payments, PostOutcome
from quanyi.core.commands import command, print_json
from quanyi.core.errors import InvalidInput
from quanyi.core.report import open_report
from quanyi.workflow import queries as case_queries
from quanyi.workflow import services as cases


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
    _report_option(declare)
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
    _report_option(pay)
    counter = command(
        contributions_sub,
        "counter",
        _counter,
        atomic=True,
        writes=True,
        help="record a payment taken at the counter against one of the employer's open bills",
    )
    counter.add_argument("--uscc", required=True, help="the paying employer")
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
    importer = sub.add_parser("import", help="import legacy data")
    importer_sub = importer.add_subparsers(dest="import_command", required=True, metavar="COMMAND")
    legacy_import = command(
        importer_sub,
        "legacy",
        _import_legacy,
        atomic=True,
        writes=True,
        help="validate a directory of legacy CSV files and submit them as one import.legacy case",
    )
    legacy_import.add_argument("directory")
    _report_option(legacy_import)


def _report_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report",
        metavar="PATH",
        default=None,
        help="where every bad row goes (CSV: file, line, field, reason); default: next to the"
        " input, named after it with .errors.csv",
    )


def _declare(args: argparse.Namespace) -> int:
    with open_report(args.file, args.report) as report:
        found = declaration_files.read(args.file, report)
        if report.total:
            raise report.refusal()
        payload = {"uscc": args.uscc, "valid_from": args.valid_from, "rows": found.rows}
        try:
            case = cases.submit(args.principal, "contribution.declare", payload)
        except InvalidInput as refused:
            report.add_rows(found.name, refused, found.line_of)
            raise report.refusal() from None
    body = case_queries.case(args.principal, case.pk)
    clamped = [c for c in body.changes or [] if c.field != "base_fen"]
    print_json(
        DeclaredCase.model_validate(
            {**body.model_dump(exclude_unset=True), "rows": len(found.rows), "clamped": clamped}
        ),
        indent=1,
    )
    return 0


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, told (done, total) as each unit of work ends; ``None`` off a
    terminal. Only a terminal shows a bar: every other command, and a run by a scheduler,
    would pay for importing rich for nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(transient=True, console=Console(stderr=True))
    task = bar.add_task(label, total=None)
    bar.start()

    def advance(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    try:
        yield advance
    finally:
        bar.stop()


def _post(args: argparse.Namespace) -> int:
    with _bar(args.month) as progress:
        outcome = flows.post_month(
            args.principal, args.month, settings.QUANYI_REGION, progress=progress
        )
    print_json(PostOutcome.model_validate(outcome, from_attributes=True))
    return 0


def _pay(args: argparse.Namespace) -> int:
    with open_report(args.file, args.report) as report:
        found = payment_files.read_bank_file(args.file, report)
        if report.total:
            raise report.refusal()
        try:
            written = services.record_payments(args.principal, found.rows)
        except InvalidInput as refused:
            report.add_rows(found.name, refused, found.line_of)
            raise report.refusal() from None
    print_json(Payments(payments=written))
    return 0


def _counter(args: argparse.Namespace) -> int:
    written = services.take_at_counter(
        args.principal,
        {
            "uscc": args.uscc,
            "bill_id": args.bill_id,
            "amount_fen": args.amount_fen,
            "paid_at": args.paid_on or date.today().isoformat(),
            "bank_ref": args.receipt,
        },
    )
    print_json(Payments(payments=written))
    return 0


def _bills(args: argparse.Namespace) -> int:
    print_json(Bills.model_validate(employer_bills(args.principal, args.uscc)), indent=1)
    return 0


def _import_legacy(args: argparse.Namespace) -> int:
    with open_report(args.directory, args.report), _bar("legacy") as progress:
        token = legacy.PROGRESS.set(progress)
        try:
            return _submit_legacy(args)
        finally:
            legacy.PROGRESS.reset(token)


def _submit_legacy(args: argparse.Namespace) -> int:
    case = flows.submit_legacy(args.principal, Path(args.directory))
    print_json(case_queries.case(args.principal, case.pk), indent=1)
    return 0
